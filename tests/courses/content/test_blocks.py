"""Lesson blocks validate what editors must provide and render without JavaScript."""

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError

from courses.content.blocks import CalloutBlock, HelplinesBlock, ScenarioBlock, VideoBlock
from tests import factories

pytestmark = pytest.mark.django_db


def scenario_value(recommended=(True, False)):
    block = ScenarioBlock()
    return block, block.to_python(
        {
            "title": "A pupil stays behind",
            "vignette": "<p>A pupil says an older friend gives her gifts.</p>",
            "question": "What do you do first?",
            "choices": [
                {
                    "text": "Listen and thank her",
                    "feedback": "Yes: listening comes first.",
                    "recommended": recommended[0],
                },
                {
                    "text": "Promise to keep it secret",
                    "feedback": "Never promise secrecy.",
                    "recommended": recommended[1],
                },
            ],
        }
    )


class TestScenarioBlock:
    def test_needs_a_recommended_choice(self):
        block, value = scenario_value(recommended=(False, False))
        with pytest.raises(ValidationError):
            block.clean(value)

    def test_renders_each_choice_with_its_feedback_in_a_disclosure(self):
        block, value = scenario_value()
        document = BeautifulSoup(block.render(value), "html.parser")
        details = document.select(".scenario__choices details")
        assert len(details) == 2
        assert details[0].summary.get_text() == "Listen and thank her"
        assert "Recommended response" in details[0].get_text()
        assert "Not the best response" in details[1].get_text()
        assert document.find("script") is None


class TestCalloutBlock:
    def test_myth_vs_fact_labels_both_parts(self):
        block = CalloutBlock()
        value = block.to_python(
            {
                "kind": "myth_fact",
                "title": "Trafficking always involves travel",
                "text": "<p>Nobody has to cross a border.</p>",
            }
        )
        text = BeautifulSoup(block.render(value), "html.parser").get_text(" ", strip=True)
        assert "Myth vs fact" in text
        assert "Myth: Trafficking always involves travel" in text
        assert "Fact: Nobody has to cross a border." in text


class TestVideoBlock:
    def test_transcript_is_required(self):
        block = VideoBlock()
        value = block.to_python(
            {"video": "https://www.youtube.com/watch?v=abc", "title": "Talk", "transcript": ""}
        )
        with pytest.raises(ValidationError):
            block.clean(value)


class TestHelplinesBlock:
    def test_shows_the_country_and_international_lines(self):
        factories.make_helpline("United Kingdom", "Childline", phone="0800 1111")
        factories.make_helpline("International", "Emergency", phone="112")
        factories.make_helpline("Canada", "Hotline CA", phone="1-833-900-1010")
        block = HelplinesBlock()
        html = block.render(block.to_python({"heading": "Support", "country": "United Kingdom"}))
        assert "Childline" in html and "Emergency" in html
        assert "Hotline CA" not in html


class TestBlockPreviews:
    @pytest.mark.parametrize(
        "block_name",
        ["heading", "callout", "scenario", "reflection", "helplines", "sources", "paragraph"],
    )
    def test_each_block_has_an_admin_preview(self, admin_client, block_name):
        from django.urls import reverse

        from courses.content.blocks import LessonBodyBlock

        block = LessonBodyBlock().child_blocks[block_name]
        response = admin_client.get(
            reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
        )
        assert response.status_code == 200
        assert b"css/lantern.css" in response.content
        if block_name == "scenario":
            assert b"A worried colleague" in response.content
