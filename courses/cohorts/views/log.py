"""An organisation's audit log in the manager area: what its managers and Lantern's staff did
with its cohorts, newest first. Only the organisation's own entries (`courses.audit`); staff
read the whole log in the admin's Site history report."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.log_actions import registry as log_actions

from courses import audit
from courses.cohorts.access import organisation_for_viewing

PAGE_SIZE = 50


@login_required
def organisation_log(request, organisation_id):
    organisation = organisation_for_viewing(request, organisation_id)
    page = Paginator(audit.for_organisation(organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = [
        {
            "timestamp": entry.timestamp,
            "who": entry.user_display_name,
            "action": log_actions.get_action_label(entry.action),
            "object": entry.label,
            "what": audit.manager_message(entry),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "courses/cohorts/manage/log.html",
        {"organisation": organisation, "page": page, "entries": entries},
    )
