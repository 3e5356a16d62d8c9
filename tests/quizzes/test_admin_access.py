"""Who reaches the quiz admin: every admin URL of the quizzes app, found in the URLconf (so a
new view is covered the day it is added), for each role."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from quizzes.models import Accommodation
from tests import factories

pytestmark = pytest.mark.django_db


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            arguments = list(getattr(pattern.pattern, "converters", {})) or list(
                pattern.pattern.regex.groupindex
            )
            yield name, arguments


def quiz_admin_urls():
    """(name, argument names) of every admin URL that belongs to the quizzes app."""
    found = sorted(
        (name, arguments)
        for name, arguments in _walk(get_resolver().url_patterns)
        if name.startswith(("wagtailsnippets_quizzes_", "wagtailsnippetchoosers_quizzes_"))
        or name.startswith("quizzes_")
    )
    return found


QUIZ_ADMIN_URLS = quiz_admin_urls()


def test_the_url_list_covers_the_quiz_admin():
    names = {name for name, _ in QUIZ_ADMIN_URLS}
    assert {
        "quizzes_analysis",
        "wagtailsnippets_quizzes_quiz:list",
        "wagtailsnippets_quizzes_quiz:add",
        "wagtailsnippets_quizzes_quiz:edit",
        "wagtailsnippets_quizzes_quiz:delete",
        "wagtailsnippets_quizzes_quiz:history",
        "wagtailsnippets_quizzes_quiz:unpublish",
        "wagtailsnippets_quizzes_quiz:workflow_action",
        "wagtailsnippets_quizzes_quiz:workflow_history",
        "wagtailsnippets_quizzes_accommodation:list",
        "wagtailsnippets_quizzes_accommodation:edit",
    } <= names
    admin = reverse("wagtailadmin_home")
    for name, arguments in QUIZ_ADMIN_URLS:
        assert url_for(name, arguments, 1, 1, 1).startswith(admin), name


def url_for(name, arguments, quiz_pk, accommodation_pk, revision_pk):
    values = {
        "pk": accommodation_pk if "accommodation" in name else quiz_pk,
        "quiz_id": quiz_pk,
        "revision_id": revision_pk,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "action_name": "approve",
        "task_state_id": 1,
        "workflow_state_id": 1,
        "task_id": 1,
    }
    missing = set(arguments) - set(values)
    assert not missing, f"{name}: give the test a value for {missing}"
    return reverse(name, kwargs={key: values[key] for key in arguments})


@pytest.fixture
def quiz(db):
    return factories.make_quiz(title="Indicators quiz")


@pytest.fixture
def urls(quiz, learner):
    accommodation = Accommodation.objects.create(user=learner, quiz=quiz, extra_time_percent=50)
    return [
        (name, url_for(name, arguments, quiz.pk, accommodation.pk, quiz.latest_revision_id))
        for name, arguments in QUIZ_ADMIN_URLS
    ]


@pytest.fixture
def manager(make_user):
    """A partner organisation's cohort manager: a manager, not an editor."""
    user = make_user("manager@example.org")
    factories.make_cohort([], organisation=factories.make_organisation(managers=[user]))
    return user


def in_group(make_user, email, group):
    user = make_user(email)
    user.groups.add(Group.objects.get(name=group))
    return user


def refused(response):
    """Sent to the admin login, or denied: never the view itself (a 404 could hide a view
    that never checked who was asking)."""
    if response.status_code == 302:
        logins = (resolve_url(settings.LOGIN_URL), reverse("wagtailadmin_login"))
        return response["Location"].split("?")[0] in logins
    return response.status_code == 403


@pytest.mark.parametrize("role", ["learner", "manager"])
def test_learners_and_managers_reach_no_quiz_admin_url(client, role, request, urls, quiz):
    user = request.getfixturevalue(role)
    client.force_login(user)
    for name, url in urls:
        assert refused(client.get(url)), (role, "GET", name, url)
        assert refused(client.post(url, {"title": "Changed"})), (role, "POST", name, url)
    quiz.refresh_from_db()
    assert quiz.title == "Indicators quiz" and quiz.live
    assert Accommodation.objects.count() == 1


def test_anonymous_visitors_reach_no_quiz_admin_url(client, urls):
    for name, url in urls:
        assert refused(client.get(url)), name


class TestEditorsAndReviewers:
    def test_editors_author_quizzes_and_see_item_analysis(self, client, make_user, urls, quiz):
        editor = in_group(make_user, "editor@example.org", "Editors")
        client.force_login(editor)
        for name in ("list", "add", "edit", "history", "preview_on_edit"):
            url = dict(urls)[f"wagtailsnippets_quizzes_quiz:{name}"]
            assert client.get(url).status_code == 200, name
        analysis = client.get(dict(urls)["quizzes_analysis"])
        assert analysis.status_code == 200
        assert b"Item analysis" in analysis.content
        listing = client.get(dict(urls)["wagtailsnippets_quizzes_quiz:list"]).content.decode()
        assert dict(urls)["quizzes_analysis"] in listing  # in the quiz's "more" menu
        for name in ("delete", "unpublish"):
            url = dict(urls)[f"wagtailsnippets_quizzes_quiz:{name}"]
            assert client.get(url).status_code in (302, 403), name
        assert editor.has_perms(["quizzes.add_question", "quizzes.change_choice"])
        assert not editor.has_perm("quizzes.publish_quiz")

    def test_reviewers_also_publish_and_unpublish(self, client, make_user, urls, quiz):
        reviewer = in_group(make_user, "reviewer@example.org", "Moderators")
        client.force_login(reviewer)
        assert reviewer.has_perms(["quizzes.change_quiz", "quizzes.publish_quiz"])
        assert client.get(dict(urls)["quizzes_analysis"]).status_code == 200
        url = dict(urls)["wagtailsnippets_quizzes_quiz:unpublish"]
        assert client.get(url).status_code == 200
        client.post(url)
        quiz.refresh_from_db()
        assert not quiz.live
