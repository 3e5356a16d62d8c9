"""Demo content for `manage.py load_demo`: the site, helplines and demo accounts.

Every step is idempotent: it updates what exists and creates what is missing, so the loader
can run on every `make run`.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, Site

from courses.models import Helpline

from .models import HomePage

DEMO_PASSWORD = "lantern-demo"  # noqa: S105 (published on purpose: demo only)
FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    groups: tuple = ()
    is_superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("admin@example.org", "Ada", "Admin", "superuser", is_superuser=True),
    DemoAccount("editor@example.org", "Esi", "Mensah", "NGO editor: authors, cannot publish",
                groups=("Editors",)),
    DemoAccount("reviewer@example.org", "Rafael", "Ortiz", "reviewer: approves and publishes",
                groups=("Moderators",)),
    DemoAccount("manager@example.org", "Mei", "Tanaka", "partner organisation cohort manager"),
    DemoAccount("learner@example.org", "Lena", "Novak", "learner"),
]


def remove_welcome_page():
    """Delete Wagtail's default "Welcome to your new Wagtail site!" page, if present."""
    page_type = ContentType.objects.get_for_model(Page)
    Page.objects.filter(content_type=page_type, depth=2).delete()


def ensure_home_page():
    """The HomePage at depth 2, published, and the default Site pointing at it."""
    data = json.loads((FIXTURES_DIR / "home.json").read_text(encoding="utf-8"))
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(depth=2).first()
    if home is None:
        home = HomePage(title=data["title"], slug="home")
        root.add_child(instance=home)
    home.title = data["title"]
    home.intro = data["intro"]
    home.safety_note = data["safety_note"]
    home.audiences = [("audience", card) for card in data["audiences"]]
    home.save_revision().publish()

    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = "localhost"
    site.port = 80
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.root_page = home
    site.save()
    Site.objects.exclude(pk=site.pk).delete()
    return home


def load_helplines():
    """Helplines from fixtures/helplines.json, matched on (country, name)."""
    rows = json.loads((FIXTURES_DIR / "helplines.json").read_text(encoding="utf-8"))
    for order, row in enumerate(rows):
        verified = row.get("last_verified")
        Helpline.objects.update_or_create(
            country=row["country"],
            name=row["name"],
            defaults={
                "description": row.get("description", ""),
                "phone": row.get("phone", ""),
                "text": row.get("text", ""),
                "website": row.get("website", ""),
                "hours": row.get("hours", ""),
                "last_verified": date.fromisoformat(verified) if verified else None,
                "sort_order": order,
            },
        )
    return len(rows)


def ensure_accounts():
    """The demo accounts, all with the demo password, in their Wagtail groups."""
    User = get_user_model()
    users = {}
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(email=account.email)
        user.first_name = account.first_name
        user.last_name = account.last_name
        user.is_superuser = account.is_superuser
        user.is_staff = account.is_superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=name) for name in account.groups])
        users[account.email] = user
    return users
