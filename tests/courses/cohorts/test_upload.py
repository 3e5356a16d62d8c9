"""Bulk adding people to a cohort from a CSV file: parsing, preview, confirm."""

import re
import time

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.cohorts import csv_import, uploads
from courses.cohorts import services as cohorts
from courses.cohorts.csv_import import CSVImportError, parse
from courses.models import CohortInvitation, CohortMembership, CohortUploadJob, Enrolment
from tests import factories

# Parsing (pure functions, no database) ----------------------------------------------------


def emails(parsed):
    return [row.email for row in parsed.rows]


class TestHeadings:
    @pytest.mark.parametrize(
        "header",
        [
            "email,name",
            "Email,Name",
            "E-mail,Full name",
            "Email address,Full Name",
            "EMAIL ADDRESS,NAME",
            "name,email",
            '"Email","Name"',
            "email_address,full_name",
        ],
    )
    def test_accepted_headings_in_any_case_and_order(self, header):
        person = "Alex,alex@example.org" if header.startswith("name") else "alex@example.org,Alex"
        row = parse(f"{header}\n{person}\n".encode()).rows[0]
        assert (row.email, row.name, row.errors) == ("alex@example.org", "Alex", [])

    def test_columns_are_found_wherever_they_are(self):
        parsed = parse(b"Department,Name,Employee ID,Email\nOps,Alex Morgan,7,alex@example.org\n")
        assert (parsed.rows[0].email, parsed.rows[0].name) == ("alex@example.org", "Alex Morgan")
        assert parsed.ignored_columns == ["Department", "Employee ID"]

    def test_the_name_column_is_optional(self):
        parsed = parse(b"email\nalex@example.org\n")
        assert not parsed.has_names
        assert (parsed.rows[0].email, parsed.rows[0].name) == ("alex@example.org", "")

    @pytest.mark.parametrize("header", ["address,person", "mail,who", "contact,name"])
    def test_wrong_headings_name_the_expected_ones(self, header):
        with pytest.raises(CSVImportError, match="email,name") as error:
            parse(f"{header}\nalex@example.org,Alex\n".encode())
        assert header.split(",")[0] in str(error.value)  # says what it found

    def test_a_file_without_headings_says_so(self):
        with pytest.raises(CSVImportError, match="looks like a person, not column headings"):
            parse(b"alex@example.org,Alex\nsam@example.org,Sam\n")

    @pytest.mark.parametrize("data", [b"", b"\n\n  \n", b",,\n;;\n"])
    def test_an_empty_file(self, data):
        with pytest.raises(CSVImportError, match="empty"):
            parse(data)

    def test_headings_but_nobody(self):
        with pytest.raises(CSVImportError, match="no people"):
            parse(b"email,name\n\n")


class TestFormats:
    def test_a_utf8_byte_order_mark_is_ignored(self):
        parsed = parse("\ufeffEmail,Name\nzoe@example.org,Zoë Ørsted\n".encode())
        assert parsed.encoding == "UTF-8"
        assert (parsed.rows[0].email, parsed.rows[0].name) == ("zoe@example.org", "Zoë Ørsted")

    @pytest.mark.parametrize("delimiter,name", [(";", "semicolon"), ("\t", "tab"), (",", "comma")])
    def test_separators_are_detected(self, delimiter, name):
        data = f"email{delimiter}name\nalex@example.org{delimiter}Morgan, Alex\n"
        parsed = parse(data.encode())
        assert parsed.delimiter_name == name
        if delimiter != ",":
            assert parsed.rows[0].name == "Morgan, Alex"

    def test_quoted_names_with_commas(self):
        parsed = parse(b'email,name\nalex@example.org,"Morgan, Alex"\n')
        assert parsed.rows[0].name == "Morgan, Alex"

    @pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
    def test_any_line_endings(self, newline):
        data = newline.join(["email,name", "a@example.org,A", "b@example.org,B", ""])
        parsed = parse(data.encode())
        assert emails(parsed) == ["a@example.org", "b@example.org"]
        assert [row.line for row in parsed.rows] == [2, 3]
        assert all(row.is_valid for row in parsed.rows)

    def test_windows_1252_is_read_when_the_file_is_not_utf8(self):
        parsed = parse("email;name\r\nzoe@example.org;Zoë Brontë – Café\r\n".encode("cp1252"))
        assert parsed.encoding == "Windows-1252"
        assert parsed.rows[0].name == "Zoë Brontë – Café"

    def test_utf16_from_excel_unicode_text(self):
        parsed = parse("email\tname\r\nzoe@example.org\tZoë\r\n".encode("utf-16"))
        assert parsed.encoding == "UTF-16"
        assert (parsed.rows[0].email, parsed.rows[0].name) == ("zoe@example.org", "Zoë")

    def test_unreadable_characters_are_a_clear_error(self):
        # 0x81 and 0x8D are neither UTF-8 nor Windows-1252.
        with pytest.raises(CSVImportError, match="CSV UTF-8"):
            parse(b"email,name\nzoe@example.org,Zo\x81\x8d\n")

    @pytest.mark.parametrize(
        "data,words",
        [
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
            (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml", "Excel"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "older Excel"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image"),
            (bytes(range(256)) * 4, "does not look like a CSV"),
        ],
    )
    def test_files_that_are_not_csv(self, data, words):
        with pytest.raises(CSVImportError, match=words) as error:
            parse(data)
        assert "CSV" in str(error.value)

    def test_an_over_large_file(self):
        data = b"email,name\n" + b"a@example.org,A\n" * (csv_import.MAX_BYTES // 16 + 10)
        with pytest.raises(CSVImportError, match="larger than 2 MB"):
            parse(data)

    def test_too_many_rows(self):
        lines = ["email"] + [f"p{i}@example.org" for i in range(csv_import.MAX_ROWS + 1)]
        with pytest.raises(CSVImportError, match="more than 10,000 people"):
            parse("\n".join(lines).encode())

    def test_exactly_the_row_limit_is_fine(self):
        lines = ["email"] + [f"p{i}@example.org" for i in range(csv_import.MAX_ROWS)]
        parsed = parse("\n".join(lines).encode())
        assert len(parsed.valid_rows) == csv_import.MAX_ROWS


class TestRows:
    def test_blank_lines_are_skipped_and_row_numbers_match_the_spreadsheet(self):
        parsed = parse(b"\nemail,name\n\na@example.org,A\n,\n  \nb@example.org,B\n\n")
        assert emails(parsed) == ["a@example.org", "b@example.org"]
        assert [row.line for row in parsed.rows] == [4, 7]

    def test_emails_are_trimmed_and_lower_cased(self):
        parsed = parse("email,name\n  Alex.Morgan@Example.ORG\u00a0 , Alex \n".encode())
        assert (parsed.rows[0].email, parsed.rows[0].name) == ("alex.morgan@example.org", "Alex")

    @pytest.mark.parametrize(
        "email",
        [
            "alex",
            "alex@",
            "@example.org",
            "alex@example",
            "alex example@example.org",
            "Alex <alex@example.org>",
            "alex@@example.org",
            "a" * 250 + "@example.org",
        ],
    )
    def test_malformed_emails(self, email):
        parsed = parse(f'email,name\n"{email}",Alex\nok@example.org,Ok\n'.encode())
        assert parsed.rows[0].errors and "email address" in parsed.rows[0].errors[0]
        assert parsed.rows[1].is_valid

    def test_a_missing_email(self):
        parsed = parse(b"email,name\n,Alex\nok@example.org\n")
        assert parsed.rows[0].errors == ["The email address is missing."]
        assert parsed.rows[1].is_valid  # a short row: no name, which is fine

    def test_duplicates_in_the_file_ignoring_case(self):
        parsed = parse(b"email,name\na@example.org,A\nb@example.org,B\nA@EXAMPLE.org,A again\n")
        assert [row.is_valid for row in parsed.rows] == [True, True, False]
        assert parsed.rows[2].errors == ["This email address is also on row 2."]

    def test_a_name_too_long(self):
        name = "N" * (csv_import.NAME_MAX_LENGTH + 1)
        parsed = parse(f"email,name\na@example.org,{name}\n".encode())
        assert parsed.rows[0].errors == ["The name is longer than 200 characters."]
        ok = parse(f"email,name\na@example.org,{name[:-1]}\n".encode())
        assert ok.rows[0].is_valid

    def test_formula_like_names_are_kept_as_typed(self):
        parsed = parse(b'email,name\na@example.org,"=HYPERLINK(""http://x"")"\nb@example.org,+1\n')
        assert parsed.rows[0].name == '=HYPERLINK("http://x")'
        assert parsed.rows[1].name == "+1"
        assert all(row.is_valid for row in parsed.rows)

    def test_rows_survive_the_round_trip_through_storage(self):
        row = parse(b"email,name\nbad,Alex\n").rows[0]
        assert csv_import.Row.from_list(row.as_list()) == row


# Views -------------------------------------------------------------------------------------


def upload_url(cohort):
    return reverse("courses:cohort_upload", args=[cohort.public_id])


def cohort_url(cohort):
    return reverse("courses:cohort", args=[cohort.public_id])


def job_url(cohort):
    """The status page of the cohort's latest upload."""
    job = CohortUploadJob.objects.filter(cohort=cohort).latest("created_at")
    return reverse("courses:cohort_upload_job", args=[cohort.public_id, job.public_id])


def csv_file(text, name="people.csv", encoding="utf-8"):
    data = text if isinstance(text, bytes) else text.encode(encoding)
    return SimpleUploadedFile(name, data, content_type="text/csv")


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def upload(client, cohort, text, **kwargs):
    """POST a file; returns (response, token or None)."""
    response = client.post(upload_url(cohort), {"file": csv_file(text, **kwargs)})
    token = None
    if response.status_code == 302 and "?preview=" in response.url:
        token = response.url.split("?preview=")[1]
    return response, token


def confirm(client, cohort, token, **data):
    return client.post(upload_url(cohort), {"token": token, **data})


def nothing_saved(cohort):
    return not cohort.memberships.exists() and not cohort.invitations.exists()


def staff_with(make_user, *codenames):
    user = make_user(f"staff-{'-'.join(codenames)}@example.org", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="courses", codename__in=codenames)
    )
    return user


class TestUploadAccess:
    def test_visitors_are_sent_to_log_in(self, client, cohort):
        response = client.get(upload_url(cohort))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login") + "?next=")
        response = client.post(upload_url(cohort), {"file": csv_file("email\na@example.org\n")})
        assert response.status_code == 302 and nothing_saved(cohort)

    def test_learners_get_a_404(self, client, cohort, learner):
        client.force_login(learner)
        assert client.get(upload_url(cohort)).status_code == 404
        response = client.post(upload_url(cohort), {"file": csv_file("email\na@example.org\n")})
        assert response.status_code == 404

    def test_managers_of_another_organisation_get_a_404(self, client, cohort, make_user):
        other = make_user("other@elsewhere.example")
        factories.make_organisation("Elsewhere", managers=[other])
        client.force_login(other)
        assert client.get(upload_url(cohort)).status_code == 404
        response = client.post(upload_url(cohort), {"file": csv_file("email\na@example.org\n")})
        assert response.status_code == 404 and nothing_saved(cohort)

    def test_an_unknown_cohort_is_a_404(self, manager_client, cohort):
        url = reverse("courses:cohort_upload", args=["00000000-0000-0000-0000-000000000000"])
        assert manager_client.get(url).status_code == 404

    def test_staff_who_can_only_view_are_refused(self, client, cohort, make_user):
        client.force_login(staff_with(make_user, "view_cohort"))
        assert client.get(upload_url(cohort)).status_code == 403

    def test_staff_who_can_change_cohorts_may_upload(self, client, cohort, make_user):
        client.force_login(staff_with(make_user, "view_cohort", "change_cohort"))
        assert client.get(upload_url(cohort)).status_code == 200
        response, token = upload(client, cohort, "email\na@example.org\n")
        assert token and confirm(client, cohort, token).status_code == 302
        assert cohort.invitations.get().invited_by.email.startswith("staff-")

    def test_the_manager_sees_the_form(self, manager_client, cohort):
        response = manager_client.get(upload_url(cohort))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in html
        assert '<label for="id_file">' in html
        assert "<code>email,name</code>" in html
        assert "?download=template" in html

    def test_the_template_downloads(self, manager_client, cohort):
        response = manager_client.get(upload_url(cohort), {"download": "template"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        assert response.content.decode().startswith("email,name\r\n")
        assert parse(response.content).rows[0].is_valid

    def test_uploading_needs_the_csrf_token(self, cohort, manager):
        client = Client(enforce_csrf_checks=True)
        client.force_login(manager)
        response = client.post(upload_url(cohort), {"file": csv_file("email\na@example.org\n")})
        assert response.status_code == 403

    def test_other_methods_are_not_allowed(self, manager_client, cohort):
        assert manager_client.put(upload_url(cohort)).status_code == 405


class TestPreviewAndConfirm:
    def test_the_preview_shows_each_row_and_saves_nothing(self, manager_client, cohort, make_user):
        make_user("has.account@example.org")
        member = make_user("member@example.org")
        cohorts.join(cohort, member)
        text = (
            "Email,Name\r\n"
            "has.account@example.org,Hana Account\r\n"
            "new.person@example.org,Nia New\r\n"
            "MEMBER@example.org,Mem Ber\r\n"
        )
        response, token = upload(manager_client, cohort, text)
        assert token, response.content
        assert cohort.invitations.count() == 0 and cohort.memberships.count() == 1
        preview = manager_client.get(response.url)
        html = preview.content.decode()
        assert preview.status_code == 200
        assert "Will be added now" not in html
        assert html.count("Invitation will be sent") == 3  # the summary and both rows
        assert "Already in the cohort" in html
        assert "Invite 2 people</button>" in html
        assert "has.account@example.org" in html and "Nia New" in html
        assert cohort.invitations.count() == 0 and cohort.memberships.count() == 1

    def test_the_preview_never_tells_who_has_an_account(self, manager_client, cohort, make_user):
        make_user("has.account@example.org")
        _response, token = upload(manager_client, cohort, "email\nhas.account@example.org\n")
        known = manager_client.get(f"{upload_url(cohort)}?preview={token}").content.decode()
        _response, token = upload(manager_client, cohort, "email\nno.account@example.org\n")
        unknown = manager_client.get(f"{upload_url(cohort)}?preview={token}").content.decode()

        def scrub(html):
            html = re.sub(r'name="(csrfmiddlewaretoken|token)" value="[^"]*"', "", html)
            html = re.sub(r"preview=[\w-]+", "", html)
            return html.replace("has.account@", "X@").replace("no.account@", "X@")

        assert scrub(known) == scrub(unknown)

    def test_confirming_adds_and_invites_in_one_go(
        self, manager_client, cohort, make_user, manager, django_capture_on_commit_callbacks
    ):
        account = make_user("has.account@example.org")
        _response, token = upload(
            manager_client,
            cohort,
            "email,name\nhas.account@example.org,Hana\nnew.person@example.org,Nia New\n",
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = confirm(manager_client, cohort, token)
        assert response.status_code == 302
        assert response.url == job_url(cohort)
        assert not CohortMembership.objects.filter(cohort=cohort).exists()
        assert not Enrolment.objects.filter(user=account).exists()
        invitations = CohortInvitation.objects.filter(cohort=cohort).order_by("email")
        assert [(i.email, i.name, i.invited_by) for i in invitations] == [
            ("has.account@example.org", "Hana", manager),
            ("new.person@example.org", "Nia New", manager),
        ]
        assert sorted(m.to[0] for m in mail.outbox) == [
            "has.account@example.org",
            "new.person@example.org",
        ]
        assert "Invitations were sent to 2 people" in manager_client.get(response.url).text
        assert uploads.load(cohort, manager, token) is None  # used up

    def test_a_token_is_used_once(self, manager_client, cohort):
        _response, token = upload(manager_client, cohort, "email\na@example.org\n")
        confirm(manager_client, cohort, token)
        response = confirm(manager_client, cohort, token)
        assert response.status_code == 302 and response.url == upload_url(cohort)
        assert any("expired or was already added" in m for m in messages_of(response))
        assert cohort.invitations.count() == 1

    def test_rows_posted_with_the_confirmation_are_ignored(self, manager_client, cohort):
        _response, token = upload(manager_client, cohort, "email\na@example.org\n")
        confirm(
            manager_client,
            cohort,
            token,
            email="sneaky@example.org",
            rows='[[2, "sneaky@example.org", "", []]]',
        )
        assert list(cohort.invitations.values_list("email", flat=True)) == ["a@example.org"]

    @pytest.mark.parametrize("token", ["", "made-up-token", "x" * 100])
    def test_an_unknown_token_adds_nobody(self, manager_client, cohort, token):
        response = confirm(manager_client, cohort, token)
        assert response.status_code == 302 and response.url == upload_url(cohort)
        assert nothing_saved(cohort)
        response = manager_client.get(upload_url(cohort), {"preview": token})
        assert response.status_code == 302 and nothing_saved(cohort)

    def test_a_token_is_bound_to_its_cohort(self, manager_client, cohort, small_course):
        other = factories.make_cohort(
            small_course, organisation=cohort.organisation, name="Another cohort"
        )
        _response, token = upload(manager_client, cohort, "email\na@example.org\n")
        response = confirm(manager_client, other, token)
        assert any("expired" in m for m in messages_of(response))
        assert nothing_saved(other) and nothing_saved(cohort)
        assert manager_client.get(upload_url(other), {"preview": token}).status_code == 302

    def test_a_token_is_bound_to_its_manager(self, manager_client, cohort, make_user):
        _response, token = upload(manager_client, cohort, "email\na@example.org\n")
        colleague = make_user("colleague@northbridge.example")
        cohort.organisation.managers.add(colleague)
        assert uploads.load(cohort, colleague, token) is None
        colleague_client = Client()
        colleague_client.force_login(colleague)
        assert colleague_client.get(upload_url(cohort), {"preview": token}).status_code == 302
        confirm(colleague_client, cohort, token)  # a token that leaked to a colleague
        assert nothing_saved(cohort)

    def test_rows_with_problems_block_the_upload_until_fixed(self, manager_client, cohort):
        text = (
            "email,name\n"
            "good@example.org,Good\n"
            "not-an-email,Bad\n"
            ",Missing\n"
            "GOOD@example.org,Twice\n"
        )
        _response, token = upload(manager_client, cohort, text)
        preview = manager_client.get(upload_url(cohort), {"preview": token})
        html = preview.content.decode()
        assert "3 rows have problems" in html
        assert 'href="#row-3"' in html and 'id="row-3"' in html
        assert "“not-an-email” is not a valid email address." in html
        assert "The email address is missing." in html
        assert "This email address is also on row 2." in html
        assert 'name="valid_only"' in html
        response = confirm(manager_client, cohort, token)
        assert response.status_code == 302 and "?preview=" in response.url
        assert any("3 rows have problems, so nobody was added" in m for m in messages_of(response))
        assert nothing_saved(cohort)

    def test_the_valid_rows_only_when_the_manager_ticks_the_box(self, manager_client, cohort):
        text = "email,name\ngood@example.org,Good\nnot-an-email,Bad\n"
        _response, token = upload(manager_client, cohort, text)
        response = confirm(manager_client, cohort, token, valid_only="on")
        assert response.url == job_url(cohort)
        assert list(cohort.invitations.values_list("email", flat=True)) == ["good@example.org"]
        assert "1 row with a problem was left out" in manager_client.get(response.url).text

    def test_a_file_of_only_problems_adds_nobody(self, manager_client, cohort):
        _response, token = upload(manager_client, cohort, "email\nbad\n")
        preview = manager_client.get(upload_url(cohort), {"preview": token})
        assert b"There is nobody new to invite" in preview.content
        assert b"</button>" not in preview.content.split(b"<main")[1]
        confirm(manager_client, cohort, token, valid_only="on")
        assert nothing_saved(cohort)

    def test_too_many_for_the_seats_is_refused_and_saves_nobody(
        self, manager_client, cohort, make_user
    ):
        cohort.seat_limit = 2
        cohort.save()
        make_user("a@example.org")
        _response, token = upload(
            manager_client, cohort, "email\na@example.org\nb@example.org\nc@example.org\n"
        )
        preview = manager_client.get(upload_url(cohort), {"preview": token})
        assert b"This cohort has 2 free places and this file needs 3" in preview.content
        assert b'name="token"' not in preview.content  # no confirm button offered
        response = confirm(manager_client, cohort, token)
        assert any("free places" in m and "Nobody was added" in m for m in messages_of(response))
        assert nothing_saved(cohort)
        assert not Enrolment.objects.exists()

    def test_a_closed_cohort_adds_nobody(self, manager_client, cohort):
        _response, token = upload(manager_client, cohort, "email\na@example.org\n")
        cohort.is_active = False
        cohort.save()
        response = confirm(manager_client, cohort, token)
        assert any("closed to new members" in m for m in messages_of(response))
        assert nothing_saved(cohort)

    def test_formula_like_names_are_escaped_on_screen_and_stored_as_typed(
        self, manager_client, cohort
    ):
        text = 'email,name\na@example.org,"=HYPERLINK(""http://x"",""<b>click</b>"")"\n'
        _response, token = upload(manager_client, cohort, text)
        html = manager_client.get(upload_url(cohort), {"preview": token}).content.decode()
        assert "<b>click</b>" not in html
        assert "=HYPERLINK(&quot;http://x&quot;,&quot;&lt;b&gt;click&lt;/b&gt;&quot;)" in html
        confirm(manager_client, cohort, token)
        assert cohort.invitations.get().name == '=HYPERLINK("http://x","<b>click</b>")'

    def test_a_preview_expires_after_an_hour(self, manager_client, cohort):
        _response, token = upload(manager_client, cohort, "email\na@example.org\n")
        store = uploads.storage()
        key = uploads._entry_key(token)
        entry = store.get(key)
        entry["created"] -= uploads.UPLOAD_TTL_SECONDS + 1  # an hour and a second ago
        store.set(key, entry)
        response = manager_client.get(upload_url(cohort), {"preview": token})
        assert response.status_code == 302 and response.url == upload_url(cohort)
        assert any("expired" in m for m in messages_of(response))
        assert uploads.load(cohort, cohort.organisation.managers.get(), token) is None
        confirm(manager_client, cohort, token)
        assert nothing_saved(cohort)

    def test_a_new_upload_replaces_the_previous_preview(self, manager_client, cohort):
        _response, first = upload(manager_client, cohort, "email\na@example.org\n")
        _response, second = upload(manager_client, cohort, "email\nb@example.org\n")
        manager = cohort.organisation.managers.get()
        assert uploads.tokens_kept(manager) == [second]
        assert uploads.load(cohort, manager, first) is None
        confirm(manager_client, cohort, first)
        assert nothing_saved(cohort)


class TestBadFilesThroughTheForm:
    @pytest.mark.parametrize(
        "data,name,words",
        [
            (b"%PDF-1.4\n1 0 obj\n", "people.pdf", "PDF file, not a CSV"),
            (b"PK\x03\x04\x14\x00\x06\x00", "people.xlsx", "Excel (.xlsx)"),
            (b"address,person\na@example.org,A\n", "people.csv", "email,name"),
            (b"", "people.csv", "The submitted file is empty"),
        ],
    )
    def test_a_clear_error_and_nothing_kept(self, manager_client, cohort, data, name, words):
        response, token = upload(manager_client, cohort, data, name=name)
        assert response.status_code == 400
        assert token is None
        html = response.content.decode()
        assert 'class="error-summary"' in html and 'href="#id_file"' in html
        assert words in html
        manager = cohort.organisation.managers.get()
        assert uploads.tokens_kept(manager) == []

    def test_no_file_at_all(self, manager_client, cohort):
        response = manager_client.post(upload_url(cohort), {})
        assert response.status_code == 400
        assert b"This field is required" in response.content

    def test_an_over_large_file(self, manager_client, cohort):
        data = b"email\n" + b"someone@example.org\n" * (csv_import.MAX_BYTES // 20 + 5)
        response, token = upload(manager_client, cohort, data)
        assert response.status_code == 400 and token is None
        assert b"larger than 2 MB" in response.content

    def test_windows_excel_semicolons_and_cp1252(self, manager_client, cohort):
        text = "E-mail;Full name\r\nzoe@example.org;Zoë Brontë\r\n"
        _response, token = upload(manager_client, cohort, text, encoding="cp1252")
        confirm(manager_client, cohort, token)
        assert cohort.invitations.get().name == "Zoë Brontë"


class TestTenThousandPeople:
    def test_previews_and_commits_without_weighing_on_the_session(self, manager_client, cohort):
        count = csv_import.MAX_ROWS
        text = "email,name\r\n" + "".join(
            f"person{i}@example.org,Person {i}\r\n" for i in range(count)
        )
        session_before = dict(manager_client.session.items())
        response, token = upload(manager_client, cohort, text)
        assert token, response.content[:2000]
        preview = manager_client.get(response.url)
        assert preview.status_code == 200
        assert f"Invite {count:,} people".replace(",", "") in preview.content.decode().replace(
            ",", ""
        )
        # The preview waits in temporary storage: the session gains nothing at all.
        session_after = dict(manager_client.session.items())
        assert set(session_after) == set(session_before)
        assert token not in str(session_after.values())
        response = confirm(manager_client, cohort, token)
        assert response.status_code == 302 and response.url == job_url(cohort)
        assert CohortInvitation.objects.filter(cohort=cohort).count() == count
        assert cohorts.seats_taken(cohort) == count


class TestFileStorage:
    """With LANTERN_UPLOAD_STORAGE = "file", previews wait as files on local disk."""

    @pytest.fixture(autouse=True)
    def file_storage(self, settings, tmp_path):
        settings.LANTERN_UPLOAD_STORAGE = "file"
        settings.LANTERN_UPLOAD_DIRECTORY = str(tmp_path)
        return tmp_path

    def test_preview_and_confirm(self, manager_client, cohort, file_storage):
        _response, token = upload(manager_client, cohort, "email,name\na@example.org,Ann\n")
        assert len(list(file_storage.glob("*.json"))) == 2  # the preview and the index
        html = manager_client.get(upload_url(cohort), {"preview": token}).content.decode()
        assert "a@example.org" in html
        confirm(manager_client, cohort, token)
        assert cohort.invitations.get().email == "a@example.org"
        confirm(manager_client, cohort, token)
        assert cohort.invitations.count() == 1

    def test_an_expired_file_is_refused_and_removed(self, manager_client, cohort, file_storage):
        import os

        _response, token = upload(manager_client, cohort, "email\na@example.org\n")
        stale = time.time() - uploads.UPLOAD_TTL_SECONDS - 1
        for path in file_storage.glob("*.json"):
            os.utime(path, (stale, stale))
        response = manager_client.get(upload_url(cohort), {"preview": token})
        assert response.status_code == 302
        confirm(manager_client, cohort, token)
        assert nothing_saved(cohort)
        upload(manager_client, cohort, "email\nb@example.org\n")  # cleans up as it stores
        assert len(list(file_storage.glob("*.json"))) == 2

    @pytest.mark.parametrize("token", ["../../etc/passwd", "x" * 65, "", "short"])
    def test_odd_tokens_find_nothing(self, manager_client, cohort, token):
        response = manager_client.get(upload_url(cohort), {"preview": token})
        assert response.status_code == 302
        assert manager_client.post(upload_url(cohort), {"token": token}).status_code == 302
        assert nothing_saved(cohort)
