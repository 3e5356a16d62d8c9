"""What the cohort views share: the manager's cohort page URL."""

from django.urls import reverse


def cohort_url(cohort):
    return reverse("courses:cohort", args=[cohort.public_id])
