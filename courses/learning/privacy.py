"""A learner's own data from the courses app: export it, or erase it with their account.

The host site collects exports from every app listed in ``LANTERN_DATA_EXPORTERS`` and calls
every eraser in ``LANTERN_DATA_ERASERS`` when an account is deleted (docs/privacy.md).
"""

from django.db.models import Sum
from django.db.models.functions import Coalesce

from courses.models import (
    Certificate,
    CohortDeparture,
    CohortInvitation,
    CohortMembership,
    Enrolment,
    LessonProgress,
    Reflection,
)

# About other people (the manager who added someone to a cohort or invited them), the download
# gives a name only: their full name, or this when they have none. Never an email address.
SOMEONE_WITHOUT_NAME = "A manager or member of staff"


def _iso(value):
    return value.isoformat() if value else None


def _name_of(person):
    if person is None:
        return None
    return person.get_full_name().strip() or SOMEONE_WITHOUT_NAME


def _cohorts(user):
    memberships = (
        CohortMembership.objects.filter(user=user)
        .select_related("cohort__organisation", "added_by")
        .order_by("pk")
    )
    return [
        {
            "organisation": m.cohort.organisation.name,
            "cohort": m.cohort.name,
            "joined_at": _iso(m.joined_at),
            "how_joined": m.get_source_display(),
            "source": m.source,
            "added_by": _name_of(m.added_by),
            "due_on": m.cohort.due_on.isoformat() if m.cohort.due_on else None,
            "last_reminded_at": _iso(m.last_reminded_at),
        }
        for m in memberships
    ]


def _departures(user):
    return [
        {
            "organisation": d.cohort.organisation.name,
            "cohort": d.cohort.name,
            "left_at": _iso(d.left_at),
            "how": d.get_kind_display(),
        }
        for d in CohortDeparture.objects.filter(user=user)
        .select_related("cohort__organisation")
        .order_by("pk")
    ]


def _certificates(user):
    return [
        {
            "code": c.display_code,
            "course": c.course_title,
            "jurisdiction": c.jurisdiction_name,
            "language": c.language,
            "name_on_certificate": c.name_on_certificate,
            "issued_at": _iso(c.issued_at),
            "expires_at": _iso(c.expires_at),
            "revoked_at": _iso(c.revoked_at),
            "revoked_reason": c.revoked_reason,
            "status": c.status(),
        }
        for c in Certificate.objects.filter(user=user).order_by("pk")
    ]


def _invitations(user):
    """Invitations addressed to the person's email: waiting for their answer, or declined."""
    invitations = (
        CohortInvitation.objects.filter(email=user.email.strip().lower())
        .select_related("cohort__organisation", "invited_by")
        .order_by("pk")
    )
    return [
        {
            "organisation": i.cohort.organisation.name,
            "cohort": i.cohort.name,
            "email": i.email,
            "name_given_by_manager": i.name,
            "invited_by": _name_of(i.invited_by),
            "invited_at": _iso(i.created_at),
            "email_sent_at": _iso(i.sent_at),
            "declined_at": _iso(i.declined_at),
        }
        for i in invitations
    ]


def _enrolments(user):
    return [
        {
            "id": e.pk,
            "course": e.course.title,
            "cycle": e.cycle,
            "enrolled_at": _iso(e.enrolled_at),
            "unenrolled_at": _iso(e.unenrolled_at),
            "completed_at": _iso(e.completed_at),
            "due_at": _iso(e.due_at),
            "lessons_completed": e.lessons_completed,
            "lessons_total": e.lessons_total,
            "progress_percent": e.progress_percent,
            "time_spent_seconds": e.time_spent_seconds,
        }
        for e in Enrolment.objects.filter(user=user)
        .select_related("course")
        .annotate(time_spent_seconds=Coalesce(Sum("lessons__time_spent_seconds"), 0))
        .order_by("pk")
    ]


def _lesson_progress(user):
    progress = (
        LessonProgress.objects.filter(enrolment__user=user)
        .select_related("lesson", "enrolment")
        .order_by("pk")
    )
    return [
        {
            "enrolment": p.enrolment_id,
            "lesson": p.lesson.title,
            "first_opened_at": _iso(p.first_opened_at),
            "last_opened_at": _iso(p.last_opened_at),
            "completed_at": _iso(p.completed_at),
            "time_spent_seconds": p.time_spent_seconds,
        }
        for p in progress
    ]


def _reflections(user):
    """Each answer with the prompt it answers (read from the lesson's body, once per lesson)."""
    reflections = Reflection.objects.filter(user=user).select_related("lesson").order_by("pk")
    prompts = {}
    for reflection in reflections:
        lesson = reflection.lesson
        if lesson.pk not in prompts:
            prompts[lesson.pk] = {
                child.id: child.value["prompt"]
                for child in lesson.body
                if child.block_type == "reflection"
            }
    return [
        {
            "lesson": r.lesson.title,
            "prompt": prompts.get(r.lesson_id, {}).get(r.block_id, ""),
            "answer": r.text,
            "created_at": _iso(r.created_at),
            "updated_at": _iso(r.updated_at),
        }
        for r in reflections
    ]


# One exporter per kind of record, in the order the download lists them.
EXPORTERS = {
    "cohorts": _cohorts,
    "cohort_invitations": _invitations,
    "cohorts_left": _departures,
    "certificates": _certificates,
    "enrolments": _enrolments,
    "lesson_progress": _lesson_progress,
    "reflections": _reflections,
}


def export_user_data(user):
    """Everything the courses app holds about the learner, as JSON-ready data."""
    return {name: exporter(user) for name, exporter in EXPORTERS.items()}


def erase_user_data(user):
    """Delete the learner's progress and reflections before their account is deleted.
    Certificates stay as minimal verification records: code, course and dates, no name."""
    from courses.cohorts.reports import summary_cache

    certificates = Certificate.objects.filter(user=user)
    summary_cache.forget_courses(certificates.values_list("course_id", flat=True))
    summary_cache.forget_people()
    certificates.update(user=None, enrolment=None, name_on_certificate="")
    Reflection.objects.filter(user=user).delete()
    Enrolment.objects.filter(user=user).delete()  # lesson progress goes with it
    CohortMembership.objects.filter(user=user).delete()
    # An invitation waiting for this address would re-enrol a new account made with it.
    CohortInvitation.objects.filter(email__iexact=user.email).delete()
