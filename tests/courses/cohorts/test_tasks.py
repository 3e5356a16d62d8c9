"""With the production task backend (django-tasks-db), emails wait in the database queue
until the worker runs, and the worker sends each once."""

import pytest
from django.core import mail
from django.core.management import call_command

from courses.cohorts import services as cohorts
from courses.models import CohortInvitation
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_tasks(settings):
    """django-tasks resets its backends when the TASKS setting changes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_invitations_are_sent_by_the_worker(queued_tasks):
    index = factories.make_course_index()
    course_page, _lessons = factories.make_course(index, modules=1, lessons_per_module=1)
    cohort = factories.make_cohort(course_page)
    cohorts.add_people(cohort, [("a@example.org", "Ana"), ("b@example.org", "Ben")])
    assert mail.outbox == []  # queued, not sent inside the request
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert not CohortInvitation.objects.filter(sent_at__isnull=True).exists()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert len(mail.outbox) == 2
