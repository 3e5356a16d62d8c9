"""The "Where you work" lesson block: imported from JSON, validated, and rendered with only
the learner's variant (their enrolment's jurisdiction, else general)."""

import copy

import pytest
from wagtail.models import Revision

from courses.content.blocks import WhereYouWorkBlock
from courses.content.importer import import_course, where_you_work_json
from courses.models import CoursePage, Jurisdiction, LessonPage

pytestmark = pytest.mark.django_db

WHERE = {
    "heading": "Who you must tell",
    "variants": [
        {"jurisdiction": "general", "body": "<p>Tell your safeguarding lead.</p>"},
        {
            "jurisdiction": "england-wales",
            "body": "<p>Tell the designated safeguarding lead.</p><ul><li>Today.</li></ul>",
        },
        {"jurisdiction": "us", "body": "<p>Report to child protective services.</p>"},
    ],
}


def course_data(where=WHERE, jurisdictions=("england-wales", "us")):
    return {
        "slug": "duties",
        "title": "Duties course",
        "summary": "Who to tell.",
        "jurisdictions": list(jurisdictions),
        "modules": [
            {
                "slug": "m1",
                "title": "Module one",
                "lessons": [
                    {
                        "slug": "l1",
                        "title": "Lesson one",
                        "body": [
                            {"type": "paragraph", "value": "<p>Everyone reads this.</p>"},
                            {"type": "where_you_work", "value": where},
                        ],
                    }
                ],
            }
        ],
    }


class TestImport:
    def test_builds_the_block_and_the_course_jurisdictions(self, course_index):
        import_course(course_index, course_data())
        course = CoursePage.objects.get(slug="duties")
        assert sorted(course.jurisdictions.values_list("code", flat=True)) == [
            "england-wales",
            "us",
        ]
        assert Jurisdiction.objects.get(code="england-wales").name == "England and Wales"
        block = LessonPage.objects.get(slug="l1").body[1]
        assert block.block_type == "where_you_work"
        assert where_you_work_json(block.value) == WHERE

    def test_round_trips_and_has_stable_variant_ids(self, course_index):
        import_course(course_index, course_data())
        first = LessonPage.objects.get(slug="l1").body.raw_data[1]
        ids = [item["id"] for item in first["value"]["variants"]]
        assert len(set(ids)) == 3
        import_course(course_index, course_data())
        again = LessonPage.objects.get(slug="l1").body.raw_data[1]
        assert [item["id"] for item in again["value"]["variants"]] == ids

    def test_reimporting_unchanged_json_saves_no_revision(self, course_index):
        import_course(course_index, course_data())
        revisions = Revision.objects.count()
        import_course(course_index, course_data())
        assert Revision.objects.count() == revisions

    def test_a_changed_variant_saves_a_revision(self, course_index):
        import_course(course_index, course_data())
        revisions = Revision.objects.count()
        changed = copy.deepcopy(WHERE)
        changed["variants"][2]["body"] = "<p>Report to law enforcement.</p>"
        import_course(course_index, course_data(changed))
        assert Revision.objects.count() > revisions
        block = LessonPage.objects.get(slug="l1").body[1]
        assert (
            where_you_work_json(block.value)["variants"][2]["body"]
            == changed["variants"][2]["body"]
        )

    def test_bodies_are_cleaned(self, course_index):
        hostile = copy.deepcopy(WHERE)
        hostile["variants"][0]["body"] = '<p onclick="x()">Hi</p><script>alert(1)</script>'
        import_course(course_index, course_data(hostile))
        body = LessonPage.objects.get(slug="l1").body[1].value["variants"][0]["body"].source
        assert "onclick" not in body and "<script" not in body and "Hi" in body


class TestValidation:
    def clean(self, variants):
        block = WhereYouWorkBlock()
        return block.clean(block.to_python({"heading": "Who to tell", "variants": variants}))

    def test_a_general_variant_is_required(self):
        from wagtail.blocks import StructBlockValidationError

        Jurisdiction.objects.get_or_create(code="us", defaults={"name": "United States"})
        with pytest.raises(StructBlockValidationError) as error:
            self.clean([{"jurisdiction": "us", "body": "<p>x</p>"}])
        assert "general variant" in str(error.value.block_errors["variants"].non_block_errors)

    def test_each_code_at_most_once(self):
        from wagtail.blocks import StructBlockValidationError

        Jurisdiction.objects.get_or_create(code="us", defaults={"name": "United States"})
        with pytest.raises(StructBlockValidationError) as error:
            self.clean(
                [
                    {"jurisdiction": "general", "body": "<p>x</p>"},
                    {"jurisdiction": "us", "body": "<p>a</p>"},
                    {"jurisdiction": "us", "body": "<p>b</p>"},
                ]
            )
        assert "repeated: us" in str(error.value.block_errors["variants"].non_block_errors)

    def test_a_valid_block_passes(self):
        Jurisdiction.objects.get_or_create(code="us", defaults={"name": "United States"})
        value = self.clean(
            [
                {"jurisdiction": "general", "body": "<p>x</p>"},
                {"jurisdiction": "us", "body": "<p>a</p>"},
            ]
        )
        assert [v["jurisdiction"] for v in value["variants"]] == ["general", "us"]


@pytest.fixture
def duties(course_index):
    """The imported course (offering England and Wales, and the US) and its lesson."""
    import_course(course_index, course_data())
    return CoursePage.objects.get(slug="duties"), LessonPage.objects.get(slug="l1")


def shown(response):
    html = response.content.decode()
    return {
        "general": "Tell your safeguarding lead." in html,
        "england-wales": "Tell the designated safeguarding lead." in html,
        "us": "Report to child protective services." in html,
        "shared": "Everyone reads this." in html,
    }


class TestRendering:
    def test_anonymous_readers_see_the_general_variant_only(self, client, duties):
        _course, lesson = duties
        response = client.get(lesson.url)
        assert shown(response) == {
            "general": True,
            "england-wales": False,
            "us": False,
            "shared": True,
        }
        assert "Guidance for: <strong>International / general</strong>" in (
            response.content.decode()
        )

    def test_an_enrolled_learner_sees_their_jurisdiction(self, client, duties, learner):
        from courses.learning import services as progress

        course, lesson = duties
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
        client.force_login(learner)
        response = client.get(lesson.url)
        html = response.content.decode()
        assert shown(response) == {
            "general": False,
            "england-wales": False,
            "us": True,
            "shared": True,
        }
        assert "Guidance for: <strong>United States</strong>" in html
        assert f'href="{course.url}#where-you-work">Change' in html

    def test_unenrolled_learner_and_a_missing_variant_fall_back_to_general(
        self, client, duties, learner, make_user
    ):
        from courses.learning import services as progress

        course, lesson = duties
        client.force_login(learner)
        assert shown(client.get(lesson.url))["general"]
        # Scotland is offered by no variant of this block: the general one is shown.
        scotland = Jurisdiction.objects.create(code="scotland", name="Scotland")
        course.jurisdictions.add(scotland)
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "scotland"))
        response = client.get(lesson.url)
        assert shown(response)["general"] and not shown(response)["us"]
        assert "Guidance for: <strong>International / general</strong>" in (
            response.content.decode()
        )

    def test_a_deleted_jurisdiction_does_not_break_the_lesson(self, client, duties, learner):
        from courses.learning import services as progress

        course, lesson = duties
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "us"))
        Jurisdiction.objects.filter(code="us").delete()
        client.force_login(learner)
        response = client.get(lesson.url)
        assert response.status_code == 200
        assert shown(response)["general"] and not shown(response)["us"]

    def test_the_lesson_costs_no_more_queries_with_the_block(
        self, client, duties, learner, django_assert_max_num_queries
    ):
        from courses.learning import services as progress

        course, lesson = duties
        enrolment, _ = progress.enrol(learner, course)
        progress.set_jurisdiction(enrolment, progress.choice_for_code(course, "england-wales"))
        client.force_login(learner)
        client.get(lesson.url)
        with django_assert_max_num_queries(15):
            response = client.get(lesson.url)
        assert shown(response)["england-wales"]


class TestPreview:
    def test_editors_preview_each_jurisdiction(self, client, duties, make_user):
        from django.urls import reverse

        _course, lesson = duties
        admin = make_user("editor@example.org", is_superuser=True, is_staff=True)
        client.force_login(admin)
        assert [mode for mode, _label in lesson.preview_modes][:1] == ["general"]
        assert {"england-wales", "us"} <= {mode for mode, _label in lesson.preview_modes}
        url = reverse("wagtailadmin_pages:view_draft", args=[lesson.pk])
        default = client.get(url)
        assert default.status_code == 200
        assert shown(default)["general"] and not shown(default)["us"]
        us = client.get(url, {"mode": "us"})
        assert shown(us)["us"] and not shown(us)["general"]
        england = client.get(url, {"mode": "england-wales"})
        assert shown(england)["england-wales"]
