"""The translation catalogues in locale/ are complete and current (docs/translation.md).

- Gathering the marked strings again (`makemessages`, in a copy of the repository) finds no
  string the committed catalogues lack and none they hold needlessly.
- Spanish and French translate every string: no empty and no fuzzy entry.
- Each committed .mo file is what its .po compiles to, so `make run` needs no gettext tools.

`make messages` fixes the first and last; a translator fixes the second."""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(settings.BASE_DIR)
LOCALE = REPO / "locale"
LANGUAGES = ["es", "fr", "ar"]
COMPLETE = ["es", "fr"]  # every msgid translated; Arabic covers the layout (docs/translation.md)
SOURCES = ["courses", "quizzes", "site", "manage.py", "locale"]
MAKEMESSAGES_IGNORE = ["node_modules", "static"]

needs_gettext = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgfmt") and shutil.which("msgmerge")),
    reason="GNU gettext (xgettext, msgmerge, msgfmt) is not installed: apt install gettext",
)


def read_po(path):
    """[(msgctxt, msgid, msgid_plural, [msgstr...], flags)] for each entry but the header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields, flags, key = {}, set(), None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line
            ):
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        strings = [value for name, value in sorted(fields.items()) if name.startswith("msgstr")]
        entries.append(
            (fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strings, flags)
        )
    return entries


def keys(entries):
    return {(context, msgid, plural) for context, msgid, plural, _strings, _flags in entries}


def catalogue(language):
    return LOCALE / language / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """makemessages run afresh over a copy of the sources and the committed catalogues."""
    copy = tmp_path_factory.mktemp("messages")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    command = [
        str(REPO / ".venv" / "bin" / "python"),
        "manage.py",
        "makemessages",
        *[f"-l{language}" for language in LANGUAGES],
        "--no-obsolete",
        "--add-location=file",
        *[f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORE],
    ]
    subprocess.run(command, cwd=copy, check=True, capture_output=True, timeout=300)  # noqa: S603
    return {
        language: read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        for language in LANGUAGES
    }


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_exactly_the_marked_strings(regenerated, language):
    committed = keys(read_po(catalogue(language)))
    current = keys(regenerated[language])
    missing = sorted(m for _c, m, _p in current - committed)
    unused = sorted(m for _c, m, _p in committed - current)
    assert not missing, (
        f"locale/{language} lacks {len(missing)} strings (make messages): {missing[:5]}"
    )
    assert not unused, (
        f"locale/{language} holds {len(unused)} unused strings (make messages): {unused[:5]}"
    )


@pytest.mark.parametrize("language", COMPLETE)
def test_every_string_is_translated(language):
    entries = read_po(catalogue(language))
    assert entries
    empty = [msgid for _c, msgid, _p, strings, _f in entries if not all(strings)]
    fuzzy = [msgid for _c, msgid, _p, _s, flags in entries if "fuzzy" in flags]
    assert not empty, f"locale/{language}: {len(empty)} untranslated, e.g. {empty[:5]}"
    assert not fuzzy, f"locale/{language}: {len(fuzzy)} fuzzy entries, e.g. {fuzzy[:5]}"


def test_arabic_covers_the_layout_and_safety_strings():
    translated = {msgid for _c, msgid, _p, strings, _f in read_po(catalogue("ar")) if all(strings)}
    for msgid in [
        "Exit this page",
        "(or press Shift 3 times)",
        "Get support now",
        "Helplines and support",
        "Skip to main content",
        "Language",
        "Change language",
        "My learning",
        "Log in",
        "Log out",
    ]:
        assert msgid in translated


@needs_gettext
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_is_compiled_from_the_po(tmp_path, language):
    compiled = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603
        ["msgfmt", "--check-format", "-o", str(compiled), str(catalogue(language))],  # noqa: S607
        check=True,
        capture_output=True,
    )
    committed = catalogue(language).with_suffix(".mo")
    assert committed.exists(), f"locale/{language}: run make messages to compile it"
    assert committed.read_bytes() == compiled.read_bytes(), (
        f"locale/{language}/LC_MESSAGES/django.mo is stale: run make messages"
    )
