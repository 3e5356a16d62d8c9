"""Uploads of people to a cohort, added in the background in batches."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Adding people")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Stopped")


class CohortUploadJob(models.Model):
    """A confirmed CSV upload: its valid rows, added in batches by a worker, with progress."""

    public_id = models.UUIDField(
        verbose_name=_("public id"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Identifies the upload in its status page's address."),
    )
    cohort = models.ForeignKey(
        "courses.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.CASCADE,
        related_name="upload_jobs",
        help_text=_("The cohort the people are invited to."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The manager who confirmed the upload."),
    )
    filename = models.CharField(
        verbose_name=_("file name"), max_length=120, blank=True, help_text=_("As uploaded.")
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=10,
        choices=UploadStatus.choices,
        default=UploadStatus.QUEUED,
        help_text=_("Where the upload is."),
    )
    rows = models.JSONField(
        verbose_name=_("rows"),
        default=list,
        blank=True,
        help_text=_("The valid [email, name] pairs, in file order; emptied once done."),
    )
    total = models.PositiveIntegerField(
        verbose_name=_("total"), default=0, help_text=_("Valid rows to process.")
    )
    processed = models.PositiveIntegerField(
        verbose_name=_("processed"),
        default=0,
        help_text=_("Rows already applied, from the start of the file: a resumed run skips them."),
    )
    invited = models.PositiveIntegerField(
        verbose_name=_("invited"), default=0, help_text=_("Invitations created or renewed.")
    )
    already = models.PositiveIntegerField(
        verbose_name=_("already members"),
        default=0,
        help_text=_("Rows for people already in the cohort or invited."),
    )
    errors = models.PositiveIntegerField(
        verbose_name=_("rows with problems"),
        default=0,
        help_text=_("Rows left out at confirmation because of a problem."),
    )
    message = models.TextField(
        verbose_name=_("message"), blank=True, help_text=_("Why the upload stopped, if it did.")
    )
    created_at = models.DateTimeField(
        verbose_name=_("created at"), auto_now_add=True, help_text=_("When it was confirmed.")
    )
    started_at = models.DateTimeField(
        verbose_name=_("started at"), null=True, blank=True, help_text=_("Latest start.")
    )
    finished_at = models.DateTimeField(
        verbose_name=_("finished at"), null=True, blank=True, help_text=_("When it ended.")
    )
    updated_at = models.DateTimeField(
        verbose_name=_("updated at"), auto_now=True, help_text=_("Last progress.")
    )

    class Meta:
        verbose_name = _("cohort upload")
        verbose_name_plural = _("cohort uploads")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.cohort} ({self.processed}/{self.total})"

    @property
    def finished(self):
        """Whether there is nothing more to wait for (done or stopped)."""
        return self.status in (UploadStatus.DONE, UploadStatus.FAILED)
