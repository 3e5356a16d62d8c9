"""Codes people read, type and share: certificate codes and cohort invitation codes.

Random, from an alphabet without look-alike characters (no 0/O, 1/I/L, U), so a code read out
over the phone or copied from paper is typed right; shown in groups of four; accepted in any
case, with or without spaces and dashes.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4
MAX_TYPED_LENGTH = 64


def new_code(length):
    """A new random code of `length` characters (about 4.9 bits each)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(raw, length):
    """The stored form of a typed code (case, spaces and dashes ignored), or None when it
    cannot be a code of this length."""
    if not raw or not isinstance(raw, str) or len(raw) > MAX_TYPED_LENGTH:
        return None
    code = "".join(ch for ch in raw.upper() if ch.isalnum())
    if len(code) != length or any(ch not in ALPHABET for ch in code):
        return None
    return code


def format_code(code):
    """ABCD-EFGH-JKMN: easier to read out and type."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
