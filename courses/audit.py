"""Lantern's audit log: what managers and staff did, kept in Wagtail's audit log
(`wagtail.models.ModelLogEntry`) so staff read it in the admin's Site history report.

Every entry about something that belongs to a partner organisation stores that
organisation's id in its data (`data["organisation_id"]`), which is how the manager area shows
an organisation its own entries and nothing else. `wagtail_hooks.py` registers the actions
below with the `register_log_actions` hook; code that does something worth recording calls
`record(instance, action, user, **data)` once it has succeeded."""

from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.log_actions import LogFormatter, log

# The manager area.
MEMBER_ADDED = "lantern.cohort.member_added"
INVITED = "lantern.cohort.invited"
MEMBER_REMOVED = "lantern.cohort.member_removed"
UPLOAD_COMMITTED = "lantern.cohort.upload_committed"
REPORT_DOWNLOADED = "lantern.cohort.report_downloaded"
REMINDERS_SENT = "lantern.cohort.reminders_sent"
INVITATION_CANCELLED = "lantern.cohort.invitation_cancelled"
INVITATION_RESENT = "lantern.cohort.invitation_resent"
DUE_DATE_CHANGED = "lantern.cohort.due_date_changed"
# The learner's own answers, shown to their organisation.
INVITATION_ACCEPTED = "lantern.cohort.invitation_accepted"
INVITATION_DECLINED = "lantern.cohort.invitation_declined"
MEMBER_LEFT = "lantern.cohort.member_left"
# Staff in the admin. Revoking kept the name it had before this module existed, so that older
# entries still have a label.
CERTIFICATE_REVOKED = "courses.certificate.revoke"
CERTIFICATE_RESTORED = "lantern.certificate.restored"
MANAGER_ADDED = "lantern.organisation.manager_added"
MANAGER_REMOVED = "lantern.organisation.manager_removed"
EMAIL_RETRIED = "lantern.outbound_email.retried"
# Accounts.
MFA_ENABLED = "lantern.account.mfa_enabled"
MFA_DISABLED = "lantern.account.mfa_disabled"
ADMIN_LOGIN = "lantern.account.admin_login"

REASON_SHOWN = 200


def organisation_id_for(instance):
    """The id of the partner organisation the instance belongs to, or None."""
    from courses.models import Certificate, Organisation

    if isinstance(instance, Organisation):
        return instance.pk
    if isinstance(instance, Certificate):
        enrolment = instance.enrolment
        cohort = enrolment.cohort if enrolment is not None else None
        return cohort.organisation_id if cohort is not None else None
    if getattr(instance, "organisation_id", None) is not None:  # a cohort
        return instance.organisation_id
    cohort = getattr(instance, "cohort", None)  # a membership or an invitation
    return cohort.organisation_id if cohort is not None else None


def record(instance, action, user, **data):
    """Add an entry to the audit log: `user` did `action` to `instance`. Keyword arguments are
    kept as the entry's data, with the organisation's id when the instance has one."""
    organisation_id = organisation_id_for(instance)
    if organisation_id is not None:
        data["organisation_id"] = organisation_id
    return log(instance=instance, action=action, user=user, data=data)


def record_people_added(cohort, result, user):
    """After `cohorts.services.add_people` added people one by one: an entry per person added
    or invited."""
    for person in result.added:
        record(cohort, MEMBER_ADDED, user, user_id=person.pk, email=person.email)
    for invitation in result.invited:
        record(cohort, INVITED, user, email=invitation.email)


def record_upload(cohort, result, user, filename, left_out):
    """After an upload was committed: one entry with the counts (not one per row)."""
    record(
        cohort,
        UPLOAD_COMMITTED,
        user,
        filename=filename or "",
        added=len(result.added),
        invited=len(result.invited),
        already=len(result.already),
        left_out=left_out,
    )


def record_download(cohort, user, filters):
    """After a cohort's report was exported: which course, and the status filter if any."""
    course = filters.course.title if filters.course is not None else ""
    record(cohort, REPORT_DOWNLOADED, user, course=course, status=filters.status)


def for_organisation(organisation):
    """An organisation's entries, newest first."""
    from wagtail.models import ModelLogEntry

    return (
        ModelLogEntry.objects.filter(
            action__in=list(FORMATTERS), data__organisation_id=organisation.pk
        )
        .select_related("user")
        .order_by("-timestamp", "-id")
    )


def manager_message(entry):
    """What happened, as the manager area shows it (without staff-only detail)."""
    if isinstance(entry.formatter, Formatter):
        return capfirst(entry.formatter.format_manager_message(entry))
    return entry.message


# --- Formatters --------------------------------------------------------------------------------


class Formatter(LogFormatter):
    """A Lantern action's label and message. `format_manager_message` is what managers read;
    by default the same as staff read."""

    def format_manager_message(self, log_entry):
        return self.format_message(log_entry)


def _data(log_entry):
    return log_entry.data or {}


class MemberAdded(Formatter):
    label = gettext_lazy("Add cohort member")

    def format_message(self, log_entry):
        return _("Added %(email)s to the cohort") % {"email": _data(log_entry).get("email", "")}


class InvitationAccepted(Formatter):
    label = gettext_lazy("Accept cohort invitation")

    def format_message(self, log_entry):
        return _("%(email)s accepted the invitation and joined the cohort") % {
            "email": _data(log_entry).get("email", "")
        }


class InvitationDeclined(Formatter):
    label = gettext_lazy("Decline cohort invitation")

    def format_message(self, log_entry):
        return _("%(email)s declined the invitation") % {"email": _data(log_entry).get("email", "")}


class MemberLeft(Formatter):
    label = gettext_lazy("Leave cohort")

    def format_message(self, log_entry):
        return _("%(email)s left the cohort") % {"email": _data(log_entry).get("email", "")}


class Invited(Formatter):
    label = gettext_lazy("Invite to cohort")

    def format_message(self, log_entry):
        return _("Invited %(email)s by email") % {"email": _data(log_entry).get("email", "")}


class MemberRemoved(Formatter):
    label = gettext_lazy("Remove cohort member")

    def format_message(self, log_entry):
        return _("Removed %(email)s from the cohort") % {"email": _data(log_entry).get("email", "")}


class UploadCommitted(Formatter):
    label = gettext_lazy("Add people from a file")

    def format_message(self, log_entry):
        data = _data(log_entry)
        return _(
            "Added people from %(file)s: %(added)s added, %(invited)s invited, "
            "%(already)s already there, %(left_out)s rows left out"
        ) % {
            "file": data.get("filename") or _("a file"),
            "added": data.get("added", 0),
            "invited": data.get("invited", 0),
            "already": data.get("already", 0),
            "left_out": data.get("left_out", 0),
        }


class ReportDownloaded(Formatter):
    label = gettext_lazy("Download cohort report")

    def format_message(self, log_entry):
        course = _data(log_entry).get("course")
        if course:
            return _("Downloaded the progress report for %(course)s (CSV)") % {"course": course}
        return _("Downloaded the progress report (CSV)")


class RemindersSent(Formatter):
    label = gettext_lazy("Send reminders")

    def format_message(self, log_entry):
        count = _data(log_entry).get("count", 0)
        return ngettext(
            "Reminded %(count)s overdue member",
            "Reminded %(count)s overdue members",
            count,
        ) % {"count": count}


class InvitationCancelled(Formatter):
    label = gettext_lazy("Cancel invitation")

    def format_message(self, log_entry):
        return _("Cancelled the invitation for %(email)s") % {
            "email": _data(log_entry).get("email", "")
        }


class InvitationResent(Formatter):
    label = gettext_lazy("Resend invitation email")

    def format_message(self, log_entry):
        return _("Asked for the invitation email to %(email)s to be sent again") % {
            "email": _data(log_entry).get("email", "")
        }


class DueDateChanged(Formatter):
    label = gettext_lazy("Change due date")

    def format_message(self, log_entry):
        return _("Set the due date: %(due)s") % {"due": _data(log_entry).get("due", "")}


class CertificateRevoked(Formatter):
    """Staff see the reason; managers only that it was revoked (the reason is for staff)."""

    label = gettext_lazy("Revoke certificate")

    def format_message(self, log_entry):
        reason = _data(log_entry).get("reason", "")
        if not reason:
            return _("Revoked")
        return _("Revoked. Reason: %(reason)s") % {"reason": Truncator(reason).chars(REASON_SHOWN)}

    def format_comment(self, log_entry):
        return _data(log_entry).get("reason", "")

    def format_manager_message(self, log_entry):
        return _("Revoked the certificate %(title)s") % {"title": log_entry.label}


class CertificateRestored(CertificateRevoked):
    label = gettext_lazy("Restore certificate")

    def format_message(self, log_entry):
        reason = _data(log_entry).get("reason", "")
        if not reason:
            return _("Restored")
        return _("Restored. Reason: %(reason)s") % {"reason": Truncator(reason).chars(REASON_SHOWN)}

    def format_manager_message(self, log_entry):
        return _("Restored the certificate %(title)s") % {"title": log_entry.label}


class ManagerAdded(Formatter):
    label = gettext_lazy("Grant organisation manager role")

    def format_message(self, log_entry):
        return _("Made %(email)s a manager of the organisation") % {
            "email": _data(log_entry).get("email", "")
        }


class ManagerRemoved(Formatter):
    label = gettext_lazy("Remove organisation manager role")

    def format_message(self, log_entry):
        return _("%(email)s is no longer a manager of the organisation") % {
            "email": _data(log_entry).get("email", "")
        }


class EmailRetried(Formatter):
    label = gettext_lazy("Retry email")

    def format_message(self, log_entry):
        return _("Asked for the email %(key)s to %(to)s to be tried again now") % {
            "key": _data(log_entry).get("key", ""),
            "to": _data(log_entry).get("to", ""),
        }


class MfaEnabled(Formatter):
    label = gettext_lazy("Turn on two-factor authentication")
    message = gettext_lazy("Turned on two-factor authentication")


class MfaDisabled(Formatter):
    label = gettext_lazy("Turn off two-factor authentication")
    message = gettext_lazy("Turned off two-factor authentication")


class AdminLogin(Formatter):
    label = gettext_lazy("Sign in with admin access")
    message = gettext_lazy("Signed in (an account that can use the admin)")


FORMATTERS = {
    MEMBER_ADDED: MemberAdded,
    INVITED: Invited,
    MEMBER_REMOVED: MemberRemoved,
    UPLOAD_COMMITTED: UploadCommitted,
    REPORT_DOWNLOADED: ReportDownloaded,
    REMINDERS_SENT: RemindersSent,
    INVITATION_CANCELLED: InvitationCancelled,
    INVITATION_RESENT: InvitationResent,
    DUE_DATE_CHANGED: DueDateChanged,
    INVITATION_ACCEPTED: InvitationAccepted,
    INVITATION_DECLINED: InvitationDeclined,
    MEMBER_LEFT: MemberLeft,
    CERTIFICATE_REVOKED: CertificateRevoked,
    CERTIFICATE_RESTORED: CertificateRestored,
    MANAGER_ADDED: ManagerAdded,
    MANAGER_REMOVED: ManagerRemoved,
    EMAIL_RETRIED: EmailRetried,
    MFA_ENABLED: MfaEnabled,
    MFA_DISABLED: MfaDisabled,
    ADMIN_LOGIN: AdminLogin,
}


def register_actions(actions):
    """For the `register_log_actions` hook: every action above, with its formatter."""
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)
