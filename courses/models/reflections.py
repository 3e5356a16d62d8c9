from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reflection(models.Model):
    """A learner's private answer to a reflection prompt in a lesson. Only they see it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="reflections"
    )
    block_id = models.CharField(
        _("prompt"), max_length=64, help_text=_("The id of the reflection block in the lesson.")
    )
    text = models.TextField(_("answer"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "block_id"], name="courses_reflection_unique"
            )
        ]

    def __str__(self):
        return f"Reflection by {self.user_id} on lesson {self.lesson_id}"
