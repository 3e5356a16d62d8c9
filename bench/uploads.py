"""Benchmark: a manager uploads, previews and adds 10,000 people from a CSV file.

Seeds a throwaway database with a one-lesson course, an organisation, its manager and an empty
cohort, then times, with Django's test client and the manager logged in, for each iteration
on a fresh cohort:

- POST the 10,000-row CSV (parse, validate, keep the preview in temporary storage);
- GET the preview page (every row with its outcome);
- POST the confirmation (creates the upload job and queues it: what the manager waits for);
- run the queued upload task as the worker would (10,000 invitations, in batches of 500).

Tasks are queued, not run, as in production (where `manage.py db_worker` runs them): the
confirmation is timed as the manager waits for it, the worker's part separately. The unit
tests check that all this works; how long it takes is measured here.

Run from the repository root: `.venv/bin/python bench/uploads.py [--iterations 5]`.
SQLite by default; PostgreSQL with DATABASE_URL. See docs/performance.md.
"""

import argparse
import sys

import _setup

PEOPLE = 10_000
PASSWORD = "bench-password-not-secret"  # noqa: S105


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=5, help="timed uploads (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed uploads first (default 1)")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be at least 1, --warmup at least 0")
    return args


def csv_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "email,name\r\n" + "".join(
        f"person{i}@example.org,Person {i}\r\n" for i in range(PEOPLE)
    )
    return SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")


def run(iterations, warmup):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from tests import factories

    manager = get_user_model().objects.create_user("manager@example.org", PASSWORD)
    factories.verify_email(manager)  # managers act only once their address is verified
    index = factories.make_course_index()
    course, _lessons = factories.make_course(index, modules=1, lessons_per_module=1)
    organisation = factories.make_organisation(managers=[manager])
    client = Client()
    client.force_login(manager)
    state = {}

    def new_cohort(i):
        cohort = factories.make_cohort(course, organisation=organisation, name=f"Intake {i}")
        state["url"] = reverse("courses:cohort_upload", args=[cohort.public_id])

    def upload():
        response = client.post(state["url"], {"file": csv_file()})
        state["preview"] = response.url
        state["token"] = response.url.rsplit("=", 1)[1]
        return response

    def preview():
        return client.get(state["preview"])

    def confirm():
        return client.post(state["url"], {"token": state["token"]})

    def work():
        from django.http import HttpResponse
        from django_tasks import default_task_backend

        for result in list(default_task_backend.results):
            if result.task.name == "process_upload":
                result.task.call(*result.args, **result.kwargs)
        default_task_backend.clear()
        return HttpResponse()  # for the status check

    results = [_setup.Result("POST the CSV (parse, keep)"), _setup.Result("GET the preview")]
    results.append(_setup.Result("POST confirm (queue the job)"))
    results.append(_setup.Result("Worker: invite 10,000 in batches"))
    steps = [(upload, 302), (preview, 200), (confirm, 302), (work, 200)]
    for i in range(warmup + iterations):
        new_cohort(i)
        for result, (step, status) in zip(results, steps, strict=True):
            measured = _setup.measure(result.name, step, 1, warmup=0, check=_setup.expect(status))
            if i >= warmup:
                result.seconds += measured.seconds
                result.queries += measured.queries
    _setup.print_report(results, iterations)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    _setup.configure()
    from django.test import override_settings

    queued = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with _setup.throwaway_database(), override_settings(TASKS=queued):
        run(args.iterations, args.warmup)


if __name__ == "__main__":
    main()
