import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from courses.certificates.services import issue_earned_certificates
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
