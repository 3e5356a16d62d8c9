import json

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from courses.certificates.services import issue_earned_certificates

from .forms import DeleteAccountForm, ProfileForm, SignUpForm
from .privacy import delete_account, export_all


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """Create an account and log in. Logged-in people are sent to their account."""
    if request.user.is_authenticated:
        return redirect("account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Two sign-ups with the same email at once: the constraint wins, not a 500.
            form.add_error("email", _("An account with this email address already exists."))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Lantern. Your account is ready."))
            return redirect(_safe_next(request, "account"))
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": _safe_next(request, "")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def account(request):
    """The learner's own account page: profile, name on certificate, password links."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            messages.success(request, _("Your details have been saved."))
            if issue_earned_certificates(user):
                messages.success(request, _("Your certificates are ready in My learning."))
            return redirect("account")
        return render(request, "users/account.html", {"form": form}, status=400)
    return render(request, "users/account.html", {"form": form})


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
