"""Background work for email delivery (django-tasks)."""

from django_tasks import task


@task()
def deliver_outbox():
    """Send every email of the outbox that is due; returns how many were sent."""
    from courses.delivery.services import deliver_due

    return deliver_due()
