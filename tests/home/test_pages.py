"""Every page shares the safe layout: skip link, then quick exit, support link, landmarks."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from lantern.home.models import HomePage
from tests import factories

pytestmark = pytest.mark.django_db

FOCUSABLE = ["a", "button", "input", "select", "textarea"]


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def first_after_skip_link(document):
    """The first focusable element after the skip link, checking that the skip link comes first."""
    skip_link, following = document.body.find_all(FOCUSABLE, limit=2)
    assert "skip-link" in skip_link.get("class", [])
    assert skip_link["href"] == "#main-content"
    return following


SAFE_LAYOUT_URLS = [
    "/",
    "/support/",
    "/quick-exit/",
    "/privacy/",
    "/accessibility/",
    "/account/login/",
    "/account/signup/",
]


class TestSafeLayout:
    @pytest.mark.parametrize("url", SAFE_LAYOUT_URLS)
    def test_skip_link_then_quick_exit_then_support_link(self, client, home_page, url):
        response = client.get(url)
        assert response.status_code == 200
        document = soup(response)
        exit_link = first_after_skip_link(document)
        assert exit_link.has_attr("data-quick-exit")
        assert exit_link["href"] == "https://www.bbc.co.uk/weather"
        assert "Exit this page" in exit_link.get_text()
        support = document.select_one(".safety-bar a.safety-bar__support")
        assert support["href"] == reverse("support")

    def test_landmarks_and_skip_link(self, client, home_page):
        document = soup(client.get("/"))
        assert document.find("header") and document.find("main", id="main-content")
        assert document.find("footer") and document.find("nav", attrs={"aria-label": "Main"})
        skip = document.find("a", class_="skip-link")
        assert skip["href"] == "#main-content"
        assert document.html["lang"] == "en-GB"
        assert len(document.find_all("h1")) == 1

    def test_quick_exit_target_is_configurable(self, client, home_page, settings):
        settings.LANTERN_QUICK_EXIT_URL = "https://weather.example.org/"
        document = soup(client.get("/"))
        assert first_after_skip_link(document)["href"] == "https://weather.example.org/"

    def test_no_external_assets(self, client, home_page):
        document = soup(client.get("/"))
        for tag in document.find_all(["script", "link", "img"]):
            source = tag.get("src") or tag.get("href") or ""
            assert not source.startswith(("http:", "https:", "//")), source


class TestHomePage:
    def test_shows_the_three_audiences(self, client, db):
        factories.make_home_page(
            audiences=[
                ("audience", {"heading": name, "text": "x", "link_page": None, "link_text": ""})
                for name in ["Police", "Teachers and school staff", "Tech, trust & safety staff"]
            ]
        )
        document = soup(client.get("/"))
        headings = [h.get_text() for h in document.select(".card__title")]
        assert headings == ["Police", "Teachers and school staff", "Tech, trust & safety staff"]

    def test_query_count_is_small(self, client, home_page, django_assert_max_num_queries):
        client.get("/")  # warm caches (site root paths)
        with django_assert_max_num_queries(6):
            assert client.get("/").status_code == 200


class TestHomePageTree(WagtailPageTestCase):
    def test_home_page_lives_under_the_root_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_renders(self):
        home = factories.make_home_page()
        self.assertPageIsRenderable(home)
        form_data = nested_form_data(
            {
                "title": "Home",
                "slug": "lantern-home",
                "intro": rich_text("<p>Welcome</p>"),
                "safety_note": rich_text(""),
                "audiences": streamfield(
                    [
                        (
                            "audience",
                            {
                                "heading": "Police",
                                "text": "Cards",
                                "link_text": "",
                                "link_page": "",
                            },
                        )
                    ]
                ),
            }
        )
        self.assertPageIsPreviewable(home, post_data=form_data)


class TestSupportPage:
    def test_lists_helplines_grouped_with_international_first(self, client, home_page):
        factories.make_helpline("United Kingdom", "Childline", phone="0800 1111")
        factories.make_helpline("International", "Emergency services", phone="112")
        factories.make_helpline("Canada", "Hotline CA", website="https://ca.example.org/", phone="")
        document = soup(client.get(reverse("support")))
        countries = [h.get_text() for h in document.select("main h2")]
        assert countries == ["International", "Canada", "United Kingdom"]
        assert document.find("a", href="tel:08001111").get_text() == "0800 1111"

    def test_shows_when_details_were_last_checked(self, client, home_page):
        import datetime

        factories.make_helpline(last_verified=datetime.date(2026, 10, 1))
        assert b"Details last checked 1 October 2026" in client.get(reverse("support")).content

    def test_empty_list_is_explained(self, client, home_page):
        assert b"No helplines have been added yet" in client.get(reverse("support")).content


class TestQuickExitPage:
    def test_explains_that_history_is_not_cleared(self, client, home_page):
        response = client.get(reverse("quick_exit"))
        assert b"does not clear your browsing history" in response.content
        assert b"Shift" in response.content


class TestErrorPages:
    def test_404_is_friendly_and_keeps_the_safety_bar(self, client, home_page):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        document = soup(response)
        assert "Page not found" in document.h1.get_text()
        assert first_after_skip_link(document).has_attr("data-quick-exit")
        assert document.select_one("a.safety-bar__support")

    @pytest.mark.urls("tests.urls")
    def test_500_leaks_nothing(self, client, home_page):
        client.raise_request_exception = False
        response = client.get("/boom/")
        assert response.status_code == 500
        assert b"Sorry, something went wrong" in response.content
        assert b"secret internal detail" not in response.content
        assert b"Traceback" not in response.content
        assert first_after_skip_link(soup(response)).has_attr("data-quick-exit")
