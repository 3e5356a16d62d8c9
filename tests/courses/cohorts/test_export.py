"""The cohort CSV export: same rows as the table, streamed, safe to open in a spreadsheet."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from courses.cohorts import services as cohorts
from courses.cohorts.reports import export
from courses.learning import services as progress
from courses.models import Enrolment
from tests import factories
from tests.factories import JIT_OFF

DANGEROUS = [
    ('=HYPERLINK("http://evil.example","Click")', "Smith"),
    ("+1", "Plus"),
    ("-2", "Minus"),
    ("@SUM(A1:A9)", "At"),
]


@pytest.fixture
def cohort(course_cohort):
    """In these tests the cohort takes the two-module course (see tests/courses/conftest.py)."""
    return course_cohort


def export_url(cohort, **params):
    from urllib.parse import urlencode

    url = reverse("courses:cohort_export", args=[cohort.public_id])
    return url + ("?" + urlencode(params) if params else "")


def read(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def members(cohort, make_user, count, prefix="member"):
    users = [
        make_user(f"{prefix}{n:03d}@example.org", first_name=f"Person{n:03d}", last_name="Test")
        for n in range(count)
    ]
    for user in users:
        cohorts.join(cohort, user)
    return users


class TestExport:
    def test_rows_columns_and_headers(self, client, manager, cohort, course, make_user):
        ada = make_user("ada@example.org", first_name="Ada", last_name="Achebe")
        ben = make_user("ben@example.org", first_name="Ben", last_name="Novak")
        for user in (ada, ben):
            cohorts.join(cohort, user)
        progress.complete_lesson(Enrolment.objects.get(user=ben), course[1][0])
        cohorts.add_people(cohort, [("invited@example.org", "Ines Invited")])
        client.force_login(manager)
        response = client.get(export_url(cohort))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        today = timezone.localdate().isoformat()
        assert response["Content-Disposition"] == (
            f'attachment; filename="spring-intake-leeds-{today}.csv"'
        )
        assert "no-store" in response["Cache-Control"]
        rows = read(response)
        header = rows[0]
        assert header[:4] == ["Name", "Email", "Course", "Status"]
        by_email = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
        assert set(by_email) == {"ada@example.org", "ben@example.org", "invited@example.org"}
        assert by_email["ada@example.org"]["Status"] == "Not started"
        assert by_email["ben@example.org"]["Status"] == "In progress"
        assert by_email["ben@example.org"]["Progress (%)"] == "25"
        assert by_email["ben@example.org"]["Lessons completed"] == "1"
        assert by_email["ben@example.org"]["Course"] == "Test course"
        assert by_email["ben@example.org"]["Due"].startswith("2030-06-30")
        assert by_email["invited@example.org"]["Status"] == "Invited"
        assert by_email["invited@example.org"]["Name"] == "Ines Invited"

    def test_formulas_are_neutralised(self, client, manager, cohort, make_user):
        for n, (first, last) in enumerate(DANGEROUS):
            cohorts.join(cohort, make_user(f"d{n}@example.org", first_name=first, last_name=last))
        cohorts.add_people(
            cohort,
            [
                ("x@example.org", "=cmd|' /C calc'!A0"),
                ("tab@example.org", "\t=1+1"),
                ("cr@example.org", "\r=1+1"),
            ],
        )
        client.force_login(manager)
        rows = read(client.get(export_url(cohort)))
        names = {row[0] for row in rows[1:]}
        assert names == {
            '\'=HYPERLINK("http://evil.example","Click") Smith',
            "'+1 Plus",
            "'-2 Minus",
            "'@SUM(A1:A9) At",
            "'\t=1+1",
            "'\r=1+1",
            "'=cmd|' /C calc'!A0",
        }
        for row in rows:
            for cell in row:
                assert not cell or cell[0] not in "=+-@\t\r"

    def test_neutralise(self):
        assert export.neutralise("=1+1") == "'=1+1"
        assert export.neutralise("plain") == "plain"
        assert export.neutralise(None) == ""
        assert export.neutralise(25) == "25"
        assert export.neutralise("") == ""

    def test_filters_are_honoured(self, client, manager, cohort, course, make_user):
        users = members(cohort, make_user, 3)
        enrolment = Enrolment.objects.get(user=users[1])
        for lesson in course[1]:
            progress.complete_lesson(enrolment, lesson)
        cohorts.add_people(cohort, [("pending@example.org", "")])
        client.force_login(manager)
        rows = read(client.get(export_url(cohort, status="completed")))
        assert [row[1] for row in rows[1:]] == ["member001@example.org"]
        rows = read(client.get(export_url(cohort, q="member002")))
        assert [row[1] for row in rows[1:]] == ["member002@example.org"]
        rows = read(client.get(export_url(cohort, status="invited")))
        assert [row[1] for row in rows[1:]] == ["pending@example.org"]
        rows = read(client.get(export_url(cohort, sort="-email", status="bogus", page="x")))
        assert [row[1] for row in rows[1:4]] == [
            "member002@example.org",
            "member001@example.org",
            "member000@example.org",
        ]

    def test_all_rows_not_one_page(self, client, manager, cohort, make_user):
        members(cohort, make_user, 60)
        client.force_login(manager)
        rows = read(client.get(export_url(cohort, page=1)))
        assert len(rows) == 61

    def test_the_course_is_in_the_filename_when_there_are_several(
        self, client, manager, cohort, course_index
    ):
        second, _ = factories.make_course(course_index, slug="second", title="Safeguarding 101")
        cohort.courses.add(second)
        client.force_login(manager)
        response = client.get(export_url(cohort, course=second.pk))
        assert "spring-intake-leeds-safeguarding-101-" in response["Content-Disposition"]

    @pytest.mark.parametrize("count", [5, 60])
    def test_constant_queries(
        self, client, manager, cohort, make_user, count, django_assert_max_num_queries
    ):
        members(cohort, make_user, count)
        cohorts.add_people(cohort, [("pending@example.org", "")])
        client.force_login(manager)
        client.get(export_url(cohort))
        # 11 (the sorted ids, then two queries per chunk of rows: the members, then their
        # enrolments), plus one (a manager role counts only once the address is verified),
        # plus three for the audit-log entry (Wagtail validates its content type and user,
        # then inserts); JIT is switched off for the ids and for each chunk.
        with django_assert_max_num_queries(11 + 1 + 3 + 2 * JIT_OFF):
            rows = read(client.get(export_url(cohort)))
        assert len(rows) == count + 2

    def test_streams_in_pieces(self, client, manager, cohort, make_user, monkeypatch):
        monkeypatch.setattr(export, "EXPORT_CHUNK_SIZE", 10)
        members(cohort, make_user, 25)
        client.force_login(manager)
        response = client.get(export_url(cohort))
        chunks = list(response.streaming_content)
        assert len(chunks) >= 4  # header, 10, 10, the rest

    @pytest.mark.parametrize("sort", ["name", "-name", "email", "-progress", "status"])
    def test_read_in_chunks_the_file_is_the_same(
        self, client, manager, cohort, course, make_user, monkeypatch, sort
    ):
        users = members(cohort, make_user, 13)
        for user in users[::3]:
            progress.complete_lesson(Enrolment.objects.get(user=user), course[1][0])
        cohorts.add_people(cohort, [(f"pending{n}@example.org", f"P{n}") for n in range(7)])
        client.force_login(manager)
        whole = read(client.get(export_url(cohort, sort=sort)))
        monkeypatch.setattr(export, "EXPORT_CHUNK_SIZE", 3)
        response = client.get(export_url(cohort, sort=sort))
        assert len(list(response.streaming_content)) == 1 + 5 + 3  # header, members, invited
        assert read(client.get(export_url(cohort, sort=sort))) == whole
        assert len(whole) == 1 + 13 + 7


@pytest.mark.django_db(transaction=True)
class TestExportHoldsNoTransaction:
    """A slow download must not keep a PostgreSQL connection "idle in transaction" (that
    holds back vacuum and, with a pooler, a server connection) while the client reads."""

    def test_between_chunks_the_connection_is_idle(self, client, monkeypatch, make_user):
        from django.db import connection, connections

        if connection.vendor != "postgresql":
            pytest.skip("pg_stat_activity is PostgreSQL's; SQLite has no server connection")
        index = factories.make_course_index()
        course_page, _lessons = factories.make_course(index, modules=1, lessons_per_module=1)
        manager = make_user("manager@example.org")
        organisation = factories.make_organisation("Northbridge", managers=[manager])
        cohort = factories.make_cohort(course_page, organisation=organisation)
        members(cohort, make_user, 12)
        monkeypatch.setattr(export, "EXPORT_CHUNK_SIZE", 5)
        client.force_login(manager)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        response = client.get(export_url(cohort))
        content = iter(response.streaming_content)
        first = next(content) + next(content)  # the header, then the first rows
        assert b"member000@example.org" in first
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [pid])
                (state,) = cursor.fetchone()
        finally:
            other.close()
        rest = b"".join(content)
        response.close()
        assert state == "idle"  # not "idle in transaction"
        assert (first + rest).decode("utf-8-sig").count("@example.org") == 12


class TestExportAccess:
    def test_anonymous(self, client, cohort):
        response = client.get(export_url(cohort))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]

    def test_learner_and_other_manager_get_404(self, client, learner, make_user, cohort):
        client.force_login(learner)
        assert client.get(export_url(cohort)).status_code == 404
        other = make_user("other@example.org")
        factories.make_organisation(name="Elsewhere", managers=[other])
        client.force_login(other)
        assert client.get(export_url(cohort)).status_code == 404

    def test_staff_with_the_view_permission(self, client, make_user, cohort):
        staff = make_user("staff@example.org", is_staff=True)
        staff.user_permissions.add(
            Permission.objects.get(content_type__app_label="courses", codename="view_cohort")
        )
        client.force_login(staff)
        response = client.get(export_url(cohort))
        assert response.status_code == 200
        assert len(read(response)) == 1
