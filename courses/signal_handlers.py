"""Every receiver of the courses app. `CoursesConfig.ready()` connects them; each one hands
the work to a domain service."""

from django.core.cache import cache

from courses import audit
from courses.certificates import services as certificates
from courses.cohorts import access as cohort_access
from courses.cohorts.reports import summary_cache as cohort_summary_cache
from courses.content import page_cache
from courses.learning import quiz_link
from courses.learning import services as learning
from courses.learning.tasks import send_course_completed_email
from courses.xapi import services as xapi


def issue_certificate_on_completion(sender, enrolment, **kwargs):
    """course_completed: the learner gets this cycle's certificate (once)."""
    certificates.issue_certificate(enrolment)


def email_on_completion(sender, enrolment, **kwargs):
    """course_completed: the learner is emailed once, after the certificate is issued."""
    send_course_completed_email.enqueue(enrolment.pk)


def complete_lessons_on_quiz_pass(sender, attempt, user, quiz, passed, **kwargs):
    """quizzes' attempt_submitted: a pass completes the lessons that hold the quiz."""
    if passed:
        quiz_link.complete_lessons_holding(user, quiz)


def forget_can_manage(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed on Organisation.managers: the Manage link appears or goes at once."""
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if reverse:
        user_ids = [instance.pk]
    elif action == "pre_clear":
        user_ids = list(instance.managers.values_list("pk", flat=True))
    else:
        user_ids = list(pk_set or ())
    cache.delete_many([cohort_access.nav_cache_key(pk) for pk in user_ids])


def forget_can_manage_on_email_confirmed(sender, request, email_address, **kwargs):
    """allauth's email_confirmed: a manager role takes effect once the address is verified."""
    cache.delete(cohort_access.nav_cache_key(email_address.user_id))


def record_admin_login(sender, request, user, **kwargs):
    """user_logged_in: a sign-in by someone who can use the Wagtail admin goes in the audit
    log (their own entry, attached to their account)."""
    if user.has_perm("wagtailadmin.access_admin"):
        audit.record(user, audit.ADMIN_LOGIN, user)


def recompute_progress_on_publish(sender, instance, **kwargs):
    """page_published / page_unpublished of a module or lesson: the course's lesson count
    changed, so its learners' stored progress is recomputed (once per transaction)."""
    learning.schedule_progress_recompute(learning.course_id_for_path(instance.path))


def recompute_progress_on_move(sender, instance, parent_page_before, parent_page_after, **kwargs):
    """post_page_move of a module or lesson: recompute the course it left and the course it
    joined (the same course when it was only reordered: the next lesson may change)."""
    before = learning.course_id_for_path(parent_page_before.path)
    after = learning.course_id_for_path(instance.path)
    learning.schedule_progress_recompute(before)
    if after != before:
        learning.schedule_progress_recompute(after)


def remember_course_before_delete(sender, instance, **kwargs):
    """pre_delete of a module or lesson: note its course while the tree still holds it."""
    instance._lantern_course_id = learning.course_id_for_path(instance.path)


def recompute_progress_on_delete(sender, instance, **kwargs):
    """post_delete of a module or lesson: recompute its course once the deletion commits."""
    learning.schedule_progress_recompute(getattr(instance, "_lantern_course_id", None))


def forget_jurisdictions(sender, **kwargs):
    """A jurisdiction, or a course's list of them, changed: learner pages read them afresh."""
    from courses.models import jurisdictions

    jurisdictions.forget()
    page_cache.bump_generation()


def forget_audiences(sender, **kwargs):
    """An audience or its translation changed: listings read the names afresh."""
    from courses.models.pages import forget_audiences as forget

    forget()


def forget_cached_pages(sender, **kwargs):
    """A page, site, view restriction, image, document or helpline changed: cached routes
    and lesson bodies are ignored from now on (`courses.content.page_cache`)."""
    page_cache.bump_generation()


def forget_locales(sender, **kwargs):
    """A Locale changed: pages are mapped across languages afresh, and cached routes and
    lesson bodies are ignored (`courses.content.locales`)."""
    from courses.content import locales

    locales.forget_locales()
    page_cache.bump_generation()


def connect():
    """Connect every receiver (called once, from `CoursesConfig.ready()`)."""
    from django.apps import apps
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Locale, PageViewRestriction, Site, get_page_models
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from courses.models import (
        Audience,
        CoursePage,
        Helpline,
        Jurisdiction,
        LessonPage,
        ModulePage,
        Organisation,
    )
    from courses.signals import (
        certificate_issued,
        certificate_revoked,
        course_completed,
        enrolled,
        lesson_completed,
        lesson_first_opened,
    )
    from quizzes.signals import attempt_started, attempt_submitted

    for signal, receiver in (
        (enrolled, xapi_enrolled),
        (lesson_first_opened, xapi_lesson_first_opened),
        (lesson_completed, xapi_lesson_completed),
        (course_completed, xapi_course_completed),
        (attempt_started, xapi_attempt_started),
        (attempt_submitted, xapi_attempt_submitted),
        (certificate_issued, xapi_certificate_issued),
        (certificate_revoked, xapi_certificate_revoked),
    ):
        signal.connect(receiver, dispatch_uid=f"courses_{receiver.__name__}")
    for signal in (post_save, post_delete):
        signal.connect(
            forget_xapi_stores, sender=Organisation, dispatch_uid=f"courses_xapi_{signal}"
        )

    course_completed.connect(
        issue_certificate_on_completion, dispatch_uid="courses_issue_certificate"
    )
    course_completed.connect(email_on_completion, dispatch_uid="courses_completion_email")
    attempt_submitted.connect(complete_lessons_on_quiz_pass, dispatch_uid="courses_quiz_pass")
    if apps.is_installed("allauth.account"):
        from allauth.account.signals import email_confirmed

        email_confirmed.connect(
            forget_can_manage_on_email_confirmed, dispatch_uid="courses_email_confirmed"
        )
    m2m_changed.connect(
        forget_can_manage,
        sender=Organisation.managers.through,
        dispatch_uid="courses_forget_can_manage",
    )
    for sender in (Jurisdiction, CoursePage):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_jurisdictions,
                sender=sender,
                dispatch_uid=f"courses_jurisdictions_{sender.__name__}_{signal is post_save}",
            )
    for signal in (post_save, post_delete):
        signal.connect(
            forget_audiences,
            sender=Audience,
            dispatch_uid=f"courses_audiences_{signal is post_save}",
        )
    m2m_changed.connect(
        forget_jurisdictions,
        sender=CoursePage.jurisdictions.through,
        dispatch_uid="courses_forget_course_jurisdictions",
    )
    user_logged_in.connect(record_admin_login, dispatch_uid="courses_record_admin_login")
    for name, signal in (
        ("published", page_published),
        ("unpublished", page_unpublished),
        ("moved", post_page_move),
    ):
        signal.connect(forget_cached_pages, dispatch_uid=f"courses_page_cache_{name}")
    m2m_changed.connect(
        forget_cached_pages,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="courses_page_cache_restriction_groups",
    )
    for model in (
        *get_page_models(),
        Site,
        PageViewRestriction,
        get_image_model(),
        get_document_model(),
        Helpline,
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_cached_pages,
                sender=model,
                dispatch_uid=f"courses_page_cache_{model._meta.label}_{signal is post_save}",
            )
    for signal in (post_save, post_delete):
        signal.connect(
            forget_locales, sender=Locale, dispatch_uid=f"courses_locales_{signal is post_save}"
        )
    from django.core.signals import request_started

    from courses.content import locales

    request_started.connect(locales.forget_memo, dispatch_uid="courses_locales_request")
    request_started.connect(page_cache.start_request, dispatch_uid="courses_page_cache_request")
    from django.test.signals import setting_changed

    setting_changed.connect(locales.forget_serve_roots, dispatch_uid="courses_serve_roots")
    cohort_summary_cache.connect()
    for model in (ModulePage, LessonPage):
        name = model.__name__.lower()
        for signal, receiver in (
            (page_published, recompute_progress_on_publish),
            (page_unpublished, recompute_progress_on_publish),
            (post_page_move, recompute_progress_on_move),
            (pre_delete, remember_course_before_delete),
            (post_delete, recompute_progress_on_delete),
        ):
            signal.connect(
                receiver,
                sender=model,
                dispatch_uid=f"courses_progress_{receiver.__name__}_{name}",
            )


def xapi_enrolled(sender, enrolment, **kwargs):
    xapi.enrolled(enrolment)


def xapi_lesson_first_opened(sender, enrolment, lesson, **kwargs):
    xapi.lesson_first_opened(enrolment, lesson)


def xapi_lesson_completed(sender, enrolment, lesson, **kwargs):
    xapi.lesson_completed(enrolment, lesson)


def xapi_course_completed(sender, enrolment, **kwargs):
    xapi.course_completed(enrolment)


def xapi_attempt_started(sender, attempt, user, quiz, **kwargs):
    xapi.attempt_started(attempt, user, quiz)


def xapi_attempt_submitted(sender, attempt, user, quiz, passed, **kwargs):
    xapi.attempt_submitted(attempt, user, quiz, passed)


def xapi_certificate_issued(sender, certificate, **kwargs):
    xapi.certificate_issued(certificate)


def xapi_certificate_revoked(sender, certificate, **kwargs):
    xapi.certificate_revoked(certificate)


def forget_xapi_stores(sender, **kwargs):
    """An organisation's LRS was set, changed or removed."""
    xapi.forget_stores()
