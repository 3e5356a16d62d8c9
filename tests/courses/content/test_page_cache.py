"""The course tree's cached routes and the cached lesson bodies are never stale and never
show one learner's state to another: each test warms the cache, changes something, and
checks what the next visitor sees."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import PageViewRestriction

from courses.content.importer import import_course
from courses.learning import services as progress
from courses.models import CourseIndexPage, CoursePage, Jurisdiction, LessonPage, Reflection
from tests import factories

pytestmark = pytest.mark.django_db


def warm(client, *urls):
    """Visit each URL twice: the first visit in a process may only learn where courses
    live; the second is then served from the cache."""
    for url in urls:
        for _ in range(2):
            assert client.get(url).status_code == 200


def gone_or_redirected(client, old_url, new_url):
    """The old URL no longer serves the page: a 404, or Wagtail's automatic redirect."""
    response = client.get(old_url)
    assert response.status_code in (301, 404)
    if response.status_code == 301:
        assert response["Location"] == new_url


def reflection_id(lesson):
    return next(child.id for child in lesson.body if child.block_type == "reflection")


@pytest.fixture
def signed_in(client, course, learner):
    course_page, lessons = course
    progress.enrol(learner, course_page)
    client.force_login(learner)
    return course_page, lessons


class TestCachedRoutes:
    def test_a_warm_lesson_costs_fewer_queries_and_shows_the_same_page(
        self, client, signed_in, django_assert_max_num_queries
    ):
        course, lessons = signed_in
        first = client.get(lessons[1].url).content.decode()
        warm(client, lessons[1].url)
        with django_assert_max_num_queries(10):
            again = client.get(lessons[1].url).content.decode()
        assert again.count(f'href="{course.url}"') == first.count(f'href="{course.url}"') >= 1
        strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
        assert strip.sub("", again) == strip.sub("", first)

    def test_unpublishing_the_module_makes_its_lessons_404(self, client, signed_in):
        _course, lessons = signed_in
        warm(client, lessons[0].url, lessons[2].url)
        lessons[0].get_parent().specific.unpublish()
        assert client.get(lessons[0].url).status_code == 404
        assert client.get(lessons[2].url).status_code == 200

    def test_unpublishing_the_lesson_or_the_course_makes_it_404(self, client, signed_in):
        course, lessons = signed_in
        warm(client, lessons[0].url, lessons[1].url, course.url)
        lessons[0].specific.unpublish()
        assert client.get(lessons[0].url).status_code == 404
        assert client.get(lessons[1].url).status_code == 200
        CoursePage.objects.get(pk=course.pk).unpublish()
        assert client.get(lessons[1].url).status_code == 404
        assert client.get(course.url).status_code == 404

    def test_a_page_saved_without_publishing_is_read_afresh(self, client, signed_in):
        _course, lessons = signed_in
        warm(client, lessons[0].url)
        lesson = LessonPage.objects.get(pk=lessons[0].pk)
        lesson.live = False
        lesson.save()
        assert client.get(lessons[0].url).status_code == 404

    def test_a_new_course_slug_moves_its_lessons(self, client, signed_in):
        course, lessons = signed_in
        old_url = lessons[0].url
        warm(client, old_url, course.url)
        page = CoursePage.objects.get(pk=course.pk)
        page.slug = "renamed-course"
        page.save_revision().publish()
        new_url = LessonPage.objects.get(pk=lessons[0].pk).url
        assert "/renamed-course/" in new_url
        gone_or_redirected(client, old_url, new_url)
        gone_or_redirected(client, course.url, CoursePage.objects.get(pk=course.pk).url)
        assert client.get(new_url).status_code == 200

    def test_a_lesson_moved_to_another_module_answers_at_its_new_url(self, client, signed_in):
        _course, lessons = signed_in
        old_url = lessons[0].url
        warm(client, old_url)
        lesson = LessonPage.objects.get(pk=lessons[0].pk)
        lesson.move(lessons[2].get_parent(), pos="last-child")
        new = LessonPage.objects.get(pk=lessons[0].pk)
        gone_or_redirected(client, old_url, new.url)
        html = client.get(new.url).content.decode()
        assert "Module 2" in html  # the breadcrumb names its new module

    def test_a_course_moved_to_another_index(self, client, signed_in, home_page):
        course, lessons = signed_in
        old_url = lessons[0].url
        warm(client, old_url)
        other = factories.add_live_page(home_page, CourseIndexPage(title="More", slug="more"))
        CoursePage.objects.get(pk=course.pk).move(other, pos="last-child")
        new_url = LessonPage.objects.get(pk=lessons[0].pk).url
        assert new_url.startswith("/more/")
        gone_or_redirected(client, old_url, new_url)
        assert client.get(new_url).status_code == 200

    def test_a_view_restriction_added_later_applies(self, client, signed_in, make_user):
        course, lessons = signed_in
        warm(client, lessons[0].url)
        PageViewRestriction.objects.create(
            page=course, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-words"
        )
        html = client.get(lessons[0].url).content.decode()
        assert "password" in html.lower() and "Lesson 1.1" not in html.split("<h1")[-1][:200]
        PageViewRestriction.objects.all().delete()
        restriction = PageViewRestriction.objects.create(
            page=course, restriction_type=PageViewRestriction.GROUPS
        )
        partners = Group.objects.create(name="Partners")
        restriction.groups.add(partners)
        response = client.get(lessons[0].url)
        assert response.status_code == 302  # the learner is not in the group
        learner = CoursePage.objects.get(pk=course.pk).enrolments.get().user
        learner.groups.add(partners)
        assert client.get(lessons[0].url).status_code == 200
        restriction.groups.set([Group.objects.create(name="Staff")])
        assert client.get(lessons[0].url).status_code == 302
        restriction.delete()
        assert client.get(lessons[0].url).status_code == 200

    def test_unusual_paths_still_go_to_wagtail(self, client, signed_in, course_index):
        course, lessons = signed_in
        warm(client, lessons[0].url)
        assert client.get(course_index.url).status_code == 200
        assert client.get(lessons[0].url + "deeper/").status_code == 404
        assert client.get(course.url + "no-such-module/").status_code == 404


class TestMyLearningLinks:
    def test_links_follow_a_renamed_course(self, client, signed_in):
        course, lessons = signed_in
        dashboard = reverse("courses:dashboard")
        warm(client, dashboard)
        assert f'href="{course.url}"' in client.get(dashboard).content.decode()
        page = CoursePage.objects.get(pk=course.pk)
        page.slug = "renamed"
        page.save_revision().publish()
        new_url = CoursePage.objects.get(pk=course.pk).url
        html = client.get(dashboard).content.decode()
        assert f'href="{new_url}"' in html and "/renamed/" in new_url
        assert f'href="{course.url}"' not in html


WHERE = {
    "heading": "Who you must tell",
    "variants": [
        {"jurisdiction": "general", "body": "<p>Tell your safeguarding lead.</p>"},
        {"jurisdiction": "us", "body": "<p>Report to child protective services.</p>"},
        {"jurisdiction": "england-wales", "body": "<p>Tell the designated lead.</p>"},
    ],
}


@pytest.fixture
def duties(course_index):
    """A course offering the US and England and Wales, whose lesson has every per-learner
    block: "Where you work", helplines and a reflection."""
    Jurisdiction.objects.create(code="us", name="United States", countries=["United States"])
    Jurisdiction.objects.create(code="england-wales", name="England and Wales")
    factories.make_helpline(country="United States", name="US hotline")
    import_course(
        course_index,
        {
            "slug": "duties",
            "title": "Duties course",
            "summary": "Who to tell.",
            "jurisdictions": ["us", "england-wales"],
            "modules": [
                {
                    "slug": "m1",
                    "title": "Module one",
                    "lessons": [
                        {
                            "slug": "l1",
                            "title": "Lesson one",
                            "body": [
                                {"type": "paragraph", "value": "<p>Everyone reads this.</p>"},
                                {"type": "where_you_work", "value": WHERE},
                                {"type": "helplines", "value": {"heading": "Support"}},
                                {"type": "reflection", "value": {"prompt": "What first?"}},
                            ],
                        }
                    ],
                }
            ],
        },
    )
    return CoursePage.objects.get(slug="duties"), LessonPage.objects.get(slug="l1")


class TestCachedLessonBodies:
    def test_publishing_a_new_revision_shows_the_new_body(self, client, signed_in):
        _course, lessons = signed_in
        warm(client, lessons[0].url)
        lesson = LessonPage.objects.get(pk=lessons[0].pk)
        body = factories.lesson_body()
        body[1]["value"] = "<p>Revised: listen first, then refer.</p>"
        lesson.body = body
        revision = lesson.save_revision()
        # A draft changes nothing learners see.
        assert "Exploitation often hides" in client.get(lessons[0].url).content.decode()
        revision.publish()
        html = client.get(lessons[0].url).content.decode()
        assert "Revised: listen first, then refer." in html
        assert "Exploitation often hides" not in html

    def test_changing_jurisdiction_shows_the_other_variant(self, client, duties, learner):
        course, lesson = duties
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
        client.force_login(learner)
        warm(client, lesson.url)
        html = client.get(lesson.url).content.decode()
        assert "Report to child protective services." in html
        assert "Services for United States and international services" in html
        client.post(
            reverse("courses:change_jurisdiction", args=[course.pk]),
            {"jurisdiction": "england-wales"},
        )
        html = client.get(lesson.url).content.decode()
        assert "Tell the designated lead." in html
        assert "Report to child protective services." not in html
        assert "Services for United States" not in html
        assert "Guidance for: <strong>England and Wales</strong>" in html

    def test_an_edited_helpline_or_jurisdiction_shows(self, client, duties, learner):
        from courses.models import Helpline

        course, lesson = duties
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
        client.force_login(learner)
        warm(client, lesson.url)
        helpline = Helpline.objects.get(name="US hotline")
        helpline.name = "US trafficking hotline"
        helpline.save()
        jurisdiction = Jurisdiction.objects.get(code="us")
        jurisdiction.name = "USA"
        jurisdiction.save()
        html = client.get(lesson.url).content.decode()
        assert "US trafficking hotline" in html
        assert "Guidance for: <strong>USA</strong>" in html

    def test_an_anonymous_reader_gets_the_general_variant_after_a_learner(
        self, client, duties, learner
    ):
        course, lesson = duties
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
        client.force_login(learner)
        warm(client, lesson.url)
        html = Client().get(lesson.url).content.decode()
        assert "Tell your safeguarding lead." in html
        assert "Report to child protective services." not in html
        assert f"{course.url}#enrol" in html  # not the learner's "#where-you-work" link

    def test_another_learner_never_sees_the_first_ones_state(
        self, client, duties, learner, make_user
    ):
        course, lesson = duties
        progress.enrol(learner, course)
        client.force_login(learner)
        block_id = reflection_id(lesson)
        client.post(
            reverse("courses:save_reflection", args=[lesson.pk, block_id]),
            {"text": "My private worry"},
        )
        warm(client, lesson.url)
        first = client.get(lesson.url).content.decode()
        assert "My private worry" in first
        other = make_user("other@example.org")
        progress.enrol(other, course)
        other_client = Client(enforce_csrf_checks=True)
        other_client.force_login(other)
        html = other_client.get(lesson.url).content.decode()
        assert "My private worry" not in html
        # The other learner's form carries their own CSRF token: saving works.
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        response = other_client.post(
            reverse("courses:save_reflection", args=[lesson.pk, block_id]),
            {"text": "Their own answer", "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
        assert Reflection.objects.get(user=other).text == "Their own answer"
        html = Client().get(lesson.url).content.decode()
        assert "My private worry" not in html and "Log in</a> to write" in html


class CacheRoundTrips:
    """Counts calls to the shared cache (each one a round trip to Redis in production)."""

    METHODS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr")

    def __init__(self, monkeypatch):
        from django.core.cache import caches

        self.calls = []
        self.depth = 0
        backend = caches["default"]
        for name in self.METHODS:
            original = getattr(backend, name)

            def counted(*args, _name=name, _original=original, **kwargs):
                if not self.depth:  # not the backend's own calls (get_many calls get)
                    self.calls.append((_name, args[0] if args else None))
                self.depth += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.depth -= 1

            monkeypatch.setattr(backend, name, counted)


class TestOneRoundTrip:
    """A warm page reads everything it needs from the shared cache at once: its route (or
    site), the page-cache token, the locales, the site root paths and the header's values;
    the outline, lesson bodies and jurisdictions are kept in the process under that token."""

    @pytest.mark.parametrize("which", ["lesson", "course", "dashboard"])
    def test_a_warm_learner_page_makes_one_round_trip(self, client, duties, learner, which):
        course, lesson = duties
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
        client.force_login(learner)
        url = {"lesson": lesson.url, "course": course.url}.get(which, reverse("courses:dashboard"))
        warm(client, url)
        before = client.get(url).content.decode()
        from pytest import MonkeyPatch

        with MonkeyPatch.context() as patch:
            counter = CacheRoundTrips(patch)
            after = client.get(url).content.decode()
        assert [name for name, _key in counter.calls] == ["get_many"], counter.calls
        strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
        assert strip.sub("", after) == strip.sub("", before)
        assert "Lesson one" in after

    def test_a_change_announced_by_another_server_is_read_afresh(self, client, signed_in):
        """Another app server's change reaches this one only as a new token in the shared
        cache (its signals ran there): what this process kept under the old token is not
        used. Here the change is made behind this process's signals, and the token drawn
        as the other server would."""
        import uuid

        from django.core.cache import cache

        from courses.content import page_cache

        course, lessons = signed_in
        warm(client, course.url, lessons[0].url)
        assert "Lesson 1.1" in client.get(course.url).content.decode()
        LessonPage.objects.filter(pk=lessons[0].pk).update(title="Spotting coercion")
        # Without the token nothing says the outline changed: the kept copy is served.
        assert "Spotting coercion" not in client.get(course.url).content.decode()
        cache.delete(progress._outline_cache_key(course.pk, course.url_path))
        cache.set(page_cache.GENERATION_KEY, uuid.uuid4().hex, None)
        html = client.get(course.url).content.decode()
        assert "Spotting coercion" in html and "Lesson 1.1" not in html

    def test_header_values_read_with_the_page_are_each_users_own(
        self, client, course, learner, make_user
    ):
        from django.contrib.auth.models import Group, Permission

        course_page, lessons = course
        editor = make_user("editor@example.org")
        editors = Group.objects.create(name="Round-trip editors")
        editors.permissions.add(Permission.objects.get(codename="access_admin"))
        editor.groups.add(editors)
        for user, admin in ((editor, True), (learner, False), (editor, True)):
            client.force_login(user)
            warm(client, lessons[0].url)
            html = client.get(lessons[0].url).content.decode()
            assert (f'href="{reverse("wagtailadmin_home")}"' in html) is admin
