import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from courses.certificates.services import issue_earned_certificates
from courses.content import locales
from courses.identity import email_verified

from .forms import DeleteAccountForm, ProfileForm
from .middleware import has_second_factor
from .privacy import delete_account, export_all


@login_required
def account(request):
    """The learner's own account page: profile, name on certificate, password links."""
    form = ProfileForm(request.POST or None, instance=request.user)
    context = {
        "form": form,
        "email_verified": email_verified(request.user),
        "two_factor_enabled": has_second_factor(request.user),
    }
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            messages.success(request, _("Your details have been saved."))
            if issue_earned_certificates(user):
                messages.success(request, _("Your certificates are ready in My learning."))
            return redirect("account")
        return render(request, "users/account.html", context, status=400)
    return render(request, "users/account.html", context)


@login_required
def my_data(request):
    """Explains what is kept and offers the download and deletion."""
    return render(request, "users/my_data.html")


@login_required
def download_my_data(request):
    """Everything the site holds about the person, as a JSON file."""
    data = export_all(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="lantern-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@sensitive_post_parameters("password")
def delete_my_account(request):
    """Confirm with the password; then personal data and the account are deleted."""
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = request.user
            logout(request)
            delete_account(user)
            messages.success(request, _("Your account and personal data have been deleted."))
            return redirect("/")
        return render(request, "users/delete_account.html", {"form": form}, status=400)
    return render(request, "users/delete_account.html", {"form": form})


@require_POST
def set_language(request):
    """The header's language switcher: Django's `set_language` (the cookie, and a redirect to
    the same page in the chosen language), which also remembers a signed-in person's choice on
    their account, for emails and the page after sign-in.

    The switcher's address has no language prefix, so the page it came from (`next`) is read
    in that page's own language: /es/learning/ becomes /fr/learning/, not left as it was. A
    Wagtail page goes to its translation (or alias) in the chosen language, whose address may
    differ (`courses.content.locales.same_page_in`)."""
    next_path = urlsplit(request.POST.get("next", "")).path
    page_language = translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    with translation.override(page_language):
        response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if response.status_code == 302 and language in dict(settings.LANGUAGES) and next_path:
        # A page's translation may have other slugs: go to the same page in that language.
        target = locales.same_page_in(request, next_path, page_language, language)
        if target:
            response["Location"] = target
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
