"""Whether to show the "Admin" link in the header: cached per person, so that learners' pages
pay no permission queries for it. Any change to users' groups or permissions forgets it."""

from django.core.cache import cache

ADMIN_LINK_CACHE_SECONDS = 10 * 60
_VERSION_KEY = "lantern:admin-link:version"
VERSION_KEY = _VERSION_KEY


def flag_key(version, user_id):
    """The cache key of one person's flag under a version of every flag."""
    return f"lantern:admin-link:{version}:{user_id}"


def _cache_key(user_id):
    """The cache key of one person's flag, under the current version of every flag."""
    return flag_key(cache.get_or_set(_VERSION_KEY, 1, None), user_id)


def show_admin_link(user):
    """Staff, and people allowed into the Wagtail admin, see the Admin link."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return user.is_active
    key = _cache_key(user.pk)
    value = cache.get(key)
    if value is None:
        value = user.has_perm("wagtailadmin.access_admin")
        cache.set(key, value, ADMIN_LINK_CACHE_SECONDS)
    return bool(value)


def forget_all(**kwargs):
    """A group's or person's permissions changed: every cached flag is recomputed."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, None)


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
