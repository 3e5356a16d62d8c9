"""Certificates: issued once per completion cycle, verifiable by anyone with the code."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import conf

# No 0/O, 1/I/L or U: nothing a reader can confuse. 20 characters of 30 ≈ 98 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
CODE_GROUP = 4


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw):
    """The stored form of a typed code (case, spaces and dashes ignored), or None."""
    if not raw or len(raw) > 64:
        return None
    code = "".join(ch for ch in raw.upper() if ch.isalnum())
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def format_code(code):
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


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
        return format_code(self.code)

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
