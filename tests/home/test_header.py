"""The header's Courses and Admin links: cached, and up to date on the next page."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav_links(client, url):
    document = BeautifulSoup(client.get(url).content, "html.parser")
    return {a.get_text(strip=True): a["href"] for a in document.select("header a[href]")}


def test_admin_link_follows_group_changes_at_once(client, learner, course):
    course_page, _lessons = course
    client.force_login(learner)
    assert "Admin" not in nav_links(client, course_page.url)
    assert "Admin" not in nav_links(client, course_page.url)  # now from the cache
    editors = Group.objects.create(name="Header test editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    learner.groups.add(editors)
    assert nav_links(client, course_page.url)["Admin"] == reverse("wagtailadmin_home")
    learner.groups.remove(editors)
    assert "Admin" not in nav_links(client, course_page.url)


def test_courses_link_follows_publishing(client, learner, course, course_index):
    course_page, _lessons = course
    client.force_login(learner)
    assert nav_links(client, course_page.url)["Courses"] == course_index.url
    assert nav_links(client, reverse("courses:dashboard"))["Courses"] == course_index.url
    course_index.unpublish()
    assert "Courses" not in nav_links(client, reverse("courses:dashboard"))


def test_a_lost_version_token_never_brings_back_an_old_link(client, learner, course_index):
    """The cache may evict a version token (Redis under memory pressure): the token made
    afresh must not match links stored under the old one."""
    from django.core.cache import cache

    from courses.models import CourseIndexPage
    from lantern.home.context_processors import COURSES_URL_VERSION_KEY

    client.force_login(learner)
    dashboard = reverse("courses:dashboard")
    cache.delete(COURSES_URL_VERSION_KEY)  # the first token is made by the next page
    assert nav_links(client, dashboard)["Courses"] == course_index.url
    # Unpublished behind the signals' back (a bulk update), and the token evicted.
    CourseIndexPage.objects.filter(pk=course_index.pk).update(live=False)
    cache.delete(COURSES_URL_VERSION_KEY)
    assert "Courses" not in nav_links(client, dashboard)
