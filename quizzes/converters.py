"""A path converter for database ids: `<id:quiz_id>` matches what `<int:...>` matches, but only
up to the largest 64-bit integer. A bigger number (99999999999999999999) does not match the
pattern, so the URL is a 404, instead of an OverflowError when the id reaches the database.

`register()` is idempotent; each app's URLconf calls it before using `<id:...>` (courses uses
this one too, as quizzes never imports courses)."""

from django.urls import converters, register_converter

MAX_ID = 2**63 - 1  # SQLite's INTEGER and PostgreSQL's bigint


class DatabaseIdConverter(converters.IntConverter):
    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is beyond the largest database id")
        return number

    def to_url(self, value):
        return str(int(value))


def register():
    """Register the `id` converter once."""
    if "id" not in converters.get_converters():
        register_converter(DatabaseIdConverter, "id")
