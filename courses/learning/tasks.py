"""Background work for learning (django-tasks): keep stored progress true when a course's
content changes, and the course-completion email. Tasks take ids, not objects, and re-read
the database."""

import logging

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from courses import conf
from courses.delivery import services as delivery
from courses.identity import learner_language

logger = logging.getLogger(__name__)

# Enrolments updated per batch: each batch costs three queries (lock and read the
# enrolments, read their completed lessons, one bulk UPDATE).
BATCH_SIZE = 1000


def _recompute_batch(course_id, lessons, enrolment_ids):
    """Recompute one batch of open enrolments; returns how many rows changed."""
    from courses.models import Enrolment, LessonProgress

    lesson_ids = [lesson.id for lesson in lessons]
    total = len(lessons)
    with transaction.atomic():
        # Lock the rows (PostgreSQL) so that a learner completing a lesson at this moment
        # waits for us, or we for them: neither overwrites the other's counts.
        enrolments = list(
            Enrolment.objects.select_for_update(of=("self",))
            .filter(pk__in=enrolment_ids, course_id=course_id, completed_at__isnull=True)
            .only("id", "lessons_completed", "lessons_total", "progress_percent", "next_lesson")
        )
        completed = {e.pk: set() for e in enrolments}
        for enrolment_id, lesson_id in LessonProgress.objects.filter(
            enrolment_id__in=list(completed),
            completed_at__isnull=False,
            lesson_id__in=lesson_ids,
        ).values_list("enrolment_id", "lesson_id"):
            completed[enrolment_id].add(lesson_id)
        changed = []
        for enrolment in enrolments:
            done_ids = completed[enrolment.pk]
            done = len(done_ids)
            next_lesson = next((pk for pk in lesson_ids if pk not in done_ids), None)
            values = {
                "lessons_completed": done,
                "lessons_total": total,
                "progress_percent": (100 * done) // total if total else 0,
                "next_lesson_id": next_lesson,
            }
            if any(getattr(enrolment, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(enrolment, name, value)
                changed.append(enrolment)
        if changed:
            Enrolment.objects.bulk_update(
                changed,
                ["lessons_completed", "lessons_total", "progress_percent", "next_lesson"],
                batch_size=BATCH_SIZE,
            )
    return len(changed)


@task()
def recompute_course_progress(course_id):
    """Store fresh lesson counts, percentage and next lesson on every open enrolment of the
    course, after its lessons changed; returns how many enrolments changed.

    Open enrolments are those not completed, left or not (leaving keeps progress, so a
    learner who comes back sees true counts). Completed enrolments keep their completion,
    their certificate and their figures. A recompute never completes a course: a learner
    whose last unfinished lesson was removed sees 100% and finishes through the normal
    flow. Last activity is not touched: nobody studied."""
    from courses.learning.services import live_lessons
    from courses.models import CoursePage, Enrolment

    course = CoursePage.objects.filter(pk=course_id).only("id", "path", "depth").first()
    if course is None:
        return 0
    lessons = list(live_lessons(course).only("id", "path"))
    open_ids = Enrolment.objects.filter(course_id=course_id, completed_at__isnull=True).order_by(
        "pk"
    )
    changed, after = 0, 0
    while True:
        batch = list(open_ids.filter(pk__gt=after).values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            if changed:
                from courses.signals import progress_recomputed

                progress_recomputed.send(sender=CoursePage, course_id=course_id)
            return changed
        changed += _recompute_batch(course_id, lessons, batch)
        after = batch[-1]


@task()
def send_course_completed_email(enrolment_id):
    """Email the learner once that they completed a cycle of a course; True if sent now."""
    from courses.models import Certificate, Enrolment

    enrolment = (
        Enrolment.objects.filter(
            pk=enrolment_id, completed_at__isnull=False, completion_emailed_at__isnull=True
        )
        .select_related("course", "user")
        .first()
    )
    if enrolment is None or not enrolment.user.is_active or not enrolment.user.email:
        return False
    certificate = Certificate.objects.filter(enrolment=enrolment, revoked_at__isnull=True).first()
    # In the learner's own language (subject, text and the links' language prefix): the
    # certificate's, when it was issued, so that the email and the certificate agree.
    language = certificate.language if certificate else learner_language(enrolment.user)
    with translation.override(language):
        subject, message = _completion_email(enrolment, certificate)
    # Queued once per enrolment (a cycle); marked emailed only once it has gone, and
    # retried later by the outbox when the mail server is down.
    key = f"completed:{enrolment.pk}"
    delivery.queue(
        key,
        enrolment.user.email,
        subject,
        message,
        mark=enrolment,
        mark_field="completion_emailed_at",
    )
    return delivery.deliver_due(keys=[key]) == 1


def _completion_email(enrolment, certificate):
    """The course-completed email's (subject, body), in the active language."""
    context = {
        "enrolment": enrolment,
        # The certificate's snapshot is in its language (the course's translation's title).
        "course_title": certificate.course_title if certificate else enrolment.course.title,
        "certificate": certificate,
        "certificate_url": conf.absolute_url(
            reverse("courses:certificate", args=[certificate.code])
        )
        if certificate
        else "",
        "completion_url": conf.absolute_url(
            reverse("courses:course_complete", args=[enrolment.course_id])
        ),
        "site_name": conf.site_name(),
    }
    subject = render_to_string("courses/email/course_completed_subject.txt", context)
    message = render_to_string("courses/email/course_completed.txt", context)
    return subject, message
