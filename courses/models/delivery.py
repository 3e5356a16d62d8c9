"""The outbox: every email the courses app sends waits here as a row until it is delivered."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not delivered")


class OutboundEmail(models.Model):
    """One email, queued with a unique key so that it is queued and sent once; the delivery
    retries it with a growing delay and marks the object it is about once it is sent."""

    key = models.CharField(
        _("key"),
        max_length=200,
        unique=True,
        help_text=_('What the email is for, e.g. "invitation:12": one email per key.'),
    )
    to = models.EmailField(_("to"), max_length=254, help_text=_("The recipient's address."))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), help_text=_("The plain-text email, as rendered."))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("How many times sending was started.")
    )
    next_attempt_at = models.DateTimeField(
        _("next attempt"), default=timezone.now, help_text=_("Not sent before this time.")
    )
    claimed_until = models.DateTimeField(
        _("claimed until"),
        null=True,
        blank=True,
        help_text=_("A worker is sending it until then; after that another may try again."),
    )
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True)
    last_error = models.CharField(
        _("last error"),
        max_length=300,
        blank=True,
        help_text=_("Why the last attempt failed (the kind of error, no credentials)."),
    )
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    mark_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("marks model"),
        help_text=_("The kind of record stamped when the email is sent."),
    )
    mark_id = models.PositiveBigIntegerField(
        _("marks record"), null=True, blank=True, help_text=_("Its id.")
    )
    mark_field = models.CharField(
        _("marks field"),
        max_length=50,
        blank=True,
        help_text=_("The date field set to the sending time, e.g. sent_at."),
    )

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="courses_outbox_due"),
        ]

    def __str__(self):
        return f"{self.key} to {self.to}"

    @property
    def undelivered(self):
        """True once an attempt failed and the email has not gone since."""
        return self.status != DeliveryStatus.SENT and bool(self.last_error)
