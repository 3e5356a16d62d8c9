"""The course page tree: CourseIndexPage → CoursePage → ModulePage → LessonPage."""

import uuid

from django import forms
from django.core.cache import cache
from django.core.validators import MaxValueValidator
from django.db import models
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index

from courses.content import page_cache
from courses.content.blocks import LessonBodyBlock, SourceBlock
from courses.content.language_guard import TerminologyPanel
from courses.content.locales import (
    LanguagePrefixMixin,
    default_locale_id,
    is_source,
    published_version,
    source_ids,
    source_page,
)
from courses.models.jurisdictions import (
    GENERAL,
    GENERAL_NAME,
    Jurisdiction,
    source_jurisdictions,
)
from courses.models.translations import active_language, content_language, translated_words
from quizzes.services import has_passed


class AudienceQuerySet(models.QuerySet):
    def sources(self):
        """The audiences in the site's default language: each one once. Courses point at
        these; a translation only gives other words."""
        return self.filter(locale__language_code=content_language())


def source_audiences():
    """`limit_choices_to` for fields that point at audiences: the source rows only."""
    return models.Q(locale__language_code=content_language())


class Audience(TranslatableMixin, index.Indexed, models.Model):
    """Who a course is for, e.g. police, education, tech & online safety staff.
    Translations (wagtail-localize) give its name and description in other languages; its
    slug and the courses tagged with it are the source row's."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    objects = AudienceQuerySet.as_manager()

    panels = ["name", "slug", "description"]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "locale"], name="courses_audience_slug_per_locale"
            ),
            models.UniqueConstraint(
                fields=["name", "locale"], name="courses_audience_name_per_locale"
            ),
        ]

    def __str__(self):
        return self.name


AUDIENCE_CACHE_SECONDS = 60 * 60
AUDIENCE_VERSION_KEY = "lantern:audiences:version"


def forget_audiences():
    """Make the cached translated names stale (after an audience is saved or deleted)."""
    cache.set(AUDIENCE_VERSION_KEY, uuid.uuid4().hex, None)


def translated_audience_names():
    """{translation key: name} of the audiences translated into the active content language
    (empty in the default language): from the cache, so a listing pays at most one query."""
    language, default = active_language()
    if language == default:
        return {}
    version = cache.get(AUDIENCE_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.set(AUDIENCE_VERSION_KEY, version, None)
    key = f"lantern:audiences:names:{language}:{version}"
    names = cache.get(key)
    if names is None:
        words = translated_words(Audience, language, ("name",))
        names = {str(translation_key): row["name"] for translation_key, row in words.items()}
        cache.set(key, names, AUDIENCE_CACHE_SECONDS)
    return names


def audience_names(audiences):
    """The names of these (source) audiences in the active content language: a
    translation's name where one exists, else the source name."""
    names = translated_audience_names()
    return [names.get(str(audience.translation_key), audience.name) for audience in audiences]


# The module's fields a lesson page uses (others load if something asks for them).
ROUTE_MODULE_FIELDS = (
    "id",
    "title",
    "slug",
    "path",
    "depth",
    "url_path",
    "live",
    "locale_id",
    "translation_key",
    "has_unpublished_changes",
    "content_type_id",
)


class CachedRouteMixin:
    """Pages the course index routes: the view restrictions that came with a cached route
    are used as they are (`courses.content.page_cache`), else read here."""

    def get_view_restrictions(self):
        """A translation or alias is restricted as its source page is, as well as by its own
        restrictions (a restriction added to an English course holds in every language)."""
        restrictions = page_cache.view_restrictions(self)
        if restrictions is not None:
            return restrictions
        restrictions = super().get_view_restrictions()
        source = source_page(self)
        if source is not self:
            restrictions = (restrictions | Page.get_view_restrictions(source)).distinct()
        return restrictions


def published_words(pages, fields):
    """Give translated pages that carry a draft's words what learners may see instead.
    wagtail-localize writes a translation saved as a draft onto the page itself, so a list
    read from the page table would show unreviewed words: take them from the page's live
    revision, or, for an alias never published as a translation, from its source page (the
    words it showed). No query unless such a page is in the list."""
    drafts = [page for page in pages if page.has_unpublished_changes and not is_source(page)]
    if not drafts:
        return
    from wagtail.models import Revision

    revisions = dict(
        Revision.objects.filter(
            pk__in=[page.live_revision_id for page in drafts if page.live_revision_id]
        ).values_list("pk", "content")
    )
    unpublished = [page for page in drafts if page.live_revision_id not in revisions]
    sources = {}
    if unpublished:
        sources = {
            row["translation_key"]: row
            for row in type(unpublished[0])
            ._default_manager.filter(
                translation_key__in=[page.translation_key for page in unpublished],
                locale_id=default_locale_id(),
            )
            .values("translation_key", *fields)
        }
    for page in drafts:
        words = revisions.get(page.live_revision_id) or sources.get(page.translation_key) or {}
        for name in fields:
            if name in words:
                setattr(page, name, words[name])


def progress_ids(pages):
    """{page id: the id progress is recorded under} (its source page's), for pages of one
    tree: no query for source pages (`courses.content.locales`)."""
    if all(is_source(page) for page in pages):
        return {page.pk: page.pk for page in pages}
    return source_ids(pages)


def show_next_lesson(enrolment, lessons, to_source):
    """Point the enrolment's resume link ("continue where you left off", a source lesson) at
    the same lesson among `lessons` (the tree the learner reads), without a query."""
    if enrolment is None or not enrolment.next_lesson_id:
        return
    for lesson in lessons:
        if to_source[lesson.pk] == enrolment.next_lesson_id:
            type(enrolment).next_lesson.field.set_cached_value(enrolment, lesson)
            return


class CourseIndexPage(LanguagePrefixMixin, Page):
    """Lists the published courses. Courses can only be created under it."""

    template = "courses/content/course_index_page.html"

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + ["intro"]
    subpage_types = ["courses.CoursePage"]
    page_description = _("The list of courses. Add courses beneath it.")

    class Meta:
        verbose_name = _("course index page")

    def route(self, request, path_components):
        """Find a course, module or lesson by its URL path with one query per level, each for
        the page type that level holds (no query for page types); every page on the way must
        be live. Anything unusual (a missing page, another page type) is left to Wagtail.
        The chain found is cached per URL path (`courses.content.page_cache`)."""
        levels = (CoursePage, ModulePage, LessonPage)
        if not path_components or len(path_components) > len(levels):
            return super().route(request, path_components)
        parent, pages = self, []
        for depth, model in enumerate(levels[: len(path_components)], start=1):
            url_path = self.url_path + "/".join(path_components[:depth]) + "/"
            pages_here = model.objects.filter(
                path__startswith=parent.path, depth=parent.depth + 1, url_path=url_path
            )
            if model is ModulePage and depth < len(path_components):
                # On the way to a lesson the module only names the breadcrumb.
                pages_here = pages_here.only(*ROUTE_MODULE_FIELDS)
            # A URL path is unique in the tree: no ordering needed.
            page = next(iter(pages_here.order_by()[:1]), None)
            if page is None:
                return super().route(request, path_components)
            if not page.live:
                raise Http404
            pages.append(page)
            parent = page
        # A translation saved as a draft is shown as last published (`published_version`).
        pages = [published_version(page) for page in pages]
        page_cache.remember_route(request, [self, *pages])
        return page_cache.link_chain([self, *pages]).route(request, [])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = (
            CoursePage.objects.child_of(self)
            .live()
            .public()
            .order_by("path")
            .select_related("image")
            .prefetch_related("audiences", "image__renditions")
        )
        return context


class CompletionRule(models.TextChoices):
    LESSONS = "lessons", _("All lessons complete")
    LESSONS_AND_QUIZZES = "lessons_and_quizzes", _("All lessons complete and quizzes passed")


class CoursePage(LanguagePrefixMixin, CachedRouteMixin, Page):
    """A course: modules of lessons, for one or more audiences, leading to a certificate."""

    template = "courses/content/course_page.html"

    summary = models.TextField(_("summary"), help_text=_("One or two sentences for listings."))
    audiences = ParentalManyToManyField(
        Audience,
        blank=True,
        limit_choices_to=source_audiences,
        related_name="courses",
        verbose_name=_("audiences"),
    )
    jurisdictions = ParentalManyToManyField(
        "courses.Jurisdiction",
        blank=True,
        limit_choices_to=source_jurisdictions,
        related_name="courses",
        verbose_name=_("jurisdictions"),
        help_text=_(
            "Where learners of this course may say they work. General is always offered; "
            "with none chosen here, learners are not asked."
        ),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
        help_text=_("An abstract or illustrative image: never graphic or identifying."),
    )
    learning_objectives = StreamField(
        [("objective", blocks.CharBlock(max_length=300, label=_("Objective")))],
        blank=True,
        verbose_name=_("learning objectives"),
        help_text=_('Start each with a verb: "Recognise…", "Respond…".'),
    )
    topics_covered = StreamField(
        [("topic", blocks.CharBlock(max_length=300, label=_("Topic")))],
        blank=True,
        verbose_name=_("topics covered"),
    )
    sensitive_topics = models.TextField(
        _("sensitive topics"),
        blank=True,
        help_text=_("Stated up front, before anyone enrols: what difficult subjects it covers."),
    )
    estimated_minutes = models.PositiveIntegerField(
        _("estimated minutes"), default=0, help_text=_("Total time, including quizzes.")
    )
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate validity (months)"),
        default=24,
        help_text=_("How long a certificate stays valid. 0 means it never expires."),
    )
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=30,
        choices=CompletionRule.choices,
        default=CompletionRule.LESSONS_AND_QUIZZES,
    )
    allow_self_enrolment = models.BooleanField(
        _("learners can enrol themselves"),
        default=True,
        help_text=_("Turn off for courses that people join only through a cohort."),
    )
    sequential_modules = models.BooleanField(
        _("sequential modules"),
        default=False,
        help_text=_("Each module unlocks when the previous one is complete."),
    )
    minimum_lesson_time_percent = models.PositiveSmallIntegerField(
        _("minimum time on a lesson (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "A lesson can be marked complete only after this share of its estimated minutes "
            "has passed since the learner opened it. 0 turns the rule off."
        ),
    )

    content_panels = (
        [TerminologyPanel()]
        + Page.content_panels
        + [
            "summary",
            FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
            FieldPanel("jurisdictions", widget=forms.CheckboxSelectMultiple),
            "image",
            "sensitive_topics",
            "learning_objectives",
            "topics_covered",
        ]
    )
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel(["estimated_minutes", "certificate_validity_months"]),
                "completion_rule",
                FieldRowPanel(["allow_self_enrolment", "sequential_modules"]),
                "minimum_lesson_time_percent",
            ],
            heading=_("Course rules"),
        )
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("sensitive_topics"),
        index.SearchField("topics_covered"),
        index.RelatedFields("audiences", [index.SearchField("name")]),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    page_description = _("A course made of modules and lessons.")

    class Meta:
        verbose_name = _("course")

    def get_outline(self):
        """Live modules with their live lessons, in tree order: two queries in all (more
        only when a translated page carries a draft's words: `published_words`)."""
        modules = list(
            ModulePage.objects.child_of(self)
            .live()
            .order_by("path")
            .only(*ROUTE_MODULE_FIELDS, "live_revision_id")
        )
        lessons = (
            LessonPage.objects.descendant_of(self)
            .live()
            .order_by("path")
            .only(
                "id",
                "title",
                "slug",
                "path",
                "depth",
                "url_path",
                "estimated_minutes",
                "content_note",
                "locale_id",
                "translation_key",
                "has_unpublished_changes",
                "live_revision_id",
            )
        )
        published_words(modules, ("title",))
        lessons = list(lessons)
        published_words(lessons, ("title", "estimated_minutes", "content_note"))
        by_module = {module.path: [] for module in modules}
        for lesson in lessons:
            parent_path = lesson.path[: -Page.steplen]
            if parent_path in by_module:
                by_module[parent_path].append(lesson)
        return [(module, by_module[module.path]) for module in modules]

    def jurisdiction_context(self, request, enrolment):
        """Where the learner works, and what they may pick (empty when the course offers no
        jurisdictions). From the cache; one query more only to default an enrol form from
        the learner's cohort."""
        from courses.learning import services as progress
        from courses.models import jurisdictions as where

        choices = where.course_choices(self)
        if len(choices) < 2:
            return {"jurisdiction_choices": []}
        if enrolment is not None:
            current = where.for_enrolment(enrolment)
        elif request.user.is_authenticated and self.allow_self_enrolment:
            current = progress.cohort_jurisdiction(request.user, self) or choices[0]
        else:
            current = choices[0]
        return {"jurisdiction_choices": choices, "jurisdiction": current}

    def get_context(self, request, *args, **kwargs):
        from courses.content.outline import course_outline_html, urls_below
        from courses.learning import services as progress

        context = super().get_context(request, *args, **kwargs)
        # Progress belongs to the source course; the outline is this language's.
        source = source_page(self)
        outline = progress.cached_course_outline(self)
        lessons = [lesson for _, module_lessons in outline for lesson in module_lessons]
        to_source = progress_ids(lessons)
        enrolment = progress.current_enrolment(request.user, source)
        show_next_lesson(enrolment, lessons, to_source)
        completed_sources = progress.completed_lesson_ids(enrolment)
        completed = {lesson.id for lesson in lessons if to_source[lesson.id] in completed_sources}
        locked = progress.locked_lesson_ids(source, lessons, completed) if enrolment else set()
        for lesson in lessons:
            lesson.state = (
                "done"
                if lesson.id in completed
                else "locked"
                if lesson.id in locked
                else "not_started"
            )
        for module, module_lessons in outline:
            states = {lesson.state for lesson in module_lessons}
            module.state = states.pop() if len(states) == 1 else "in_progress"
        context["outline"] = outline
        context["outline_html"] = course_outline_html(
            outline,
            urls_below(self, [*(module for module, _ in outline), *lessons], request),
            enrolled=enrolment is not None,
        )
        context["lesson_count"] = len(lessons)
        context["enrolment"] = enrolment
        context.update(source.jurisdiction_context(request, enrolment))
        context["awaiting_name"] = (
            progress.awaiting_certificate_name(request.user)
            if enrolment and enrolment.completed_at
            else []
        )
        context["crumbs"] = [self.get_parent()]
        return context


class ModulePage(LanguagePrefixMixin, CachedRouteMixin, Page):
    """A module of a course: an introduction, objectives and its lessons."""

    template = "courses/content/module_page.html"

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ul", "ol"]
    )
    objectives = StreamField(
        [("objective", blocks.CharBlock(max_length=300, label=_("Objective")))],
        blank=True,
        verbose_name=_("objectives"),
    )

    content_panels = [TerminologyPanel()] + Page.content_panels + ["intro", "objectives"]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    page_description = _("A module: a group of lessons within a course.")

    class Meta:
        verbose_name = _("module")

    @cached_property
    def course(self):
        return CoursePage.objects.ancestor_of(self).first()

    def get_context(self, request, *args, **kwargs):
        from courses.learning import services as progress

        context = super().get_context(request, *args, **kwargs)
        course = self.course
        context["course"] = course
        context["crumbs"] = [course] if course else []
        lessons = list(LessonPage.objects.child_of(self).live().order_by("path"))
        context["lessons"] = lessons
        source = source_page(course)
        enrolment = progress.current_enrolment(request.user, source) if course else None
        context["enrolment"] = enrolment
        if enrolment is None:
            return context
        enrolment.course = source
        to_source = progress_ids(lessons)
        states = progress.lesson_states(
            enrolment, [Page(id=to_source[item.id]) for item in lessons]
        )
        for lesson in lessons:
            lesson.state = states[to_source[lesson.id]]
        # The primary action: the first lesson still to do, else the next module or the course.
        context["continue_lesson"] = next(
            (lesson for lesson in lessons if lesson.state in {"todo", "progress"}), None
        )
        context["module_done"] = all(lesson.state == "done" for lesson in lessons)
        if context["module_done"]:
            context["next_module"] = (
                ModulePage.objects.sibling_of(self, inclusive=False)
                .live()
                .filter(path__gt=self.path)
                .order_by("path")
                .first()
            )
        return context


class LessonPage(LanguagePrefixMixin, CachedRouteMixin, Page):
    """A lesson: a body of blocks, an estimate of time, an optional content note, sources."""

    template = "courses/content/lesson_page.html"

    content_note = models.TextField(
        _("content note"),
        blank=True,
        help_text=_(
            "Shown before the lesson when it discusses abuse, grooming or exploitation. "
            'For example: "This lesson discusses grooming of children. No graphic detail."'
        ),
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=10)
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"))
    sources = StreamField(
        [("source", SourceBlock())],
        blank=True,
        verbose_name=_("sources"),
        help_text=_("Where the facts in this lesson come from."),
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        verbose_name=_("quiz"),
        help_text=_("Learners must pass this quiz to complete the lesson (if the course says so)."),
    )
    # Set whenever the lesson is saved with a quiz. Deleting the quiz empties `quiz` (SET_NULL)
    # but not this, so the lesson fails closed: it cannot be completed until an editor
    # chooses another quiz or removes the requirement by saving the lesson without one.
    quiz_required = models.BooleanField(_("quiz required"), default=False, editable=False)

    content_panels = (
        [TerminologyPanel()]
        + Page.content_panels
        + [
            FieldRowPanel(["estimated_minutes"]),
            "content_note",
            "body",
            "quiz",
            "sources",
        ]
    )
    search_fields = Page.search_fields + [
        index.SearchField("body"),
        index.SearchField("content_note"),
    ]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    page_description = _("A lesson within a module.")

    class Meta:
        verbose_name = _("lesson")

    @cached_property
    def course(self):
        return CoursePage.objects.ancestor_of(self).first()

    @cached_property
    def module(self):
        return ModulePage.objects.ancestor_of(self).first()

    def save(self, *args, **kwargs):
        self.quiz_required = bool(self.quiz_id)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "quiz" in update_fields:
            kwargs["update_fields"] = {*update_fields, "quiz_required"}
        return super().save(*args, **kwargs)

    def lesson_state(self, course, context):
        """The enrolled learner's state for this lesson, naming its one primary action:
        locked, done, quiz_unavailable, take_quiz, quiz_passed or complete (None: not enrolled)."""
        if context.get("enrolment") is None or course is None:
            return None
        if context.get("lesson_locked"):
            return "locked"
        if context.get("lesson_done"):
            return "done"
        if course.completion_rule != CompletionRule.LESSONS_AND_QUIZZES:
            return "complete"
        if context["quiz_unavailable"]:
            return "quiz_unavailable"
        if self.quiz_id and self.quiz.live:
            return "quiz_passed" if context["quiz_passed"] else "take_quiz"
        return "complete"

    # --- Jurisdictions: "Where you work" blocks and previews -----------------------------

    @property
    def preview_modes(self):
        """One preview per jurisdiction, general first (the default)."""
        modes = [(GENERAL, _("Guidance for: %(name)s") % {"name": GENERAL_NAME})]
        rows = Jurisdiction.objects.sources().exclude(code=GENERAL).values_list("code", "name")
        for code, name in rows:
            modes.append((code, _("Guidance for: %(name)s") % {"name": name}))
        return modes

    @property
    def default_preview_mode(self):
        return GENERAL

    def serve_preview(self, request, mode_name):
        request.lantern_preview_jurisdiction = mode_name or GENERAL
        return super().serve_preview(request, mode_name)

    JURISDICTION_BLOCKS = frozenset({"where_you_work", "helplines"})

    def has_jurisdiction_blocks(self):
        """Whether a block in the body depends on where the learner works."""
        return any(item.get("type") in self.JURISDICTION_BLOCKS for item in self.body.raw_data)

    def jurisdiction_context(self, request, course, enrolment):
        """What "Where you work" blocks need: the learner's code (from their enrolment, or the
        previewed one; general otherwise), the jurisdictions by code and where to change it.
        Read from the cache: no query per block, and none for the page in the usual case."""
        from courses.models import jurisdictions as where

        if not self.has_jurisdiction_blocks():
            return {}
        preview = getattr(request, "lantern_preview_jurisdiction", None)
        code = preview or where.code_for(enrolment)
        change_url = ""
        if course is not None and not preview:
            anchor = "#where-you-work" if enrolment is not None else "#enrol"
            change_url = course.get_url(request) + anchor
        return {
            "jurisdiction_code": code,
            "jurisdictions": where.all_jurisdictions(),
            "jurisdiction_change_url": change_url,
        }

    def reflection_block_ids(self):
        return {child.id for child in self.body if child.block_type == "reflection"}

    def get_context(self, request, *args, **kwargs):
        from courses.content.outline import course_contents_html, urls_below
        from courses.learning import services as progress
        from courses.models.reflections import Reflection

        context = super().get_context(request, *args, **kwargs)
        course = self.course
        context["course"] = course
        context["module"] = self.module
        # What the learner does is recorded against the source lesson and course, whichever
        # language's page this is (`courses.content.locales`).
        lesson = source_page(self)
        source_course = source_page(course)
        previous_lesson = next_lesson = None
        enrolment = progress.current_enrolment(request.user, source_course) if course else None
        context["enrolment"] = enrolment
        if enrolment is not None:
            enrolment.course = source_course
        if course is not None:
            siblings, titles = progress.cached_outline(course)
            completed, locked = set(), set()
            if enrolment is not None and self.live:
                to_source = progress_ids(siblings)
                show_next_lesson(enrolment, siblings, to_source)
                rows = progress.lesson_progress_rows(enrolment)
                row = rows.get(lesson.id)
                progress.record_lesson_opened(
                    enrolment, lesson, last_opened_at=row[1] if row else None, has_row=bool(row)
                )
                completed = {
                    item.id
                    for item in siblings
                    if rows.get(to_source[item.id], (None,))[0] is not None
                }
                locked = progress.locked_lesson_ids(source_course, siblings, completed)
                context["lesson_done"] = self.id in completed
                context["lesson_locked"] = self.id in locked
                if not context["lesson_done"]:
                    context["time_left"] = progress.minimum_time_left(enrolment, lesson)
                    context["time_left_text"] = progress.describe_wait(context["time_left"])
            ids = [item.id for item in siblings]
            if self.id in ids:
                position = ids.index(self.id)
                previous_lesson = siblings[position - 1] if position > 0 else None
                next_lesson = siblings[position + 1] if position + 1 < len(siblings) else None
                context["lesson_position"] = position + 1
                context["lesson_total"] = len(siblings)
            context["course_contents"] = progress.course_contents(
                course,
                siblings,
                self,
                completed,
                locked,
                with_states=enrolment is not None,
                titles=titles,
            )
            # Rendered once, shown twice (the phone disclosure and the wide-screen sidebar).
            context["course_contents_html"] = course_contents_html(
                context["course_contents"], urls_below(course, siblings, request)
            )
        context["previous_lesson"] = previous_lesson
        context["next_lesson"] = next_lesson
        reflections = {}
        if request.user.is_authenticated and self.id and self.reflection_block_ids():
            reflections = {
                r.block_id: r for r in Reflection.objects.filter(user=request.user, lesson=lesson)
            }
        context["reflections"] = reflections
        # A pass counts for the cycle in which the attempt was started; attempts belong to
        # the source lesson's (source) quiz.
        since = enrolment.enrolled_at if enrolment else None
        context["quiz_passed"] = bool(
            lesson.quiz_id and has_passed(request.user, lesson.quiz_id, since=since)
        )
        context["quiz_unavailable"] = lesson.quiz_required and (
            lesson.quiz is None or not lesson.quiz.live
        )
        context["lesson_state"] = lesson.lesson_state(source_course, context)
        context["sources"] = [child.value for child in self.sources]
        context.update(self.jurisdiction_context(request, course, enrolment))
        return context
