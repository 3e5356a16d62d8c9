"""Who may see and manage which cohort. Every manager-area view goes through here: a cohort
outside the person's organisations is a 404, the same as one that does not exist."""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from courses.identity import email_verified
from courses.models import Cohort, Organisation

NAV_CACHE_SECONDS = 300


def nav_cache_key(user_id):
    return f"lantern:can-manage:{user_id}"


def can_manage_any(user):
    """Whether to offer the manager area at all (navigation)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("courses.view_cohort"):
        return True
    return user.managed_organisations.exists() and email_verified(user)


def organisations_for(user):
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.has_perm("courses.view_cohort"):
        return Organisation.objects.all()
    if not email_verified(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(managers=user)


def cohort_for_viewing(request, cohort_id):
    """The cohort if the person manages its organisation or is staff allowed to view
    cohorts; otherwise 404."""
    return get_object_or_404(
        Cohort.objects.visible_to(request.user).select_related("organisation", "jurisdiction"),
        public_id=cohort_id,
    )


def can_manage(user, cohort):
    """Whether the person may add or remove people, remind, or change the invitation link."""
    if user.has_perm("courses.change_cohort"):
        return True
    return email_verified(user) and cohort.organisation.managers.filter(pk=user.pk).exists()


def cohort_for_managing(request, cohort_id):
    """As cohort_for_viewing, but staff also need the change permission to add or remove
    people, send reminders or change the invitation link."""
    cohort = cohort_for_viewing(request, cohort_id)
    if can_manage(request.user, cohort):
        return cohort
    raise PermissionDenied


def nav_can_manage(user):
    """Whether to show the "Manage" link: cached per person for a few minutes, so that the
    pages learners use most pay no query for it."""
    if user is None or not user.is_authenticated:
        return False
    key = nav_cache_key(user.pk)
    value = cache.get(key)
    if value is None:
        value = can_manage_any(user)
        cache.set(key, value, NAV_CACHE_SECONDS)
    return bool(value)


def organisation_for_viewing(request, organisation_id):
    """The organisation if the person manages it or is staff allowed to view cohorts;
    otherwise 404, as for cohorts."""
    return get_object_or_404(organisations_for(request.user), public_id=organisation_id)
