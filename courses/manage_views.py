"""The manager area: a partner organisation's cohorts, their progress, exports, reminders."""

from django.http import Http404


def manage_home(request):
    raise Http404


def cohort_report(request, cohort_id):
    raise Http404


def cohort_export(request, cohort_id):
    raise Http404


def cohort_remind(request, cohort_id):
    raise Http404
