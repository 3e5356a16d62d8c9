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
