"""StreamField blocks for lessons. Each block has a template; the lesson body uses
`LessonBodyBlock`, which every lesson shares."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.blocks.list_block import ListBlockValidationError
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
        """With a learner's jurisdiction in the page context, the helplines of its countries
        come first, then international ones, then the rest (one query either way)."""
        from courses.models import Helpline
        from courses.models.support import INTERNATIONAL

        context = super().get_context(value, parent_context)
        helplines = Helpline.objects.for_country(value["country"]).for_learners()
        parent_context = parent_context or {}
        jurisdiction = (parent_context.get("jurisdictions") or {}).get(
            parent_context.get("jurisdiction_code") or ""
        )
        countries = {c.lower() for c in (jurisdiction.countries if jurisdiction else ())}
        if countries:

            def rank(helpline):
                country = helpline.country.lower()
                return 0 if country in countries else 1 if country == INTERNATIONAL.lower() else 2

            helplines.sort(key=rank)  # stable: the editors' order within each group
            context["helplines_for"] = jurisdiction.name
        context["helplines"] = helplines
        return context


def jurisdiction_choices():
    """The jurisdictions editors can write a variant for, general first (read when a form is
    built, so new jurisdictions appear without a deploy)."""
    from courses.models.jurisdictions import jurisdiction_choices as choices

    return choices()


WHERE_YOU_WORK_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3"]


class JurisdictionChoiceBlock(blocks.ChoiceBlock):
    """A jurisdiction code. Stored and read as the plain code, without looking the choices up
    (no query per block, and a deleted jurisdiction's code still reads back)."""

    def to_python(self, value):
        return value

    def get_searchable_content(self, value):
        return []


class JurisdictionVariantBlock(blocks.StructBlock):
    """What one jurisdiction's learners read in a "Where you work" block."""

    jurisdiction = JurisdictionChoiceBlock(
        choices=jurisdiction_choices,
        help_text=_("Learners who work here see this text."),
    )
    body = blocks.RichTextBlock(features=WHERE_YOU_WORK_FEATURES)

    class Meta:
        icon = "site"
        label = _("Variant")


class WhereYouWorkBlock(blocks.StructBlock):
    """Duties, laws or agencies that differ by jurisdiction: each learner sees only the variant
    for where they work (from their enrolment), or the general one."""

    heading = blocks.CharBlock(max_length=120)
    variants = blocks.ListBlock(
        JurisdictionVariantBlock(),
        min_num=1,
        help_text=_("A general variant is required; each jurisdiction at most once."),
    )

    class Meta:
        icon = "site"
        template = "courses/content/blocks/where_you_work.html"
        label = _("Where you work")
        description = _("Text that differs by jurisdiction, with a general fallback.")
        preview_value = {
            "heading": "Who you must tell",
            "variants": [
                {
                    "jurisdiction": "general",
                    "body": "<p>Follow your organisation's safeguarding procedure.</p>",
                }
            ],
        }

    def clean(self, value):
        from courses.models.jurisdictions import GENERAL

        value = super().clean(value)
        codes = [variant["jurisdiction"] for variant in value["variants"]]
        errors = []
        if GENERAL not in codes:
            errors.append(_("Add a general variant: learners elsewhere see it."))
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            errors.append(
                _("Each jurisdiction at most once (repeated: %(codes)s).")
                % {"codes": ", ".join(duplicates)}
            )
        if errors:
            raise StructBlockValidationError(
                block_errors={
                    "variants": ListBlockValidationError(
                        non_block_errors=[ValidationError(error) for error in errors]
                    )
                }
            )
        return value

    @staticmethod
    def variant_for(value, code):
        """The variant for `code`, else the general one, else the first (never None unless
        the block has no variants)."""
        from courses.models.jurisdictions import GENERAL

        variants = list(value["variants"])
        by_code = {variant["jurisdiction"]: variant for variant in variants}
        return by_code.get(code or GENERAL) or by_code.get(GENERAL) or next(iter(variants), None)

    def get_context(self, value, parent_context=None):
        """The learner's variant, and the name of whose guidance it is: the page puts the
        learner's `jurisdiction_code` and the `jurisdictions` (by code) in the context."""
        from courses.models.jurisdictions import GENERAL, GENERAL_NAME

        context = super().get_context(value, parent_context)
        parent_context = parent_context or {}
        variant = self.variant_for(value, parent_context.get("jurisdiction_code") or GENERAL)
        shown = variant["jurisdiction"] if variant else GENERAL
        jurisdiction = (parent_context.get("jurisdictions") or {}).get(shown)
        context["variant"] = variant
        context["jurisdiction_name"] = (
            jurisdiction.name if jurisdiction else GENERAL_NAME if shown == GENERAL else shown
        )
        context["jurisdiction_note"] = jurisdiction.note if jurisdiction else ""
        context["jurisdiction_change_url"] = parent_context.get("jurisdiction_change_url", "")
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
    where_you_work = WhereYouWorkBlock()
    helplines = HelplinesBlock()
    sources = SourcesBlock()
