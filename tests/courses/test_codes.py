"""One helper makes and reads both certificate codes and invitation codes."""

import pytest

from courses import codes
from courses.cohorts.services import normalise_invite_code
from courses.models.certificates import normalise_code


def test_new_codes_use_only_unambiguous_characters():
    code = codes.new_code(40)
    assert len(code) == 40 and set(code) <= set(codes.ALPHABET)
    assert not set("01ILOU") & set(codes.ALPHABET)


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("abcd-efgh-jkmn", "ABCDEFGHJKMN"),
        (" ABCD EFGH JKMN ", "ABCDEFGHJKMN"),
        ("ABCD-EFGH-JKM0", None),  # a zero is never part of a code
        ("ABCD-EFGH-JK", None),  # too short
        ("A" * 65, None),
        ("", None),
        (None, None),
    ],
)
def test_typed_codes_are_normalised_or_refused(typed, expected):
    assert codes.normalise_code(typed, 12) == expected


def test_certificate_and_invitation_codes_share_the_rules_but_not_the_length():
    assert normalise_invite_code("abcd-efgh-jkmn") == "ABCDEFGHJKMN"
    assert normalise_code("abcd-efgh-jkmn") is None  # certificate codes have 20 characters
    assert normalise_code("abcd efgh jkmn pqrs tvwx") == "ABCDEFGHJKMNPQRSTVWX"
    assert codes.format_code("ABCDEFGHJKMN") == "ABCD-EFGH-JKMN"
