"""StreamField blocks for lessons. Each block has a template; the lesson body uses
`LessonBodyBlock`, which every lesson shares."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4", "document-link"]


class HeadingBlock(blocks.StructBlock):
    """A section heading inside a lesson (the lesson title is the page's h1)."""

    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section (h2)")), ("h3", _("Sub-section (h3)"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "courses/content/blocks/heading.html"
        label = _("Heading")
        preview_value = {"text": "What the law says", "level": "h2"}
        description = _("A section heading.")


class FigureBlock(blocks.StructBlock):
    """An image with alt text (required unless decorative) and an optional caption."""

    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "courses/content/blocks/figure.html"
        label = _("Image")
        description = _("Illustrative images only: never graphic or identifying imagery.")


class VideoBlock(blocks.StructBlock):
    """An embedded video with a required transcript (shown in a disclosure beneath)."""

    video = EmbedBlock(help_text=_("A link to the video, e.g. on YouTube or Vimeo."))
    title = blocks.CharBlock(max_length=200)
    transcript = blocks.RichTextBlock(
        features=["bold", "italic", "ul", "ol"],
        help_text=_("Required: a full transcript for people who cannot or prefer not to watch."),
    )

    class Meta:
        icon = "media"
        template = "courses/content/blocks/video.html"
        label = _("Video with transcript")


class CalloutBlock(blocks.StructBlock):
    """A highlighted box: key fact, indicator, myth vs fact, or practice tip."""

    KINDS = [
        ("key_fact", _("Key fact")),
        ("indicator", _("Indicator")),
        ("myth_fact", _("Myth vs fact")),
        ("practice_tip", _("Practice tip")),
    ]
    kind = blocks.ChoiceBlock(choices=KINDS, default="key_fact")
    title = blocks.CharBlock(
        max_length=200, help_text=_('For "Myth vs fact", write the myth here.')
    )
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "pick"
        template = "courses/content/blocks/callout.html"
        label = _("Callout")
        preview_value = {
            "kind": "key_fact",
            "title": "A child cannot consent to being exploited",
            "text": "<p>For anyone under 18, no force, fraud or coercion needs to be shown.</p>",
        }
        description = _("A key fact, indicator, myth vs fact or practice tip.")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["kind_label"] = dict(self.KINDS).get(value["kind"], "")
        return context


class ScenarioChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300, label=_("Choice"))
    feedback = blocks.TextBlock(help_text=_("Why this is, or is not, the best response."))
    recommended = blocks.BooleanBlock(required=False, label=_("Recommended response"))


class ScenarioBlock(blocks.StructBlock):
    """A case vignette with choices and feedback per choice. Not graded; no JavaScript."""

    title = blocks.CharBlock(max_length=200)
    vignette = blocks.RichTextBlock(features=["bold", "italic", "ul", "ol"])
    question = blocks.CharBlock(max_length=300)
    choices = blocks.ListBlock(ScenarioChoiceBlock(), min_num=2, max_num=6)

    class Meta:
        icon = "user"
        template = "courses/content/blocks/scenario.html"
        label = _("Case scenario")
        preview_value = {
            "title": "A worried colleague",
            "vignette": "<p>A colleague says a young person at the shelter is collected late at "
            "night by different drivers and has a new phone she will not explain.</p>",
            "question": "What is the most helpful first step?",
            "choices": [
                {
                    "text": "Note what you saw and tell the safeguarding lead today.",
                    "feedback": "Yes: record facts and pass them on through your protocol.",
                    "recommended": True,
                },
                {
                    "text": "Confront the drivers.",
                    "feedback": "This could put the young person at risk.",
                    "recommended": False,
                },
            ],
        }
        description = _("A short situation with choices; each choice explains itself.")

    def clean(self, value):
        value = super().clean(value)
        if not any(choice["recommended"] for choice in value["choices"]):
            raise StructBlockValidationError(
                block_errors={
                    "choices": ValidationError(_("Mark at least one choice as recommended."))
                }
            )
        return value


class ReflectionBlock(blocks.StructBlock):
    """A question for the learner to answer privately; the answer is saved per learner."""

    prompt = blocks.TextBlock(max_length=600)

    class Meta:
        icon = "openquote"
        template = "courses/content/blocks/reflection.html"
        label = _("Reflection prompt")
        preview_value = {"prompt": "Which indicators would you be most likely to miss, and why?"}
        description = _("Learners write a private answer that only they can see.")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        block_id = context.get("id") or ""
        context["block_id"] = block_id
        context["answer"] = (context.get("reflections") or {}).get(block_id)
        return context


class ResourceBlock(blocks.StructBlock):
    """A downloadable document, e.g. a referral checklist."""

    document = DocumentChooserBlock()
    title = blocks.CharBlock(max_length=200, required=False)
    description = blocks.TextBlock(required=False)

    class Meta:
        icon = "doc-full"
        template = "courses/content/blocks/resource.html"
        label = _("Resource download")


class HelplinesBlock(blocks.StructBlock):
    """The site's helplines for one country (plus international ones), or all of them."""

    heading = blocks.CharBlock(max_length=120, default="Where to get support")
    country = blocks.CharBlock(
        required=False,
        max_length=100,
        help_text=_('As written on the helplines, e.g. "United Kingdom". Blank: all.'),
    )

    class Meta:
        icon = "help"
        template = "courses/content/blocks/helplines.html"
        label = _("Helplines")
        preview_value = {"heading": "Where to get support", "country": ""}

    def get_context(self, value, parent_context=None):
        from courses.models import Helpline

        context = super().get_context(value, parent_context)
        context["helplines"] = list(Helpline.objects.for_country(value["country"]))
        return context


class SourceBlock(blocks.StructBlock):
    """One citation."""

    title = blocks.CharBlock(max_length=300)
    publisher = blocks.CharBlock(max_length=200, required=False)
    year = blocks.CharBlock(max_length=10, required=False)
    url = blocks.URLBlock(required=False)

    class Meta:
        icon = "link"
        label = _("Source")


class SourcesBlock(blocks.StructBlock):
    """A list of sources, rendered as a references list."""

    heading = blocks.CharBlock(max_length=120, default="Sources")
    sources = blocks.ListBlock(SourceBlock(), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "courses/content/blocks/sources.html"
        label = _("Sources")
        preview_value = {
            "heading": "Sources",
            "sources": [
                {
                    "title": "Protocol to Prevent, Suppress and Punish Trafficking in Persons",
                    "publisher": "United Nations",
                    "year": "2000",
                    "url": "",
                }
            ],
        }


class LessonBodyBlock(blocks.StreamBlock):
    """Everything a lesson body may contain."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        label=_("Text"),
        template="courses/content/blocks/paragraph.html",
    )
    image = FigureBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    scenario = ScenarioBlock()
    reflection = ReflectionBlock()
    resource = ResourceBlock()
    helplines = HelplinesBlock()
    sources = SourcesBlock()
