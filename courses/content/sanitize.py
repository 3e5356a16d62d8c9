"""One place where untrusted text from learners and managers is cleaned with bleach.

`clean_plain_text` removes every tag and escapes what remains, so the result is safe to
show with `|safe` (it contains entities such as `&amp;` but no markup)."""

import html

import bleach

# Learners' free text allows no markup at all.
PLAIN_TEXT_TAGS: frozenset[str] = frozenset()


def clean_plain_text(text, max_length=None):
    """Strip tags, escape the rest and normalise line endings. Length counts characters
    as the person typed them, not their escaped form."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    cleaned = bleach.clean(text, tags=PLAIN_TEXT_TAGS, attributes={}, strip=True)
    if max_length is not None and len(html.unescape(cleaned)) > max_length:
        raise ValueError(f"longer than {max_length} characters")
    return cleaned
