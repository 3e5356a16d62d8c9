"""Background work for xAPI (django-tasks)."""

from django_tasks import task


@task()
def send_xapi():
    """Send queued xAPI statements to every learning record store; returns how many."""
    from courses.xapi.services import deliver_all

    return deliver_all()
