"""`manage.py load_demo` builds the demo site and can run again safely."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from wagtail.models import Locale, Page, Revision, Site, WorkflowPage

from courses.content.language_guard import check_page
from courses.models import CourseIndexPage, CoursePage, Helpline, LessonPage
from lantern.home import demo
from lantern.home.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lantern.home.models import HomePage

User = get_user_model()
pytestmark = pytest.mark.django_db
MINI_CURRICULUM = Path(__file__).resolve().parents[1] / "fixtures" / "curriculum"


@pytest.fixture(autouse=True)
def small_curriculum(request, monkeypatch):
    """Most tests load a one-lesson course; tests marked `full_curriculum` load the real one."""
    if request.node.get_closest_marker("full_curriculum"):
        return
    monkeypatch.setattr(demo, "CURRICULUM_DIR", MINI_CURRICULUM)
    monkeypatch.setattr(demo, "COURSE_FILES", ["mini-course.json"])


def english(model):
    """The model's objects in the default locale: the demo also has a tree of aliases and
    translations for each other language."""
    return model.objects.filter(locale=Locale.get_default())


def load():
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


class TestLoadDemo:
    def test_replaces_the_welcome_page_with_the_lantern_home(self, client):
        assert Page.objects.filter(depth=2, content_type__model="page").exists()
        load()
        assert not Page.objects.filter(depth=2, content_type__model="page").exists()
        home = english(HomePage).get()
        assert home.live
        site = Site.objects.get()
        assert site.root_page.specific == home and site.is_default_site
        response = client.get("/")
        assert response.status_code == 200
        assert b"Police and law enforcement" in response.content

    def test_is_idempotent(self):
        load()
        counts = (User.objects.count(), Page.objects.count(), Helpline.objects.count())
        load()
        assert (User.objects.count(), Page.objects.count(), Helpline.objects.count()) == counts
        revisions = Revision.objects.count()
        load()
        assert Revision.objects.count() == revisions  # unchanged content: no new revisions
        assert Site.objects.count() == 1

    def test_demo_accounts_log_in_with_the_demo_password(self, client):
        load()
        for account in DEMO_ACCOUNTS:
            assert client.login(username=account.email, password=DEMO_PASSWORD), account.email

    def test_editor_can_author_but_not_publish_and_reviewer_can_publish(self):
        load()
        home = english(HomePage).get()
        editor = User.objects.get(email="editor@example.org")
        reviewer = User.objects.get(email="reviewer@example.org")
        learner = User.objects.get(email="learner@example.org")
        assert editor.has_perm("wagtailadmin.access_admin")
        assert home.permissions_for_user(editor).can_edit()
        assert not home.permissions_for_user(editor).can_publish()
        assert home.permissions_for_user(reviewer).can_publish()
        assert not learner.has_perm("wagtailadmin.access_admin")

    def test_quizzes_go_through_the_review_workflow_and_editors_author_them(self):
        from quizzes.models import Quiz

        load()
        titles = set(Quiz.objects.values_list("title", flat=True))
        load()
        assert set(Quiz.objects.values_list("title", flat=True)) == titles
        assert "Check your understanding: Understanding sex trafficking" in titles
        assert Quiz.get_default_workflow().name == demo.WORKFLOW_NAME
        editor = User.objects.get(email="editor@example.org")
        reviewer = User.objects.get(email="reviewer@example.org")
        assert editor.has_perms(["quizzes.add_quiz", "quizzes.change_quiz"])
        assert not editor.has_perm("quizzes.publish_quiz")
        assert reviewer.has_perms(["quizzes.change_quiz", "quizzes.publish_quiz"])
        for email in ("learner@example.org", "manager@example.org"):
            user = User.objects.get(email=email)
            assert not user.has_perm("quizzes.change_quiz")
            assert not user.has_perm("wagtailadmin.access_admin")

    def test_loads_helplines(self, client):
        load()
        assert Helpline.objects.filter(country="International").exists()
        assert b"Modern Slavery" in client.get("/support/").content

    def test_loads_jurisdictions_before_the_courses_and_their_blocks(self, client):
        from courses.models import Jurisdiction

        load()
        assert set(Jurisdiction.objects.values_list("code", flat=True)) >= {
            "general",
            "england-wales",
            "scotland",
            "us",
            "eu",
        }
        assert english(Jurisdiction).get(code="us").note.startswith("Federal law")
        course = english(CoursePage).get()
        assert set(course.jurisdictions.values_list("code", flat=True)) == {"england-wales", "us"}
        lesson = next(
            page
            for page in english(LessonPage)
            if any(block.block_type == "where_you_work" for block in page.body)
        )
        html = client.get(lesson.url).content.decode()
        assert "Guidance for: <strong>International / general</strong>" in html
        counts = (Jurisdiction.objects.count(), Revision.objects.count())
        load()
        assert (Jurisdiction.objects.count(), Revision.objects.count()) == counts

    def test_helplines_cover_many_countries_and_eu_numbers(self):
        load()
        countries = set(Helpline.objects.values_list("country", flat=True))
        assert len(countries - {"International", "European Union"}) >= 8
        assert Helpline.objects.filter(country="European Union", phone="116 000").exists()
        assert Helpline.objects.filter(country="European Union", phone="116 111").exists()
        assert Helpline.objects.filter(country="United States", phone="988").exists()

    def test_prints_the_demo_accounts(self, capsys):
        call_command("load_demo")
        output = capsys.readouterr().out
        for account in DEMO_ACCOUNTS:
            assert account.email in output
        assert DEMO_PASSWORD in output

    def test_refused_with_production_settings_unless_forced(self, settings):
        settings.LANTERN_ENVIRONMENT = "production"
        with pytest.raises(CommandError, match="production"):
            load()
        assert not User.objects.exists()
        call_command("load_demo", "--force", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert User.objects.filter(email="admin@example.org").exists()


@pytest.fixture(scope="class")
def demo_site(django_db_setup, django_db_blocker):
    """The real demo curriculum, loaded once for the class in a transaction that is rolled
    back afterwards; each test runs in its own savepoint inside it, so what one test changes
    the next never sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


@pytest.mark.full_curriculum
@pytest.mark.xdist_group("demo-curriculum")
@pytest.mark.usefixtures("demo_site")
class TestDemoCurriculum:
    """The real demo curriculum: loaded once here, never in the other unit tests."""

    def test_three_complete_careful_courses(self, client):
        courses = list(english(CoursePage).live().order_by("path"))
        assert len(courses) == 3
        audiences = {a.slug for course in courses for a in course.audiences.all()}
        assert audiences == {"police", "education", "tech"}
        for course in courses:
            outline = course.get_outline()
            assert len(outline) >= 4, course.title  # the shared core module + 3 of its own
            assert outline[0][0].slug == "understanding-sex-trafficking"
            assert all(len(lessons) >= 2 for _, lessons in outline), course.title
            assert course.sensitive_topics and course.image.description
            block_types = set()
            for _, lessons in outline:
                for lesson in lessons:
                    specific = lesson.specific
                    block_types |= {block.block_type for block in specific.body}
                    if not specific.quiz_id or specific.slug != "final-assessment":
                        assert list(specific.sources), specific.title
                    assert not check_page(specific), (specific.title, check_page(specific))
            assert {"callout", "scenario", "reflection", "helplines"} <= block_types
            assert client.get(course.url).status_code == 200

    def test_every_course_has_module_quizzes_and_a_drawn_final_assessment(self, client):
        for course in english(CoursePage).live():
            outline = course.get_outline()
            quizzes = [
                lesson.specific.quiz
                for _, lessons in outline
                for lesson in lessons
                if lesson.specific.quiz_id
            ]
            assert len(quizzes) == len(outline) + 1, course.title  # one per module + final
            final = quizzes[-1]
            assert final.questions.count() >= 15 and final.questions_to_draw == 10
            assert final.live and all(q.live for q in quizzes)
            assert final.blueprint.filter(tag="CSAM").exists(), course.title
            for question in final.questions.all():
                assert any(c.is_correct for c in question.choices.all()), question.text
        learner = User.objects.get(email="learner@example.org")
        core = learner.quiz_attempts.filter(
            quiz__title="What sex trafficking is: check your understanding"
        )
        results = list(core.order_by("number").values_list("passed", flat=True))
        assert results == [False, True]

    def test_item_analysis_has_sane_figures_on_the_demo_data(self):
        from quizzes.analysis import analyse_quiz
        from quizzes.models import Quiz

        titles = set(Quiz.objects.values_list("title", flat=True))
        assert {"Police course: final assessment", "Spotting the signs and first contact"} <= titles
        assert not any(":" in title and title.endswith("module quiz") for title in titles)
        analysis = analyse_quiz(
            Quiz.objects.get(title="What sex trafficking is: check your understanding")
        )
        assert analysis.test.attempts == 12
        assert 0 < analysis.test.mean < 100
        assert all(0 <= q.facility <= 100 for q in analysis.questions)
        assert sum(q.discrimination > 0 for q in analysis.questions if q.discrimination) >= 3

    def test_demo_learner_holds_a_valid_and_an_expired_certificate(self, client):
        learner = User.objects.get(email="learner@example.org")
        statuses = sorted(c.status() for c in learner.certificates.all())
        assert statuses == ["expired", "valid"]
        load()
        assert learner.certificates.count() == 2

    def test_demo_learner_is_part_way_through_the_police_course(self, client):
        learner = User.objects.get(email="learner@example.org")
        enrolment = learner.enrolments.get(course__slug="police-course")
        assert enrolment.course.slug == "police-course"
        assert enrolment.lessons_completed == 4 and enrolment.completed_at is None
        client.force_login(learner)
        dashboard = client.get("/learning/").content.decode()
        assert enrolment.next_lesson.url in dashboard
        load()  # again: nothing doubles
        enrolment.refresh_from_db()
        assert enrolment.lessons_completed == 4

    def test_manager_follows_a_cohort_of_twelve_in_mixed_states(self, client):
        from courses.models import Cohort, Enrolment

        cohort = Cohort.objects.get()
        manager = User.objects.get(email="manager@example.org")
        assert list(cohort.organisation.managers.all()) == [manager]
        members = User.objects.filter(cohort_memberships__cohort=cohort)
        assert members.count() == 12 and members.filter(email="learner@example.org").exists()
        assert cohort.invitations.count() == 1
        enrolments = Enrolment.objects.filter(user__in=members, course__in=cohort.courses.all())
        completed = enrolments.filter(completed_at__isnull=False).count()
        assert completed >= 3 and enrolments.filter(completed_at__isnull=True).count() >= 3
        # Each member has 30 days from joining: new joiners are never overdue at once; the two
        # who joined 35 days ago and have not finished are.
        assert cohort.due_within_days == 30 and not cohort.is_overdue()
        from courses.cohorts import reports

        course = cohort.courses.get()
        report = reports.CohortReport(
            cohort, reports.Filters(course=course), reports.course_quiz_ids(course)
        )
        summary = report.summary()
        assert summary.counts[reports.OVERDUE] == 2
        # Those who completed passed every quiz of their cycle, as the lessons require.
        assert summary.quiz_passed == summary.counts[reports.COMPLETED] == 4
        finisher = User.objects.get(email="learner01@example.org")
        assert finisher.quiz_attempts.filter(passed=True).count() >= 3  # completed honestly
        client.force_login(manager)
        page = client.get(f"/manage/cohorts/{cohort.public_id}/")
        assert page.status_code == 200
        assert "learner05@example.org" in page.content.decode()
        load()  # again: nothing doubles
        assert cohort.memberships.count() == 12 and cohort.invitations.count() == 1

    def test_every_page_has_a_copy_in_each_language_tree(self):
        pages = english(Page).filter(depth__gt=1)
        for code in demo.DEMO_LOCALES:
            copies = Page.objects.filter(locale__language_code=code)
            assert set(copies.values_list("translation_key", flat=True)) == set(
                pages.values_list("translation_key", flat=True)
            ), code
        # Spanish translations where the curriculum has a Spanish twin, aliases elsewhere.
        twins = {path.name for path in (demo.CURRICULUM_DIR / "es").glob("*.json")}
        core = english(Page).filter(slug="understanding-sex-trafficking").first().specific
        spanish_core = core.get_translation(Locale.objects.get(language_code="es"))
        assert (spanish_core.alias_of_id is None) == ("core-module.json" in twins)

    def test_home_cards_link_to_the_courses_and_review_workflow_covers_them(self, client):
        home = english(HomePage).get()
        linked = [block.value["link_page"] for block in home.audiences]
        assert all(linked) and len({page.pk for page in linked}) == 3
        index = english(CourseIndexPage).get()
        assert WorkflowPage.objects.get(page=index).workflow.name == demo.WORKFLOW_NAME
        lesson = english(LessonPage).live().first()
        assert lesson.get_workflow().name == demo.WORKFLOW_NAME
        response = client.get("/")
        for page in linked:
            assert page.url.encode() in response.content


class TestDemoIllustrations:
    def test_courses_get_svg_artwork_once_replacing_older_raster_images(
        self, client, settings, tmp_path
    ):
        import io

        from django.core.files.images import ImageFile
        from PIL import Image as PILImage
        from wagtail.images import get_image_model

        settings.MEDIA_ROOT = tmp_path
        Image = get_image_model()
        # A blurred raster illustration left by an earlier version of the loader.
        buffer = io.BytesIO()
        PILImage.new("RGB", (120, 68), (29, 53, 87)).save(buffer, format="PNG")
        title = demo.importer.load_json(MINI_CURRICULUM / "mini-course.json")["title"]
        old = Image.objects.create(
            title=f"Illustration: {title}", file=ImageFile(buffer, name="course-0.png")
        )
        load()
        image = english(CoursePage).get().image
        assert image.pk == old.pk
        assert image.is_svg() and (image.width, image.height) == (1200, 675)
        load()
        assert Image.objects.count() == 1 and english(CoursePage).get().image.file == image.file
        page = client.get("/courses/").content.decode()
        assert 'class="card__image"' in page and ".svg" in page


@pytest.mark.full_curriculum
@pytest.mark.xdist_group("demo-curriculum")
@pytest.mark.usefixtures("demo_site")
class TestDemoJurisdictions:
    """A learner who works in the United States, in the real demo courses."""

    @pytest.mark.parametrize("slug", ["police-course", "schools-course"])
    def test_a_learner_in_the_united_states_sees_us_duties_and_us_questions(
        self, client, make_user, slug
    ):
        import random

        from courses.learning import services as progress
        from courses.models import Jurisdiction
        from quizzes.services import draw_questions

        course = english(CoursePage).get(slug=slug)
        learner = make_user(f"us-{slug}@example.org")
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, english(Jurisdiction).get(code="us"))
        client.force_login(learner)
        lesson = next(
            lesson.specific
            for _, lessons in course.get_outline()
            for lesson in lessons
            if any(block.block_type == "where_you_work" for block in lesson.specific.body)
        )
        variants = {
            variant["jurisdiction"]: variant["body"].source
            for block in lesson.body
            if block.block_type == "where_you_work"
            for variant in block.value["variants"]
        }
        response = client.get(lesson.url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Guidance for: <strong>United States" in page
        assert variants["us"][:60] in page
        assert variants["england-wales"][:60] not in page

        final = course.get_outline()[-1][1][-1].specific.quiz
        drawn = [
            question
            for seed in range(20)
            for question in draw_questions(final, random.Random(seed), "us")
        ]
        codes = {code for question in drawn for code in question.jurisdiction_list}
        assert codes == {"us"}  # US questions are drawn, and never another jurisdiction's
