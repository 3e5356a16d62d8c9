from itertools import groupby

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from courses.models import Helpline
from courses.models.support import INTERNATIONAL


def support(request):
    """Helplines, grouped by country, international services first."""
    helplines = sorted(
        Helpline.objects.for_learners(),
        key=lambda h: (h.country != INTERNATIONAL, h.country.lower()),
    )
    groups = [(country, list(items)) for country, items in groupby(helplines, lambda h: h.country)]
    return render(request, "home/support.html", {"groups": groups})


def quick_exit(request):
    """Explains the quick-exit control and how to browse more safely."""
    return render(request, "home/quick_exit.html")


def privacy(request):
    """The privacy notice for learners: what is kept, who sees it, for how long, their rights."""
    return render(
        request,
        "home/privacy.html",
        {
            "contact_email": settings.LANTERN_CONTACT_EMAIL,
            "min_group_size": settings.LANTERN_COHORT_MIN_GROUP_SIZE,
            "idle_minutes": settings.LANTERN_SESSION_IDLE_SECONDS // 60,
        },
    )


def accessibility(request):
    """The accessibility statement: the standard aimed for, what is tested, known issues."""
    return render(
        request, "home/accessibility.html", {"contact_email": settings.LANTERN_CONTACT_EMAIL}
    )


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """A 500 page that needs no database and says nothing about the error."""
    template = loader.get_template(template_name)
    return HttpResponseServerError(
        template.render(
            {
                "quick_exit_url": settings.LANTERN_QUICK_EXIT_URL,
                "site_name": settings.WAGTAIL_SITE_NAME,
            }
        )
    )
