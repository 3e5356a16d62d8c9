"""Confirmed uploads are added by a worker, not in the manager's request: confirming creates a
`CohortUploadJob` holding the valid rows and enqueues `process_upload`, which invites them in
batches. Each batch, and the job's `processed` count, is saved in one transaction, so a run
that stops (a worker restart, a full cohort) leaves every finished batch applied and the job
says where to go on; running it again skips those rows. `add_people` itself treats people
already invited as "already there", so no row is applied twice."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from courses import audit
from courses.cohorts import services as cohorts
from courses.models import CohortUploadJob, MembershipSource, UploadStatus

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
STALLED_AFTER = timedelta(minutes=10)  # no progress for this long: its worker has gone


def start(cohort, user, rows, filename="", left_out=0):
    """Create the job for these valid rows (csv_import.Row) and enqueue it; returns the job."""
    job = CohortUploadJob.objects.create(
        cohort=cohort,
        created_by=user,
        filename=(filename or "")[:120],
        rows=[[row.email, row.name] for row in rows],
        total=len(rows),
        errors=left_out,
    )
    enqueue(job)
    return job


def enqueue(job):
    """Queue the job's task (again, to resume one that stopped)."""
    process_upload.enqueue(job.pk)


def _resumable():
    """Stopped jobs, and unfinished ones without progress for STALLED_AFTER (their worker
    was killed)."""
    stalled = Q(status__in=[UploadStatus.QUEUED, UploadStatus.RUNNING]) & Q(
        updated_at__lt=timezone.now() - STALLED_AFTER
    )
    return CohortUploadJob.objects.filter(Q(status=UploadStatus.FAILED) | stalled)


def can_resume(job):
    """Whether the manager may start the job again (see `_resumable`)."""
    if job.status == UploadStatus.FAILED:
        return True
    return not job.finished and job.updated_at < timezone.now() - STALLED_AFTER


def resume(job):
    """Queue a stopped or stalled job again from where it stopped; False if it cannot be."""
    updated = (
        _resumable()
        .filter(pk=job.pk)
        .update(status=UploadStatus.QUEUED, message="", finished_at=None, updated_at=timezone.now())
    )
    if updated:
        enqueue(job)
    return bool(updated)


def _set(job_id, **fields):
    CohortUploadJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def _apply_batch(job_id, rows, batch_size):
    """Invite the next batch; returns False when nothing was left. One transaction."""
    with transaction.atomic():
        job = (
            CohortUploadJob.objects.select_for_update(of=("self",))
            .select_related("cohort", "created_by")
            .only("pk", "processed", "total", "cohort", "created_by")
            .get(pk=job_id)
        )
        if job.processed >= job.total:
            return False
        batch = rows[job.processed : job.processed + batch_size]
        result = cohorts.add_people(
            job.cohort,
            [(email, name) for email, name in batch],
            added_by=job.created_by,
            source=MembershipSource.UPLOAD,
        )
        CohortUploadJob.objects.filter(pk=job_id).update(
            processed=F("processed") + len(batch),
            invited=F("invited") + len(result.invited),
            already=F("already") + len(result.already),
            updated_at=timezone.now(),
        )
    return True


def run(job_id, batch_size=BATCH_SIZE):
    """Process a job to the end, or until a batch fails (the job is then marked failed with a
    message and can be resumed)."""
    job = CohortUploadJob.objects.filter(pk=job_id).select_related("cohort").first()
    if job is None or job.status == UploadStatus.DONE:
        return
    _set(job_id, status=UploadStatus.RUNNING, started_at=timezone.now(), message="")
    rows = job.rows
    try:
        while _apply_batch(job_id, rows, batch_size):
            pass
    except cohorts.CohortError as error:
        _set(
            job_id,
            status=UploadStatus.FAILED,
            finished_at=timezone.now(),
            message=f"{error} {_('People in earlier rows were invited.')}",
        )
        return
    except Exception:
        logger.exception("Cohort upload %s stopped", job_id)
        _set(
            job_id,
            status=UploadStatus.FAILED,
            finished_at=timezone.now(),
            message=_("Something went wrong while adding people. Try again in a few minutes."),
        )
        raise
    _set(job_id, status=UploadStatus.DONE, finished_at=timezone.now(), rows=[])
    job.refresh_from_db()
    audit.record(
        job.cohort,
        audit.UPLOAD_COMMITTED,
        job.created_by,
        filename=job.filename,
        added=0,
        invited=job.invited,
        already=job.already,
        left_out=job.errors,
    )


@task()
def process_upload(job_id):
    """Invite the people of a confirmed upload, in batches (see the module's docstring)."""
    run(job_id)
