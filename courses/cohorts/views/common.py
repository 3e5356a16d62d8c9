"""What the cohort views share: a refusal page and the manager's cohort page URL."""

from django.shortcuts import render
from django.urls import reverse


def refuse(request, message, status, link_url=None, link_text=None):
    """A page saying why this was not possible; nothing was saved."""
    return render(
        request,
        "courses/cohorts/refused.html",
        {"message": message, "link_url": link_url, "link_text": link_text},
        status=status,
    )


def cohort_url(cohort):
    return reverse("courses:cohort", args=[cohort.public_id])
