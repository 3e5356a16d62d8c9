"""`manage.py load_demo` builds the demo site and can run again safely."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from courses.models import Helpline
from lantern.home.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lantern.home.models import HomePage

User = get_user_model()
pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


class TestLoadDemo:
    def test_replaces_the_welcome_page_with_the_lantern_home(self, client):
        assert Page.objects.filter(depth=2, content_type__model="page").exists()
        load()
        assert not Page.objects.filter(depth=2, content_type__model="page").exists()
        home = HomePage.objects.get()
        assert home.live
        site = Site.objects.get()
        assert site.root_page.specific == home and site.is_default_site
        response = client.get("/")
        assert response.status_code == 200
        assert b"Police and law enforcement" in response.content

    def test_is_idempotent(self):
        load()
        counts = (User.objects.count(), Page.objects.count(), Helpline.objects.count())
        load()
        assert (User.objects.count(), Page.objects.count(), Helpline.objects.count()) == counts
        assert Site.objects.count() == 1

    def test_demo_accounts_log_in_with_the_demo_password(self, client):
        load()
        for account in DEMO_ACCOUNTS:
            assert client.login(username=account.email, password=DEMO_PASSWORD), account.email

    def test_editor_can_author_but_not_publish_and_reviewer_can_publish(self):
        load()
        home = HomePage.objects.get()
        editor = User.objects.get(email="editor@example.org")
        reviewer = User.objects.get(email="reviewer@example.org")
        learner = User.objects.get(email="learner@example.org")
        assert editor.has_perm("wagtailadmin.access_admin")
        assert home.permissions_for_user(editor).can_edit()
        assert not home.permissions_for_user(editor).can_publish()
        assert home.permissions_for_user(reviewer).can_publish()
        assert not learner.has_perm("wagtailadmin.access_admin")

    def test_loads_helplines(self, client):
        load()
        assert Helpline.objects.filter(country="International").exists()
        assert b"Modern Slavery" in client.get("/support/").content

    def test_prints_the_demo_accounts(self, capsys):
        call_command("load_demo")
        output = capsys.readouterr().out
        for account in DEMO_ACCOUNTS:
            assert account.email in output
        assert DEMO_PASSWORD in output

    def test_refused_with_production_settings_unless_forced(self, settings):
        settings.LANTERN_ENVIRONMENT = "production"
        with pytest.raises(CommandError, match="production"):
            load()
        assert not User.objects.exists()
        call_command("load_demo", "--force", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert User.objects.filter(email="admin@example.org").exists()
