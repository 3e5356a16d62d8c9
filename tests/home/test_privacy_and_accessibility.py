"""The privacy notice and the accessibility statement: always there, under the strict policy,
linked from the footer of every page, and saying what learners need to know."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from courses.learning import services as progress
from tests.site.test_security_headers import assert_front_end_policy

pytestmark = pytest.mark.django_db

PAGES = ["privacy", "accessibility"]
FOOTER_LINKS = {
    "privacy": "Privacy notice",
    "accessibility": "Accessibility statement",
    "courses:verify": "Verify a certificate",
    "support": "Helplines and support",
    "quick_exit": "About quick exit and browsing safely",
}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def text(response):
    return " ".join(soup(response).main.get_text().split())


@pytest.mark.parametrize("name", PAGES)
def test_open_to_anonymous_visitors_under_the_strict_policy(client, home_page, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_front_end_policy(response)
    document = soup(response)
    assert len(document.find_all("h1")) == 1
    assert not document.find_all(style=True)
    assert not document.find_all("style")
    assert all(script.get("src") for script in document.find_all("script"))


@pytest.mark.parametrize("name", PAGES)
def test_works_without_a_home_page(client, db, name):
    """Site-level views, not Wagtail pages: there even before any content exists."""
    assert client.get(reverse(name)).status_code == 200


def footer_links(response):
    footer = soup(response).find("footer")
    return {a["href"]: a.get_text(strip=True) for a in footer.find_all("a")}


def test_footer_of_every_page_type_links_to_both_pages_and_verification(client, learner, course):
    course_page, lessons = course
    enrolment, _ = progress.enrol(learner, course_page)
    client.force_login(learner)
    for url in ["/", lessons[0].url, reverse("courses:dashboard"), reverse("privacy")]:
        response = client.get(url)
        assert response.status_code == 200, url
        links = footer_links(response)
        for name, label in FOOTER_LINKS.items():
            assert links.get(reverse(name)) == label, (url, name)


def test_footer_of_the_404_page_links_to_both_pages(client, home_page):
    links = footer_links(client.get("/no-such-page/"))
    assert reverse("privacy") in links and reverse("accessibility") in links


class TestPrivacyNotice:
    def test_states_who_sees_what_and_for_how_long(self, client, home_page):
        page = text(client.get(reverse("privacy")))
        assert "Your organisation's managers see your progress only after you accept" in page
        assert "or join their cohort by its link, and only for that cohort's courses" in page
        assert "never see your reflections, your quiz answers, your time spent" in page
        assert "until you delete your account" in page
        assert "minimal verification record without your name" in page
        assert "activity log keeps its entries after an account is deleted" in page
        assert "no analytics, advertising or tracking" in page
        assert "groups of fewer than 5 people" in page

    def test_links_to_the_learner_controls(self, client, home_page):
        document = soup(client.get(reverse("privacy")))
        hrefs = {a["href"] for a in document.main.find_all("a")}
        assert {reverse("my_data"), reverse("courses:dashboard"), reverse("account")} <= hrefs
        assert reverse("courses:verify") in hrefs

    def test_contact_defaults_to_the_from_address(self, client, home_page, settings):
        from email.utils import parseaddr

        expected = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        assert expected == settings.LANTERN_CONTACT_EMAIL
        document = soup(client.get(reverse("privacy")))
        assert document.main.find("a", href=f"mailto:{expected}")


class TestAccessibilityStatement:
    def test_states_the_target_known_issues_and_date(self, client, home_page):
        page = text(client.get(reverse("accessibility")))
        assert "WCAG) 2.2 at level AA" in page
        assert "axe accessibility checker" in page
        assert "Known issues" in page
        assert "focus indicator" in page
        assert "video provider's own player" in page
        assert "written on 28 November 2026" in page

    def test_contact_address_is_configurable(self, client, home_page, settings):
        settings.LANTERN_CONTACT_EMAIL = "access@example.org"
        document = soup(client.get(reverse("accessibility")))
        link = document.main.find("a", href="mailto:access@example.org")
        assert link.get_text() == "access@example.org"
