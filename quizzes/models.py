"""Quizzes: questions, choices, attempts and scoring. This app never imports `courses`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)
from wagtail.search import index

from .admin_forms import QuizAdminForm
from .panels import QuizChecksPanel


def parse_codes(text):
    """Comma-separated jurisdiction codes as a list (lower case, no blanks)."""
    return [code.strip().lower() for code in (text or "").split(",") if code.strip()]


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single answer")
    MULTIPLE = "multiple", _("Multiple answer")
    TRUE_FALSE = "true_false", _("True or false")
    SCENARIO = "scenario", _("Scenario (a situation, then a single answer)")


class Scoring(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    PARTIAL = "partial", _("Partial credit, wrong choices subtract (never below 0)")


class FeedbackMode(models.TextChoices):
    """What a learner sees after submitting. The answer key (which choices are correct, and
    each choice's feedback) is never shown while the learner can still try again."""

    WITHOUT_KEY = "without_key", _("After each attempt, without the key")
    KEY_WHEN_DONE = "key_when_done", _("Key after passing or after the last attempt")
    NEVER = "never", _("Never (score only)")


# A summative quiz (a final assessment) waits at least this long between attempts.
SUMMATIVE_MIN_COOLDOWN = 60


class LatePolicy(models.TextChoices):
    FLAG = "flag", _("Accept late answers, score them and flag the attempt as late")
    REJECT = "reject", _("Close at the deadline: only answers saved in time count")


class Quiz(
    TranslatableMixin,
    WorkflowMixin,
    DraftStateMixin,
    RevisionMixin,
    LockableMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """An assessment: a pool of questions and the rules for taking it.

    Learners only ever see the live row; editors' changes wait in revisions until published,
    directly by a reviewer or by approving the workflow assigned to quizzes.
    """

    title = models.CharField(_("title"), max_length=255)
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown before the learner starts.")
    )
    content_note = models.TextField(
        _("content note"),
        blank=True,
        max_length=500,
        help_text=_(
            "Shown before the learner starts and during the attempt when questions touch "
            'abuse, exploitation or disclosure. For example: "This quiz includes short '
            'scenarios about grooming. No graphic detail."'
        ),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 means unlimited.")
    )
    cooldown_minutes = models.PositiveIntegerField(
        _("cooldown (minutes)"), default=0, help_text=_("Wait between attempts. 0 for none.")
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=False)
    questions_to_draw = models.PositiveSmallIntegerField(
        _("questions to draw"),
        default=0,
        help_text=_("Draw this many questions at random from the pool. 0 uses every question."),
    )
    draw_per_tag = models.BooleanField(
        _("spread the draw across tags"),
        default=False,
        help_text=_("Draw evenly from each tag so every topic is covered."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), default=0, help_text=_("0 means no time limit.")
    )
    late_policy = models.CharField(
        _("late submissions"),
        max_length=10,
        choices=LatePolicy.choices,
        default=LatePolicy.REJECT,
        help_text=_(
            "With a time limit: at the deadline the attempt is marked with the answers saved "
            "before it, and anything sent later is ignored. Flagging keeps the old, advisory "
            "limit."
        ),
    )
    feedback_mode = models.CharField(
        _("show feedback"),
        max_length=20,
        choices=FeedbackMode.choices,
        default=FeedbackMode.KEY_WHEN_DONE,
        help_text=_(
            "Without the key: which questions were wrong and their explanations, never the "
            "right choices. Key after passing or the last attempt: the same, then the right "
            "choices and each choice's feedback once the learner passes or has no attempts left."
        ),
    )
    summative = models.BooleanField(
        _("summative (final assessment)"),
        default=False,
        help_text=_(
            "No feedback on single questions until the learner passes or has no attempts "
            "left, whatever the feedback setting; at least 60 minutes between attempts. "
            "Use it for a course's final assessment."
        ),
    )
    review_before_submit = models.BooleanField(
        _("review before submitting"),
        default=True,
        help_text=_("Learners check their answers on a summary page before the final submit."),
    )

    panels = [
        QuizChecksPanel(),
        "title",
        "intro",
        "content_note",
        MultiFieldPanel(
            [
                FieldRowPanel(["pass_mark", "attempts_allowed", "cooldown_minutes"]),
                FieldRowPanel(["questions_to_draw", "draw_per_tag"]),
                FieldRowPanel(["shuffle_questions", "shuffle_choices"]),
                FieldRowPanel(["time_limit_minutes", "late_policy"]),
                FieldRowPanel(["feedback_mode", "summative", "review_before_submit"]),
            ],
            heading=_("Rules"),
        ),
        InlinePanel(
            "blueprint",
            heading=_("Blueprint: questions per tag"),
            label=_("Tag"),
            help_text=_(
                "Every attempt draws this many questions with each tag, then the rest of "
                "“questions to draw” from the whole pool. A question with several of these "
                "tags counts for the first row."
            ),
        ),
        InlinePanel("questions", heading=_("Questions"), label=_("Question"), min_num=1),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]
    base_form_class = QuizAdminForm

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]

    def __str__(self):
        return self.title

    # A title written as "Module one: check your understanding" (or the other way round)
    # shows the kind of quiz as a short line above the heading, so the heading stays short.
    KICKER_PHRASES = ("check your understanding", "final assessment", "quiz")

    def _title_parts(self):
        first, sep, rest = self.title.partition(": ")
        if sep and first.strip() and rest.strip():
            if rest.strip().lower() in self.KICKER_PHRASES:
                return rest[:1].upper() + rest[1:], first
            if first.strip().lower() in self.KICKER_PHRASES:
                return first[:1].upper() + first[1:], rest
        return _("Quiz"), self.title

    @property
    def kicker(self):
        """The short line shown above the quiz's heading."""
        return self._title_parts()[0]

    @property
    def heading(self):
        """The quiz's title without the part shown as its kicker."""
        return self._title_parts()[1]

    def clean(self):
        super().clean()
        if self.questions_to_draw and self.pk:
            available = self.questions.count()
            if available and self.questions_to_draw > available:
                message = _("The pool has only %(n)s questions.") % {"n": available}
                raise ValidationError({"questions_to_draw": message})
        if self.summative and self.cooldown_minutes < SUMMATIVE_MIN_COOLDOWN:
            message = _("A summative quiz needs at least %(n)s minutes between attempts.") % {
                "n": SUMMATIVE_MIN_COOLDOWN
            }
            raise ValidationError({"cooldown_minutes": message})

    @property
    def effective_cooldown_minutes(self):
        """The wait between attempts: never under the summative minimum for a summative quiz,
        even one saved without the admin form (an import, the shell)."""
        if self.summative:
            return max(self.cooldown_minutes, SUMMATIVE_MIN_COOLDOWN)
        return self.cooldown_minutes

    def get_preview_template(self, request, mode_name):
        return "quizzes/quiz_preview.html"


class QuizBlueprintRow(Orderable):
    """One row of a quiz's blueprint: draw this many questions with this tag every attempt."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="blueprint")
    tag = models.CharField(
        _("tag"), max_length=100, help_text=_("A tag used on the questions, e.g. non-punishment.")
    )
    count = models.PositiveSmallIntegerField(
        _("questions"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many questions with this tag each attempt gets."),
    )

    panels = [FieldRowPanel(["tag", "count"])]

    class Meta(Orderable.Meta):
        verbose_name = _("blueprint row")

    def __str__(self):
        return f"{self.tag} × {self.count}"


class Question(TranslatableMixin, Orderable, ClusterableModel):
    """One question in a quiz's pool, with its choices."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(
        _("type"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    vignette = models.TextField(
        _("scenario"), blank=True, help_text=_("For scenario questions: the situation.")
    )
    text = models.TextField(_("question"))
    scoring = models.CharField(
        _("scoring (multiple answer)"),
        max_length=20,
        choices=Scoring.choices,
        default=Scoring.ALL_OR_NOTHING,
    )
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Why the right answer is right. Teaches.")
    )
    tags = models.CharField(
        _("tags"), max_length=255, blank=True, help_text=_("Topics, separated by commas.")
    )
    jurisdictions = models.CharField(
        _("jurisdictions"),
        max_length=255,
        blank=True,
        help_text=_(
            'Jurisdiction codes, separated by commas (e.g. "us, eu"): only learners who work '
            "there get this question. Empty: every learner. Learners on general get only "
            "questions without codes."
        ),
    )

    panels = [
        FieldRowPanel(["kind", "scoring"]),
        "vignette",
        "text",
        "explanation",
        FieldRowPanel(["tags", "jurisdictions"]),
        InlinePanel("choices", heading=_("Choices"), label=_("Choice"), min_num=2),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("question")

    def __str__(self):
        return self.text[:80]

    @property
    def tag_list(self):
        return [tag.strip().lower() for tag in self.tags.split(",") if tag.strip()]

    @property
    def jurisdiction_list(self):
        return parse_codes(self.jurisdictions)

    def is_for(self, jurisdiction):
        """Whether a learner in this jurisdiction (a code; "" or "general" for general) gets
        it: untagged questions are for everyone."""
        codes = self.jurisdiction_list
        return not codes or (bool(jurisdiction) and jurisdiction.strip().lower() in codes)


class Choice(TranslatableMixin, Orderable):
    """A possible answer, with feedback for learners who choose it."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("choice"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(_("feedback"), blank=True)

    panels = [FieldRowPanel(["text", "is_correct"]), "feedback"]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("choice")

    def __str__(self):
        return self.text


class Accommodation(models.Model):
    """Extra time, or no time limit, for one learner (on one quiz or all). WCAG 2.2.1."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_accommodations"
    )
    quiz = models.ForeignKey(
        Quiz,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="accommodations",
        help_text=_("Leave blank for every quiz."),
    )
    extra_time_percent = models.PositiveSmallIntegerField(
        _("extra time (%)"), default=0, validators=[MaxValueValidator(400)]
    )
    no_time_limit = models.BooleanField(_("no time limit"), default=False)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("time accommodation")
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz"], name="quizzes_accommodation_unique")
        ]

    def __str__(self):
        return f"{self.user}: {self.quiz or 'all quizzes'}"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    REJECTED = "rejected", _("Rejected (late)")


class Attempt(models.Model):
    """One sitting of a quiz, with a snapshot of the questions exactly as shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt number"))
    status = models.CharField(
        max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(auto_now_add=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    snapshot = models.JSONField(
        help_text=_("Questions and choices as shown, with the correct answers, at the start.")
    )
    draft_answers = models.JSONField(default=dict, blank=True)
    draft_saved_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When an answer was last saved (always in time).")
    )
    timed_out = models.BooleanField(
        default=False,
        help_text=_("Closed at the deadline with the answers saved in time."),
    )
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    percent = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    pass_mark = models.PositiveSmallIntegerField()
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=50,
        blank=True,
        help_text=_("The learner's jurisdiction code when the attempt started. Empty: general."),
    )
    language = models.CharField(
        _("language"),
        max_length=20,
        blank=True,
        help_text=_("The language the questions were shown in (a locale's language code)."),
    )

    class Meta:
        verbose_name = _("attempt")
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "number"], name="quizzes_attempt_unique_number"
            ),
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(status="in_progress"),
                name="quizzes_attempt_one_open",
            ),
        ]
        indexes = [models.Index(fields=["quiz", "status", "number"])]

    def __str__(self):
        return f"{self.user} · {self.quiz} · attempt {self.number}"

    @property
    def is_open(self):
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def enforces_deadline(self):
        """A hard deadline: answers arriving after it are ignored (late policy REJECT)."""
        return bool(self.deadline_at) and self.quiz.late_policy == LatePolicy.REJECT


class AttemptAnswer(models.Model):
    """The learner's answer to one question of an attempt, and the score it earned."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question_id = models.PositiveBigIntegerField()
    position = models.PositiveSmallIntegerField()
    choice_ids = models.JSONField(default=list)
    score = models.FloatField()
    max_score = models.FloatField(default=1.0)

    class Meta:
        verbose_name = _("answer")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question_id"], name="quizzes_answer_unique_question"
            )
        ]

    def __str__(self):
        return f"{self.attempt} · question {self.question_id}"
