"""xAPI: statements about learning, queued per learning record store and sent in order."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SITE_DESTINATION = "site"


class XapiAgent(models.Model):
    """The learner as an xAPI account on the site: a random name, so the learning record store
    never holds their email or account id."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xapi_agent"
    )
    name = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("xAPI agent")
        verbose_name_plural = _("xAPI agents")

    def __str__(self):
        return str(self.name)


class XapiStatement(models.Model):
    """One statement for one learning record store (`destination`: "site", or "org:<id>" for
    an organisation's own). Sent in the order queued, per destination; the statement id is
    derived from what happened, so sending it again changes nothing in the store."""

    statement_id = models.UUIDField(_("statement id"))
    destination = models.CharField(_("destination"), max_length=40, default=SITE_DESTINATION)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Whose learning it records (statements go when the account is deleted)."),
    )
    statement = models.JSONField(_("statement"))
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        constraints = [
            models.UniqueConstraint(
                fields=["statement_id", "destination"], name="courses_xapi_once_per_store"
            )
        ]
        indexes = [models.Index(fields=["destination", "sent_at", "id"])]

    def __str__(self):
        verb = self.statement.get("verb", {}).get("display", {}).get("en-US", "")
        return f"{verb} → {self.destination}"
