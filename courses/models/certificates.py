"""Certificates: issued once per completion cycle, verifiable by anyone with the code."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import codes, conf

# No 0/O, 1/I/L or U: nothing a reader can confuse. 20 characters of 30 ≈ 98 bits.
CODE_ALPHABET = codes.ALPHABET
CODE_LENGTH = 20  # about 98 bits


def new_code():
    """A new certificate code (the field's default; migrations name this function)."""
    return codes.new_code(CODE_LENGTH)


def normalise_code(raw):
    """The stored form of a typed certificate code, or None."""
    return codes.normalise_code(raw, CODE_LENGTH)


class Certificate(models.Model):
    """Proof that a person completed a course, with what a third party needs to check it.

    The name, course title and dates are copied at issue so that later edits never change a
    certificate. If the learner deletes their account, the record stays without the name."""

    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True, default=new_code)
    enrolment = models.OneToOneField(
        "courses.Enrolment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificate",
        help_text=_("One certificate per completion cycle."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    course_title = models.CharField(_("course"), max_length=255)
    course_version = models.PositiveIntegerField(
        _("course version"), null=True, blank=True, help_text=_("The course's revision at issue.")
    )
    name_on_certificate = models.CharField(_("name on certificate"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)
    reminded_at = models.DateTimeField(
        _("expiry reminder sent"),
        null=True,
        blank=True,
        help_text=_("When the holder was emailed that this certificate expires soon."),
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.course_title}: {self.display_code}"

    @property
    def display_code(self):
        return codes.format_code(self.code)

    def status(self, now=None):
        """valid, expiring (within the renewal window), expired or revoked."""
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= now:
            return "expired"
        window = timedelta(days=conf.certificate_renewal_days())
        if self.expires_at and self.expires_at <= now + window:
            return "expiring"
        return "valid"

    @property
    def can_recertify(self):
        return self.status() in {"expired", "expiring"}
