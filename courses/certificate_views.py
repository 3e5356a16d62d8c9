"""Certificate downloads: the PDF and the Open Badges 3.0 credential."""

from django.http import Http404


def certificate_pdf(request, code):
    raise Http404


def certificate_badge(request, code):
    raise Http404
