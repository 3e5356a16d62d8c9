import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_search_index(settings):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": True}
    }


class TestSearchView:
    def test_finds_lessons_by_their_body_text(self, client, course_index):
        _, lessons = factories.make_course(course_index, modules=1, lessons_per_module=2)
        lessons[1].body = factories.lesson_body(
            extra=[{"type": "paragraph", "value": "<p>The non-punishment principle.</p>"}]
        )
        lessons[1].save_revision().publish()
        response = client.get(reverse("courses:search"), {"q": "non-punishment"})
        assert response.status_code == 200
        assert lessons[1].title.encode() in response.content
        assert lessons[0].title.encode() not in response.content

    def test_unpublished_lessons_are_not_found(self, client, course_index):
        _, lessons = factories.make_course(course_index, modules=1, lessons_per_module=1)
        lessons[0].unpublish()
        response = client.get(reverse("courses:search"), {"q": "Lesson"})
        assert lessons[0].title.encode() not in response.content

    def test_empty_and_oversized_queries_are_harmless(self, client, course_index):
        assert client.get(reverse("courses:search")).status_code == 200
        assert client.get(reverse("courses:search"), {"q": "x" * 5000}).status_code == 200
        assert client.get(reverse("courses:search"), {"q": "a", "page": "zz"}).status_code == 200

    def test_no_results_message(self, client, course_index):
        response = client.get(reverse("courses:search"), {"q": "zzzqqq"})
        assert b"No lessons match" in response.content


class TestQueriesTheSearchCannotRead:
    """Input the database backend's query parser chokes on is a 400 with an explanation, and
    odd but readable input is searched: never a server error."""

    @pytest.fixture(autouse=True)
    def strict(self, client, course_index):
        factories.make_course(course_index, modules=1, lessons_per_module=1)
        client.raise_request_exception = True  # an exception fails the test, not a 500 page

    @pytest.mark.parametrize("q", ['"', 'lesson "', '"lesson', 'a "b" "c', '"""'])
    def test_an_unbalanced_quote_is_a_400_that_says_why(self, client, q):
        response = client.get(reverse("courses:search"), {"q": q})
        assert response.status_code == 400
        assert b"Your search could not be understood" in response.content
        assert b'name="q"' in response.content  # the form is there to try again

    @pytest.mark.parametrize(
        "q",
        [
            "*",
            "(",
            ")",
            "AND",
            "OR",
            "NOT",
            "a AND",
            "NOT a",
            '"a" OR (',
            "-",
            "+",
            "^",
            ":",
            "a:b",
            "{",
            "\\",
            "'",
            '""',
            '"Lesson"',
            "x" * 5000,
            ('"' + "x" * 300),
            "a\x00b",
            "\x00",
            '\x00"',
            "Lesson\r\n1.1",
            "<script>alert(1)</script>",
        ],
    )
    def test_nasty_input_never_breaks_the_search(self, client, q):
        response = client.get(reverse("courses:search"), {"q": q, "page": "999999999999999999999"})
        assert response.status_code in (200, 400)
        assert b"<script>alert(1)</script>" not in response.content
        if response.status_code == 400:
            assert b"Your search could not be understood" in response.content

    def test_a_nul_byte_is_dropped_and_the_rest_searched(self, client):
        response = client.get(reverse("courses:search"), {"q": "Less\x00on"})
        assert response.status_code == 200
        assert b"Lesson 1.1" in response.content

    def test_a_database_error_from_the_backend_is_a_400(self, client, monkeypatch):
        from django.db import OperationalError

        from courses.models import LessonPage

        def broken(*args, **kwargs):
            raise OperationalError("fts5: syntax error near something new")

        monkeypatch.setattr(type(LessonPage.objects.live()), "search", broken)
        response = client.get(reverse("courses:search"), {"q": "lesson"})
        assert response.status_code == 400
        assert b"Your search could not be understood" in response.content


class TestSearchInSpanish:
    def test_each_language_finds_the_pages_of_its_own_tree(self, client, spanish, course):
        from wagtail_localize.models import LocaleSynchronization

        course_page, lessons = course
        LocaleSynchronization.objects.create(locale=spanish, sync_from=factories.default_locale())
        english_url = lessons[0].url
        spanish_url = lessons[0].get_translation(spanish).url
        html = client.get("/es/search/", {"q": "Lesson 1.1"}).content.decode()
        assert f'href="{spanish_url}"' in html
        assert f'href="{english_url}"' not in html
        html = client.get("/search/", {"q": "Lesson 1.1"}).content.decode()
        assert html.count(f'href="{english_url}"') == 1
        assert f'href="{spanish_url}"' not in html
