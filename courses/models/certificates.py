"""Certificates: issued once per completion cycle, verifiable by anyone with the code."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import codes, conf

# No 0/O, 1/I/L or U: nothing a reader can confuse. 20 characters of 30 ≈ 98 bits.
CODE_ALPHABET = codes.ALPHABET
CODE_LENGTH = 20  # about 98 bits


def new_code():
    """A new certificate code (the field's default; migrations name this function)."""
    return codes.new_code(CODE_LENGTH)


def default_language():
    """The language of certificates issued before certificates had one: the site's."""
    return settings.LANGUAGE_CODE


def normalise_code(raw):
    """The stored form of a typed certificate code, or None."""
    return codes.normalise_code(raw, CODE_LENGTH)


class CertificateStatus(models.TextChoices):
    """What a certificate is worth today. "Expires soon" is still valid: it is within the
    renewal window (`LANTERN_CERTIFICATE_RENEWAL_DAYS`), when the holder may renew it."""

    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expires soon")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")

    @property
    def is_valid(self):
        """Whether a certificate in this state proves completion today."""
        return self in (CertificateStatus.VALID, CertificateStatus.EXPIRING)


class CertificateQuerySet(models.QuerySet):
    @staticmethod
    def status_case(now=None):
        """An expression giving each certificate's CertificateStatus (agrees with
        `Certificate.status()`)."""
        now = now or timezone.now()
        window = now + timedelta(days=conf.certificate_renewal_days())
        return Case(
            When(revoked_at__isnull=False, then=Value(CertificateStatus.REVOKED)),
            When(expires_at__lte=now, then=Value(CertificateStatus.EXPIRED)),
            When(expires_at__lte=window, then=Value(CertificateStatus.EXPIRING)),
            default=Value(CertificateStatus.VALID),
            output_field=models.CharField(),
        )

    def with_status(self, now=None):
        """Annotate `current_status` (a CertificateStatus value), to filter and sort by."""
        return self.annotate(current_status=self.status_case(now))

    def filter_status(self, status, now=None):
        """Certificates with this status, as a plain condition on the dates (index-friendly)."""
        now = now or timezone.now()
        window = now + timedelta(days=conf.certificate_renewal_days())
        if status == CertificateStatus.REVOKED:
            return self.filter(revoked_at__isnull=False)
        live = self.filter(revoked_at__isnull=True)
        if status == CertificateStatus.EXPIRED:
            return live.filter(expires_at__lte=now)
        if status == CertificateStatus.EXPIRING:
            return live.filter(expires_at__gt=now, expires_at__lte=window)
        if status == CertificateStatus.VALID:
            return live.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=window))
        return self


class Certificate(models.Model):
    """Proof that a person completed a course, with what a third party needs to check it.

    The name, course title and dates are copied at issue so that later edits never change a
    certificate. The name is never blank while the certificate has a holder (a database
    constraint): certificates are issued to a name, never to an email address. If the learner
    deletes their account, the record stays without the name."""

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
    jurisdiction_name = models.CharField(
        _("jurisdiction"),
        max_length=100,
        blank=True,
        help_text=_("Where the holder trained for, copied at issue. Blank: general or none."),
    )
    language = models.CharField(
        _("language"),
        max_length=15,
        default=default_language,
        help_text=_(
            "The holder's language at issue: the certificate's words, course title and "
            "jurisdiction are in it, and stay so."
        ),
    )
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

    status_list_index = models.PositiveIntegerField(
        _("status list position"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_(
            "Where the signed credential's revocation bit is in the site's status lists; "
            "allocated at random when the credential is first issued."
        ),
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True)
                | Q(GreaterThan(Length(Trim("name_on_certificate")), 0)),
                name="courses_certificate_named_holder",
                violation_error_message=_("A certificate with a holder needs a name."),
            )
        ]

    def __str__(self):
        return f"{self.course_title}: {self.display_code}"

    @property
    def display_code(self):
        return codes.format_code(self.code)

    def status(self, now=None):
        """The CertificateStatus (agrees with `Certificate.objects.with_status()`)."""
        now = now or timezone.now()
        if self.revoked_at:
            return CertificateStatus.REVOKED
        if self.expires_at and self.expires_at <= now:
            return CertificateStatus.EXPIRED
        window = timedelta(days=conf.certificate_renewal_days())
        if self.expires_at and self.expires_at <= now + window:
            return CertificateStatus.EXPIRING
        return CertificateStatus.VALID

    @property
    def renewable_from(self):
        """The day renewal opens (the start of the "expires soon" window), or None."""
        if self.expires_at is None:
            return None
        return self.expires_at - timedelta(days=conf.certificate_renewal_days())

    @property
    def can_recertify(self):
        return self.status() in {CertificateStatus.EXPIRED, CertificateStatus.EXPIRING}
