"""Browser tests: Playwright drives the system Chromium against pytest-django's live server.

They skip, saying why, when Chromium or Playwright is missing. Playwright's sync API runs an
event loop in the test thread, so Django's async-safety check is relaxed for this package
only, while the browser is open.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("LANTERN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium) "
            "or set LANTERN_CHROMIUM to run the browser tests."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev requirements install it
        pytest.skip("Playwright is not installed: pip install -r requirements-dev.txt")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    # Nothing leaves this machine: the quick-exit target is answered locally.
    context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>"
        ),
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def assert_accessible():
    """Fail on any axe-core violation of the current page, whatever its impact (minor and
    moderate included): WCAG 2.2 AA rules and axe's best practices."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        violations = results.response["violations"]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in violations
        )
        assert not violations, f"Accessibility violations on {page.url}:\n{report}"

    return check


MANAGER_EMAIL = "lead@example.org"


@pytest.fixture
def manager_cohort(page, make_user):
    """Build a one-module course and a cohort "Moderators" of the partner organisation
    "Northbridge Social", managed by MANAGER_EMAIL: `manager_cohort(**cohort_options)`
    returns (cohort, lessons)."""
    from tests import factories
    from tests.e2e.test_site import PASSWORD

    def build(**cohort_options):
        home = factories.make_home_page()
        index = factories.make_course_index(home)
        course, lessons = factories.make_course(index, modules=1, lessons_per_module=2)
        manager = make_user(MANAGER_EMAIL, password=PASSWORD)
        organisation = factories.make_organisation("Northbridge Social", managers=[manager])
        cohort = factories.make_cohort(course, organisation, name="Moderators", **cohort_options)
        return cohort, lessons

    return build


@pytest.fixture
def sign_in_manager(page):
    """Sign the cohort's manager in through the login form and land on the manager area."""
    from tests.e2e.test_site import log_in

    def sign_in(next_url="/manage/"):
        log_in(page, MANAGER_EMAIL, next_url)

    return sign_in
