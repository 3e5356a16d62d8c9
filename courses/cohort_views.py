"""Joining cohorts, and managers adding and removing people."""

from django.http import Http404


def join_form(request):
    raise Http404


def join(request, code):
    raise Http404


def cohort_upload(request, cohort_id):
    raise Http404


def member_add(request, cohort_id):
    raise Http404


def member_remove(request, cohort_id, user_id):
    raise Http404


def invitation_cancel(request, cohort_id, invitation_id):
    raise Http404


def invite_link(request, cohort_id):
    raise Http404
