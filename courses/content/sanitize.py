"""Text that arrives from people and from outside, made safe in one place.

Plain text (reflections, names) is stored exactly as typed and escaped by the templates when
shown; `plain_text` only normalises it. HTML that arrives from outside, such as rich text in an
imported course file, goes through `clean_rich_text`: bleach with one explicit allow-list, so
scripts, event handlers, frames and `javascript:` links never reach the database.
"""

import re

import bleach

# What imported rich text may contain: the formatting the lesson editors offer.
RICH_TEXT_TAGS = frozenset(
    {"p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li", "h2", "h3", "h4"}
)
RICH_TEXT_ATTRIBUTES = {"a": ["href"]}
RICH_TEXT_PROTOCOLS = frozenset({"http", "https", "mailto"})

_rich_text_cleaner = bleach.sanitizer.Cleaner(
    tags=RICH_TEXT_TAGS,
    attributes=RICH_TEXT_ATTRIBUTES,
    protocols=RICH_TEXT_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


# Control characters other than tab and newline: invisible, and PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Elements whose content is code or another document, not text: dropped whole (bleach alone
# would strip the tags and keep their content as text).
DROPPED_ELEMENTS = re.compile(
    r"<(script|style|iframe|object|embed|template|noscript)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)


class TooLong(ValueError):
    """The text is longer than allowed."""


def plain_text(text, max_length=None):
    """Text as typed, with line endings normalised and surrounding space removed. Raises
    TooLong when it has more than `max_length` characters."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_CHARACTERS.sub("", text).strip()
    if max_length is not None and len(text) > max_length:
        raise TooLong(f"longer than {max_length} characters")
    return text


def clean_rich_text(html):
    """Rich text from outside with only the allowed tags, attributes and link protocols."""
    return _rich_text_cleaner.clean(DROPPED_ELEMENTS.sub("", html or ""))
