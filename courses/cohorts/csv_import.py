"""Reading a manager's spreadsheet of people (email, name) for a cohort: pure functions,
no database. `parse(data)` takes the uploaded bytes and returns every row with its problems,
or raises CSVImportError with a message for the manager when the file as a whole is unusable.

What is accepted, so that a file saved from Excel, Numbers, LibreOffice or Google Sheets
works as it is:

- a first row naming the columns: "email" (or "e-mail", "email address") and, optionally,
  "name" (or "full name"), in any case and order; other columns are ignored;
- commas, semicolons (European Excel) or tabs between columns;
- UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode text"), and
  Windows-1252 as a fallback for older Excel exports;
- Windows, Unix and old Mac line endings; blank lines anywhere.

Names are kept exactly as typed (apart from surrounding spaces): a name that starts with
"=" is a name, never a formula here. Exports neutralise such cells; templates escape them.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
NAME_MAX_LENGTH = 200  # CohortInvitation.name
EMAIL_MAX_LENGTH = 254  # EmailField
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}

EMAIL_HEADERS = {"email", "emailaddress"}  # after _header_key: "E-mail", "Email address"…
NAME_HEADERS = {"name", "fullname"}
EXPECTED_HEADERS = "email,name"

# Files that are not text, recognised by their first bytes.
SIGNATURES = (
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),  # .xlsx, .ods, .numbers and other zipped documents
    (b"\xd0\xcf\x11\xe0", "ole"),  # .xls and .doc from older Office
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
)
CONTROL_BYTES = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1A)) | {0x1C, 0x1D, 0x1E}


class CSVImportError(Exception):
    """The file as a whole cannot be used; the message says why and what to do."""


@dataclass
class Row:
    """One person in the file. `line` is the spreadsheet row number (the headings are 1)."""

    line: int
    email: str
    name: str
    errors: list = field(default_factory=list)

    @property
    def is_valid(self):
        return not self.errors

    def as_list(self):
        return [self.line, self.email, self.name, list(self.errors)]

    @classmethod
    def from_list(cls, values):
        line, email, name, errors = values
        return cls(line=line, email=email, name=name, errors=list(errors))


@dataclass
class ParsedFile:
    rows: list
    encoding: str
    delimiter: str
    has_names: bool = True
    ignored_columns: list = field(default_factory=list)

    @property
    def valid_rows(self):
        return [row for row in self.rows if row.is_valid]

    @property
    def error_rows(self):
        return [row for row in self.rows if not row.is_valid]

    @property
    def delimiter_name(self):
        return DELIMITER_NAMES.get(self.delimiter, self.delimiter)


def _not_csv(kind):
    messages = {
        "pdf": _("This is a PDF file, not a CSV file."),
        "zip": _("This looks like an Excel (.xlsx) or other spreadsheet file, not a CSV file."),
        "ole": _("This looks like an older Excel (.xls) or Word file, not a CSV file."),
        "image": _("This is an image, not a CSV file."),
        "binary": _("This does not look like a CSV file."),
    }
    return CSVImportError(
        messages[kind]
        + " "
        + _(
            "In your spreadsheet, choose Save as (or Download) and pick “CSV”, then upload "
            "that file."
        )
    )


def decode(data):
    """The text of the file and the name of its encoding. Raises CSVImportError for files
    that are not text or whose characters cannot be read."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_csv("binary") from None
        if "\x00" in text:
            raise _not_csv("binary")
        return text, "UTF-16"
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise _not_csv(kind)
    sample = data[:8192]
    controls = sum(1 for byte in sample if byte in CONTROL_BYTES)
    if b"\x00" in data or controls > max(len(sample) // 100, 2):
        raise _not_csv("binary")
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise CSVImportError(
            _(
                "We could not read the characters in this file. In your spreadsheet, save it "
                "as “CSV UTF-8” and upload it again."
            )
        ) from None


def _header_key(cell):
    """'E-mail address ' -> 'emailaddress'; 'Full_Name' -> 'fullname'."""
    return re.sub(r"[\s_\-.:*]+", "", cell.strip().strip('"').lower())


def _has_content(line):
    return bool(line.strip().strip(',;\t"').strip())


def _short(text, length=60):
    text = text.strip()
    return text if len(text) <= length else text[: length - 1] + "…"


def find_columns(header_line):
    """(delimiter, email column index, name column index or None, ignored headings) for the
    headings row. Raises CSVImportError naming the expected headings."""
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        keys = [_header_key(cell) for cell in cells]
        email_at = next((i for i, key in enumerate(keys) if key in EMAIL_HEADERS), None)
        if email_at is None:
            continue
        name_at = next((i for i, key in enumerate(keys) if key in NAME_HEADERS), None)
        ignored = [
            _short(cell)
            for i, cell in enumerate(cells)
            if i not in (email_at, name_at) and cell.strip()
        ]
        return delimiter, email_at, name_at, ignored
    if "@" in header_line:
        raise CSVImportError(
            _(
                "The first row looks like a person, not column headings. Add a first row "
                "with the headings %(expected)s and upload the file again."
            )
            % {"expected": EXPECTED_HEADERS}
        )
    raise CSVImportError(
        _(
            "The first row must name the columns: %(expected)s (“e-mail”, “email address” "
            "and “full name” work too). We found: %(found)s."
        )
        % {"expected": EXPECTED_HEADERS, "found": "“" + _short(header_line, 100) + "”"}
    )


def check_email(raw):
    """(normalised email, error or None)."""
    email = raw.strip()
    if not email:
        return "", _("The email address is missing.")
    if len(email) > EMAIL_MAX_LENGTH:
        return email, _("This email address is too long.")
    try:
        validate_email(email)
    except ValidationError:
        return email, _("“%(email)s” is not a valid email address.") % {"email": _short(email)}
    return email.lower(), None


def parse(data):
    """Every row of the file (blank lines skipped) with its problems. Raises CSVImportError
    for a file that is empty, too large, not CSV, unreadable or without an email column."""
    if len(data) > MAX_BYTES:
        raise CSVImportError(
            _(
                "The file is larger than %(mb)s MB. Split it into smaller files of up to "
                "%(rows)s people and upload them one at a time."
            )
            % {"mb": MAX_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}"}
        )
    text, encoding = decode(data)
    text = text.rstrip("\x1a")  # an old DOS end-of-file mark
    header_line = next((line for line in text.splitlines() if _has_content(line)), None)
    if header_line is None:
        raise CSVImportError(_("The file is empty."))
    delimiter, email_at, name_at, ignored = find_columns(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, first_seen, header_done = [], {}, False
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank line, or only separators
            if not header_done:
                header_done = True
                continue
            if len(rows) >= MAX_ROWS:
                raise CSVImportError(
                    _(
                        "The file has more than %(rows)s people. Split it into smaller files "
                        "and upload them one at a time."
                    )
                    % {"rows": f"{MAX_ROWS:,}"}
                )
            rows.append(_check_row(reader.line_num, cells, email_at, name_at, first_seen))
    except csv.Error as error:
        raise CSVImportError(
            _("The file could not be read as CSV near row %(line)s (%(error)s).")
            % {"line": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise CSVImportError(
            _("The file has headings but no people. Add one person per row under them.")
        )
    return ParsedFile(
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        has_names=name_at is not None,
        ignored_columns=ignored,
    )


def _check_row(line, cells, email_at, name_at, first_seen):
    raw_email = cells[email_at] if email_at < len(cells) else ""
    name = cells[name_at].strip() if name_at is not None and name_at < len(cells) else ""
    email, error = check_email(raw_email)
    row = Row(line=line, email=email, name=name)
    if error:
        row.errors.append(error)
    else:
        if email in first_seen:
            row.errors.append(
                _("This email address is also on row %(line)s.") % {"line": first_seen[email]}
            )
        else:
            first_seen[email] = line
    if len(name) > NAME_MAX_LENGTH:
        row.errors.append(
            _("The name is longer than %(max)s characters.") % {"max": NAME_MAX_LENGTH}
        )
    return row


def template_csv():
    """A file to start from, with the headings and one example row."""
    return "email,name\r\nalex.morgan@example.org,Alex Morgan\r\n"
