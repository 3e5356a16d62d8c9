"""Responses every domain's views share."""

from django.shortcuts import render


def refuse(request, message, status=403, link_url=None, link_text=None):
    """A page saying plainly why this was not possible; nothing was saved or changed."""
    return render(
        request,
        "courses/refused.html",
        {"message": message, "link_url": link_url, "link_text": link_text},
        status=status,
    )
