"""Whether to show the "Admin" link in the header: cached per person, so that learners' pages
pay no permission queries for it. Any change to users' groups or permissions forgets it."""

from lantern.home import versioned

ADMIN_LINK_CACHE_SECONDS = 10 * 60
VERSION_KEY = "lantern:admin-link:version"


def flag_key(user_id):
    """The cache key of one person's flag (stored with the version it was worked out under)."""
    return f"lantern:admin-link:{user_id}"


def show_admin_link(user):
    """Staff, and people allowed into the Wagtail admin, see the Admin link."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return user.is_active
    return bool(
        versioned.get_or_compute(
            VERSION_KEY,
            flag_key(user.pk),
            lambda: user.has_perm("wagtailadmin.access_admin"),
            ADMIN_LINK_CACHE_SECONDS,
        )
    )


def forget_all(**kwargs):
    """A group's or person's permissions changed: every cached flag is recomputed."""
    versioned.bump(VERSION_KEY)


def connect():
    """Forget the flags whenever groups, permissions or accounts change."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = get_user_model()
    for sender in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(forget_all, sender=sender, dispatch_uid=f"admin_link_{sender}")
    for model in (Group, user_model):
        post_save.connect(forget_all, sender=model, dispatch_uid=f"admin_link_save_{model}")
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"admin_link_del_{model}")
