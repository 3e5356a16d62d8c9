"""Test data builders. Each builds through the real models and the real page tree."""

from django.conf import settings
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from courses.models import Helpline
from lantern.home.models import HomePage


def add_live_page(parent, page):
    """Add a published page under `parent`, as the site serves it. Built without a revision:
    publishing through a revision costs three times the queries and no test that uses these
    builders reads the page's history (tests of drafts and publishing build their own)."""
    now = timezone.now()
    page.live = True
    page.has_unpublished_changes = False
    page.first_published_at = page.last_published_at = now
    parent.add_child(instance=page)
    return page


def default_locale():
    """The site's default Locale. Transactional tests flush the one migrations made: remake
    it (pages, quizzes, helplines and jurisdictions all belong to a locale)."""
    return Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)[0]


def root_page():
    """Wagtail's root page. Transactional tests flush the one migrations made: remake it."""
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=default_locale()))
    return root


def make_home_page(title="Lantern test home", **fields):
    """A published HomePage at depth 2 that the default Site serves."""
    root = root_page()
    home = HomePage(title=title, slug="lantern-home", **fields)
    add_live_page(root, home)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Lantern"},
    )
    return home


def make_helpline(country="United Kingdom", name="Test helpline", **fields):
    fields.setdefault("phone", "0800 000 000")
    return Helpline.objects.create(country=country, name=name, locale=default_locale(), **fields)


def make_course_index(home=None, title="Courses"):
    from courses.models import CourseIndexPage

    home = home or make_home_page()
    index = CourseIndexPage(title=title, slug="courses")
    add_live_page(home, index)
    return index


def lesson_body(*, reflection=True, extra=()):
    """A small realistic lesson body as raw StreamField data."""
    body = [
        {"type": "heading", "value": {"text": "What to notice", "level": "h2"}},
        {"type": "paragraph", "value": "<p>Exploitation often hides in plain sight.</p>"},
        {
            "type": "callout",
            "value": {
                "kind": "key_fact",
                "title": "Nobody has to cross a border",
                "text": "<p>Trafficking can happen within one town.</p>",
            },
        },
    ]
    if reflection:
        body.append({"type": "reflection", "value": {"prompt": "What would you do first?"}})
    body.extend(extra)
    return body


def make_course(index, slug="test-course", modules=2, lessons_per_module=2, **fields):
    """A published course with modules and lessons (in tree order), returned with its lessons."""
    from courses.models import CoursePage, LessonPage, ModulePage

    course = CoursePage(
        title=fields.pop("title", "Test course"),
        slug=slug,
        summary=fields.pop("summary", "A course for tests."),
        **fields,
    )
    add_live_page(index, course)
    lessons = []
    for m in range(modules):
        module = ModulePage(title=f"Module {m + 1}", slug=f"module-{m + 1}")
        add_live_page(course, module)
        for n in range(lessons_per_module):
            lesson = LessonPage(
                title=f"Lesson {m + 1}.{n + 1}",
                slug=f"lesson-{m + 1}-{n + 1}",
                estimated_minutes=10 + n,
                body=lesson_body(),
            )
            add_live_page(module, lesson)
            lessons.append(lesson)
    return course, lessons


# The default quiz's questions: (kind, text, [(choice text, correct), ...]).
QUIZ_QUESTIONS = [
    (
        "single",
        "Which is an indicator of control?",
        [
            ("Someone else holds their passport", True),
            ("They own a phone", False),
            ("They are tired", False),
        ],
    ),
    (
        "true_false",
        "A child can consent to their own exploitation.",
        [("True", False), ("False", True)],
    ),
    (
        "multiple",
        "Which are signs of grooming? Choose all that apply.",
        [
            ("Gifts with strings attached", True),
            ("Secrecy demanded", True),
            ("Homework help at school", False),
            ("Isolation from friends", True),
        ],
    ),
]


def make_quiz(title="Indicators quiz", questions=None, **settings):
    """A live quiz. `questions` is a list of (kind, text, [(choice text, correct), ...])."""
    from quizzes.models import Choice, Question, Quiz

    questions = questions or QUIZ_QUESTIONS
    quiz = Quiz(title=title, locale=default_locale(), **settings)
    for position, (kind, text, choices) in enumerate(questions):
        question = Question(
            kind=kind,
            text=text,
            sort_order=position,
            explanation=f"Because: {text}",
            tags="indicators",
        )
        question.choices = [
            Choice(text=choice, is_correct=correct, sort_order=n, feedback=f"Feedback for {choice}")
            for n, (choice, correct) in enumerate(choices)
        ]
        quiz.questions.add(question)
    quiz.save()
    quiz.save_revision().publish()
    return quiz


def correct_answers(attempt):
    """POST data answering every question of an attempt correctly."""
    data = {}
    for question in attempt.snapshot:
        data[f"q{question['id']}"] = [str(c["id"]) for c in question["choices"] if c["correct"]]
    return data


def wrong_answers(attempt):
    data = {}
    for question in attempt.snapshot:
        wrong = [str(c["id"]) for c in question["choices"] if not c["correct"]]
        data[f"q{question['id']}"] = wrong[:1]
    return data


def race(action, threads=4):
    """Run `action` in several threads released at the same moment (real parallel requests).
    Returns (results, errors); each thread closes its own database connection."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(threads)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(action())
        except Exception as error:  # noqa: BLE001 - the caller asserts on errors
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results, errors


def make_organisation(name="Northbridge Trust & Safety", managers=(), **fields):
    from courses.models import Organisation

    organisation = Organisation.objects.create(name=name, **fields)
    organisation.managers.add(*managers)
    return organisation


def make_cohort(courses, organisation=None, name="Spring intake", **fields):
    """A cohort taking the given course pages (one or a list)."""
    from courses.models import Cohort

    if not isinstance(courses, list | tuple):
        courses = [courses]
    organisation = organisation or make_organisation()
    cohort = Cohort.objects.create(organisation=organisation, name=name, **fields)
    cohort.courses.add(*courses)
    return cohort


def jit_off_queries():
    """On PostgreSQL the cohort report queries run in a transaction with JIT compilation off
    (`courses.cohorts.reports.without_jit`): in a test that is a savepoint, the SET and its
    release."""
    from django.db import connection

    return 3 if connection.vendor == "postgresql" else 0


JIT_OFF = jit_off_queries()


def verify_email(user):
    """Mark the person's sign-in address as confirmed (as following the emailed link does)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    user.__dict__.pop("_lantern_email_verified", None)
    return user


def make_page_tour(learner, manager, home=None):
    """One page of every front-end type, with the data that makes each render fully: a course
    with progress and a quiz, a certificate, a cohort. Returns {"anonymous": [...],
    "learner": [...], "manager": [...]}: the URLs each kind of visitor can open."""
    from courses.certificates.services import issue_certificate
    from courses.cohorts import services as cohorts
    from courses.learning import services as progress
    from quizzes.services import start_attempt

    home = home or make_home_page()
    make_helpline("United Kingdom", "Childline", phone="0800 1111")
    index = make_course_index(home)
    course, lessons = make_course(index, modules=1, lessons_per_module=2)
    quiz = make_quiz(pass_mark=60)
    lessons[-1].quiz = quiz
    lessons[-1].save_revision().publish()
    short, short_lessons = make_course(index, slug="short-course", title="Short course", modules=1)

    enrolment, _ = progress.enrol(learner, course)
    progress.complete_lesson(enrolment, lessons[0])
    finished, _ = progress.enrol(learner, short)
    for lesson in short_lessons:
        progress.complete_lesson(finished, lesson)
    finished.refresh_from_db()
    certificate, _ = issue_certificate(finished)
    attempt = start_attempt(learner, quiz)

    organisation = make_organisation(managers=[manager])
    cohort = make_cohort(course, organisation, name="Moderators")
    cohorts.join(cohort, learner)
    manage = f"/manage/cohorts/{cohort.public_id}/"
    return {
        "anonymous": [
            "/account/login/",
            "/account/signup/",
            "/account/password/reset/",
            "/verify/",
            f"/verify/{certificate.code}/",
            f"/join/{cohort.invite_code}/",
            "/privacy/",
            "/accessibility/",
        ],
        "learner": [
            home.url,
            index.url,
            course.url,
            course.get_children().first().url,
            lessons[0].url,
            lessons[-1].url,
            f"/quizzes/{quiz.pk}/",
            f"/quizzes/attempts/{attempt.pk}/",
            "/learning/",
            f"/certificates/{certificate.code}/",
            "/search/?q=exploitation",
            "/support/",
            "/quick-exit/",
            "/join/",
            "/account/",
            "/account/data/",
            "/account/delete/",
            "/account/password/change/",
        ],
        "manager": [
            "/manage/",
            manage,
            f"{manage}upload/",
            f"{manage}members/{learner.pk}/remove/",
        ],
    }


def translate_by_po(instance, locale, translate):
    """Translate a page or snippet as an outside translator would, with wagtail-localize:
    export its PO file, fill in every msgstr with `translate(msgid)`, import the file and
    publish the translation. Returns the translated object."""
    import polib
    from wagtail_localize.models import Translation, TranslationSource

    source, _ = TranslationSource.get_or_create_from_instance(instance)
    job = Translation.objects.create(source=source, target_locale=locale)
    po = polib.pofile(str(job.export_po()))
    for entry in po:
        entry.msgstr = translate(entry.msgid)
    assert job.import_po(po) == []  # no warnings
    job.save_target(publish=True)
    return instance.get_translation(locale)
