"""Test data builders. Each builds through the real models and the real page tree."""

from django.conf import settings
from wagtail.models import Locale, Page, Site

from courses.models import Helpline
from lantern.home.models import HomePage


def root_page():
    """Wagtail's root page. Transactional tests flush the one migrations made: remake it."""
    root = Page.get_first_root_node()
    if root is None:
        locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return root


def make_home_page(title="Lantern test home", **fields):
    """A published HomePage at depth 2 that the default Site serves."""
    root = root_page()
    home = HomePage(title=title, slug="lantern-home", **fields)
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Lantern"},
    )
    return home


def make_helpline(country="United Kingdom", name="Test helpline", **fields):
    fields.setdefault("phone", "0800 000 000")
    return Helpline.objects.create(country=country, name=name, **fields)
