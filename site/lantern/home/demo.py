"""Demo content for `manage.py load_demo`: the site, helplines and demo accounts.

Every step is idempotent: it updates what exists and creates what is missing, so the loader
can run on every `make run`.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowContentType,
    WorkflowPage,
    WorkflowTask,
)

from courses.content import importer
from courses.learning import services as progress
from courses.models import CourseIndexPage, Helpline, Jurisdiction
from quizzes import services as quiz_services
from quizzes.models import Attempt, Quiz
from quizzes.permissions import grant_authoring_permissions

from . import demo_images, demo_translations
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
    DemoAccount(
        "editor@example.org",
        "Esi",
        "Mensah",
        "NGO editor: authors, cannot publish",
        groups=("Editors",),
    ),
    DemoAccount(
        "reviewer@example.org",
        "Rafael",
        "Ortiz",
        "reviewer: approves and publishes",
        groups=("Moderators",),
    ),
    DemoAccount("manager@example.org", "Mei", "Tanaka", "partner organisation cohort manager"),
    DemoAccount("learner@example.org", "Lena", "Novak", "learner"),
]


def remove_welcome_page():
    """Delete Wagtail's default "Welcome to your new Wagtail site!" page, if present."""
    page_type = ContentType.objects.get_for_model(Page)
    Page.objects.filter(content_type=page_type, depth=2).delete()


def ensure_home_page():
    """The HomePage at depth 2 (created if missing) and the default Site pointing at it."""
    home = HomePage.objects.filter(depth=2).first()
    if home is None:
        data = json.loads((FIXTURES_DIR / "home.json").read_text(encoding="utf-8"))
        home = HomePage(title=data["title"], slug="home")
        Page.get_first_root_node().add_child(instance=home)
        home.save_revision().publish()

    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = "localhost"
    site.port = 80
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.root_page = home
    site.save()
    Site.objects.exclude(pk=site.pk).delete()
    return home


def update_home_page(home, courses):
    """Home page content from fixtures/home.json, each audience card linked to its course."""
    data = json.loads((FIXTURES_DIR / "home.json").read_text(encoding="utf-8"))
    by_audience = {}
    for course in courses:
        for audience in course.audiences.all():
            by_audience.setdefault(audience.slug, course)
    cards = []
    for card in data["audiences"]:
        card = dict(card)
        course = by_audience.get(card.pop("audience", ""))
        card["link_page"] = course.pk if course else None
        # Raw stream data with stable ids, so an unchanged page is recognised as such.
        block_id = importer.stable_id("home", card["heading"])
        cards.append({"type": "audience", "value": card, "id": block_id})
    importer.update_page(
        home,
        {
            "title": data["title"],
            "intro": data["intro"],
            "safety_note": data["safety_note"],
            "audiences": cards,
        },
    )


def load_helplines():
    """Helplines from fixtures/helplines.json, matched on (country, name)."""
    rows = json.loads((FIXTURES_DIR / "helplines.json").read_text(encoding="utf-8"))
    locale = Locale.get_default()
    for order, row in enumerate(rows):
        verified = row.get("last_verified")
        Helpline.objects.update_or_create(
            country=row["country"],
            name=row["name"],
            locale=locale,
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


def load_jurisdictions():
    """Jurisdictions from fixtures/jurisdictions.json, matched on their code."""
    rows = json.loads((FIXTURES_DIR / "jurisdictions.json").read_text(encoding="utf-8"))
    locale = Locale.get_default()
    for row in rows:
        Jurisdiction.objects.update_or_create(
            code=row["code"],
            locale=locale,
            defaults={
                "name": row["name"],
                "note": row.get("note", ""),
                "countries": row.get("countries", ""),
                "sort_order": row.get("sort_order", 100),
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
        # Demo addresses are verified: they hold seats and manager rights at once.
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        users[account.email] = user
    return users


# --- Languages -------------------------------------------------------------------------

# Content languages besides the default (en-gb). Each gets a copy of the page tree: an alias
# of each English page until it is translated (wagtail-localize's LocaleSynchronization).
DEMO_LOCALES = ("es", "fr", "ar")


def ensure_locales():
    """The demo's content locales, each synchronised from the default locale."""
    from wagtail_localize.models import LocaleSynchronization

    default = Locale.get_default()
    for code in DEMO_LOCALES:
        locale, _ = Locale.objects.get_or_create(language_code=code)
        LocaleSynchronization.objects.get_or_create(locale=locale, defaults={"sync_from": default})


def synchronize_locale_trees():
    """Give every page an alias in each synchronised locale's tree, unless it already has
    one or a translation there. wagtail-localize does this from the admin's "create page"
    hook or a background job; pages made in code need it run here."""
    from wagtail_localize.models import LocaleSynchronization
    from wagtail_localize.synctree import PageIndex, synchronize_tree

    page_index = PageIndex.from_database().sort_by_tree_position()
    for sync in LocaleSynchronization.objects.select_related("locale", "sync_from"):
        synchronize_tree(sync.sync_from, sync.locale, page_index=page_index)


def load_translations():
    """The locales and their page trees, then the Spanish content: the curriculum files
    with a Spanish twin in fixtures/curriculum/es/, the helplines and the jurisdictions."""
    ensure_locales()
    synchronize_locale_trees()
    saved = demo_translations.load_spanish_curriculum(
        CURRICULUM_DIR, [CORE_MODULE_FILE, *COURSE_FILES], core_filename=CORE_MODULE_FILE
    )
    return saved + demo_translations.load_spanish_support(FIXTURES_DIR)


# --- Courses ---------------------------------------------------------------------------

CURRICULUM_DIR = FIXTURES_DIR / "curriculum"
CORE_MODULE_FILE = "core-module.json"
COURSE_FILES = ["police.json", "schools.json", "tech.json"]
# Each course's illustration (fixtures/images/), in the order of COURSE_FILES.
COURSE_IMAGES = ["police.svg", "schools.svg", "tech.svg"]
# Engagement evidence: police lessons can be marked complete only after half of their
# estimated minutes (set here rather than in the curriculum files).
MINIMUM_LESSON_TIME_PERCENT = {"police.json": 50}
WORKFLOW_NAME = "Subject-matter review"
REVIEWER_GROUP = "Moderators"


def ensure_course_index(home):
    intro = (
        "<p>Each course starts with a shared module on what sex trafficking is, then turns to "
        "what your role needs: what to notice, what to say, and where to refer. Every course "
        "lists its sensitive topics before you begin.</p>"
    )
    return importer.upsert_child(
        home, CourseIndexPage, "courses", {"title": "Courses", "intro": intro}
    )


def load_courses(index):
    """The three demo courses, each opening with the shared core module (after the
    jurisdictions they offer)."""
    load_jurisdictions()
    core = importer.load_json(CURRICULUM_DIR / CORE_MODULE_FILE)
    courses = []
    for position, filename in enumerate(COURSE_FILES):
        data = importer.load_json(CURRICULUM_DIR / filename)
        data["minimum_lesson_time_percent"] = MINIMUM_LESSON_TIME_PERCENT.get(filename, 0)
        artwork = COURSE_IMAGES[position % len(COURSE_IMAGES)]
        image = demo_images.course_image(data["title"], artwork)
        courses.append(importer.import_course(index, data, core_module=core, image=image))
    return courses


def ensure_review_workflow(index):
    """Editors draft and submit; the reviewers (Moderators) approve and publish. The same
    workflow covers the course tree and every quiz."""
    grant_authoring_permissions()
    reviewers = Group.objects.get(name=REVIEWER_GROUP)
    task = GroupApprovalTask.objects.filter(name=WORKFLOW_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=WORKFLOW_NAME)
    task.groups.set([reviewers])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    workflow.active = True
    workflow.save()
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    WorkflowContentType.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(Quiz), defaults={"workflow": workflow}
    )
    return workflow


def ensure_learner_progress(courses):
    """The demo learner is part-way through the police course."""
    learner = get_user_model().objects.get(email="learner@example.org")
    police = next((c for c in courses if c.audiences.filter(slug="police").exists()), courses[0])
    enrolment, _ = progress.enrol(learner, police)
    lessons = progress.course_lessons(police)
    with_quiz = next(lesson for lesson in lessons if lesson.specific.quiz_id)
    quiz = with_quiz.specific.quiz
    if not Attempt.objects.filter(user=learner, quiz=quiz).exists():
        # A failed attempt yesterday, then a pass after the cooldown.
        yesterday = timezone.now() - timedelta(days=1)
        failed = quiz_services.start_attempt(learner, quiz, now=yesterday)
        quiz_services.submit_attempt(failed, _answers(failed, correct=False), now=yesterday)
        passed = quiz_services.start_attempt(learner, quiz)
        quiz_services.submit_attempt(passed, _answers(passed, correct=True))
    for lesson in lessons[:4]:
        progress.complete_lesson(enrolment, lesson)
    return enrolment


def _pass_quizzes(user, enrolment, lessons, now=None):
    """Pass each quiz of these lessons not yet passed in the enrolment's cycle."""
    from quizzes.services import has_passed

    for lesson in lessons:
        quiz = lesson.specific.quiz
        if quiz is not None and not has_passed(user, quiz, since=enrolment.enrolled_at):
            attempt = quiz_services.start_attempt(user, quiz, now=now)
            quiz_services.submit_attempt(attempt, _answers(attempt, correct=True), now=now)


def _answers(attempt, correct):
    answers = {}
    for question in attempt.snapshot:
        ids = [c["id"] for c in question["choices"] if c["correct"] is correct]
        answers[question["id"]] = ids if question["kind"] == "multiple" or not ids else ids[:1]
    return answers


# Demo colleagues: more learners with varied quiz results, so that the item analysis report
# has something to show. Names are invented.
COLLEAGUES = [
    ("Amina", "Okafor"),
    ("Tomás", "Herrera"),
    ("Yuki", "Sato"),
    ("Priya", "Nair"),
    ("Jonas", "Berg"),
    ("Fatima", "Haddad"),
    ("Liam", "Walsh"),
    ("Chloé", "Martin"),
    ("Kwame", "Mensah"),
    ("Sofia", "Rossi"),
    ("Dmitri", "Volkov"),
]


def ensure_colleagues_with_results(courses):
    """Eleven demo learners in the police course with a spread of quiz results."""
    import random

    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    police = next((c for c in courses if c.audiences.filter(slug="police").exists()), courses[0])
    quiz = next(
        lesson.specific.quiz
        for lesson in progress.course_lessons(police)
        if lesson.specific.quiz_id
    )
    password = None
    for n, (first, last) in enumerate(COLLEAGUES, start=1):
        email = f"learner{n:02d}@example.org"
        user = User.objects.filter(email=email).first()
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=email, first_name=first, last_name=last, password=password
            )
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        enrolment, _ = progress.enrol(user, police)
        if Attempt.objects.filter(user=user, quiz=quiz).exists():
            continue
        rng = random.Random(n)  # noqa: S311 (demo data, not secrets)
        ability = 0.35 + 0.6 * n / len(COLLEAGUES)
        attempt = quiz_services.start_attempt(user, quiz, rng=rng)
        answers = {}
        for question in attempt.snapshot:
            right = rng.random() < ability
            ids = [c["id"] for c in question["choices"] if c["correct"] is right]
            answers[question["id"]] = ids if question["kind"] == "multiple" or not ids else ids[:1]
        # Taken two days ago: any cooldown is over by the time the cohort below starts.
        quiz_services.submit_attempt(attempt, answers, now=timezone.now() - timedelta(days=2))
        lessons = progress.course_lessons(police)
        for lesson in lessons[: rng.randint(0, len(lessons) - 1)]:
            progress.complete_lesson(enrolment, lesson)


def ensure_learner_certificates(courses):
    """The demo learner holds a valid certificate (tech) and an expired one (schools)."""
    from courses.certificates.services import issue_certificate
    from courses.models import Enrolment

    learner = get_user_model().objects.get(email="learner@example.org")
    by_audience = {a.slug: c for c in courses for a in c.audiences.all()}
    for slug, months_ago in (("tech", 2), ("education", 30)):
        course = by_audience.get(slug)
        if course is None:
            continue
        enrolment, _ = progress.enrol(learner, course)
        if enrolment.completed_at is None:
            # Enrolled a week before completing, passing each quiz on the way (a completer
            # has passed every quiz of the cycle, as the lessons require).
            completed = timezone.now() - timedelta(days=30 * months_ago)
            started = completed - timedelta(days=7)
            Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=started)
            enrolment.refresh_from_db()
            _pass_quizzes(learner, enrolment, progress.course_lessons(course), now=completed)
            for lesson in progress.course_lessons(course):
                progress.complete_lesson(enrolment, lesson)
            Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=completed)
            enrolment.refresh_from_db()
        issue_certificate(enrolment)


def ensure_partner_cohort(courses):
    """A partner company whose cohort of twelve moderators (the demo learner and eleven
    colleagues) is in mixed states on the tech course, managed by manager@example.org. Each
    member has 30 days from joining, so new joiners are never overdue at once; two colleagues
    joined long enough ago to be overdue, so the manager can see who is and remind them."""
    from courses.cohorts import services as cohorts
    from courses.models import (
        Cohort,
        CohortInvitation,
        CohortMembership,
        MembershipSource,
        Organisation,
    )

    User = get_user_model()
    by_audience = {a.slug: c for c in courses for a in c.audiences.all()}
    course = by_audience.get("tech", courses[0])
    organisation, _ = Organisation.objects.get_or_create(
        name="Northbridge Social (demo company)",
        defaults={
            "kind": "company",
            "contact_name": "Mei Tanaka",
            "contact_email": "manager@example.org",
        },
    )
    organisation.managers.add(User.objects.get(email="manager@example.org"))
    today = timezone.localdate()
    cohort, created = Cohort.objects.get_or_create(
        organisation=organisation,
        name="Trust & Safety moderators, autumn intake",
        defaults={
            "starts_on": today - timedelta(days=40),
            "due_within_days": 30,
            "seat_limit": 20,
        },
    )
    if created:
        cohort.courses.add(course)
    manager = User.objects.get(email="manager@example.org")
    learners = [User.objects.get(email="learner@example.org")] + list(
        User.objects.filter(email__startswith="learner", email__endswith="@example.org")
        .exclude(email="learner@example.org")
        .order_by("email")
    )
    lessons = progress.course_lessons(course)
    for n, user in enumerate(learners):
        # The demo colleagues accepted the manager's invitations.
        _membership, joined = cohorts.join(
            cohort, user, source=MembershipSource.INVITATION, added_by=manager
        )
        if not joined or n == 0:
            continue
        enrolment = progress.current_enrolment(user, course)
        # learner01-03 completed (taking each quiz they had not taken), 04-08 part-way, 09-11 only
        # what their earlier quiz results carried over.
        done = len(lessons) if n <= 3 else (n - 2) * len(lessons) // 8 if n <= 8 else 0
        if n <= 3:
            # Completers pass every quiz in this cycle (a pass of the shared core module's
            # quiz in another course, before joining, does not count for this one).
            _pass_quizzes(user, enrolment, lessons[:done])
        for lesson in lessons[:done]:
            progress.complete_lesson(enrolment, lesson)
    if created:
        # The last two colleagues joined 35 days ago: past their 30 days, and not finished.
        early = timezone.now() - timedelta(days=35)
        CohortMembership.objects.filter(
            cohort=cohort, user__in=[user.pk for user in learners[-2:]]
        ).update(joined_at=early)
        cohorts.apply_due_dates(cohort)
    CohortInvitation.objects.get_or_create(
        cohort=cohort,
        email="new.starter@example.org",
        defaults={"name": "Noor Haddad", "invited_by": manager, "sent_at": timezone.now()},
    )
    return cohort
