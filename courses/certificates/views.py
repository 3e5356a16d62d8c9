"""Certificate views: the public verification page and status JSON, the holder's printable
page, and downloads of the PDF and the Open Badges 3.0 credential (for the holder and staff who
may view certificates)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from courses import ratelimit
from courses.certificates import credentials, services
from courses.certificates.forms import CertificateNameForm
from courses.certificates.open_badges import (
    iso_utc,
    linkedin_add_url,
    public_status,
    signed_credential,
    site_base_url,
)
from courses.certificates.pdf import issuer_name, missing_characters, render_certificate_pdf
from courses.models import Certificate, CertificateStatus
from courses.models.certificates import normalise_code


def _viewable_certificate(request, code):
    """The certificate if the user holds it or may view certificates; else 404."""
    certificate = get_object_or_404(Certificate.objects.select_related("user", "course"), code=code)
    if certificate.user_id != request.user.pk and not request.user.has_perm(
        "courses.view_certificate"
    ):
        raise Http404
    return certificate


def _verify_url(request, certificate):
    return request.build_absolute_uri(reverse("courses:verify_code", args=[certificate.code]))


def _revoked(request, certificate):
    """A revoked certificate cannot be downloaded: say so plainly (410 Gone)."""
    return render(
        request,
        "courses/certificates/certificate.html",
        {
            "certificate": certificate,
            "status": CertificateStatus.REVOKED,
            "CertificateStatus": CertificateStatus,
            "verify_url": _verify_url(request, certificate),
            "issuer_name": issuer_name(),
            "download_refused": True,
        },
        status=410,
    )


def _no_pdf(request, certificate, missing):
    """The PDF font cannot draw some characters: rather than print a certificate without
    them, explain and point to the HTML certificate, which the browser can print."""
    return render(
        request,
        "courses/certificates/certificate.html",
        {
            "certificate": certificate,
            "status": certificate.status(),
            "CertificateStatus": CertificateStatus,
            "verify_url": _verify_url(request, certificate),
            "issuer_name": issuer_name(),
            "pdf_missing_characters": missing[:10],
        },
    )


def _attachment(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
@login_required
@cache_control(private=True, no_store=True)
def certificate_pdf(request, code):
    """The certificate as an A4 landscape PDF, with a QR code to the verification page."""
    certificate = _viewable_certificate(request, code)
    if certificate.status() == CertificateStatus.REVOKED:
        return _revoked(request, certificate)
    missing = missing_characters(
        certificate.name_on_certificate, certificate.course_title, issuer_name()
    )
    if missing:
        return _no_pdf(request, certificate, missing)
    content = render_certificate_pdf(certificate, _verify_url(request, certificate))
    return _attachment(content, "application/pdf", f"lantern-certificate-{certificate.code}.pdf")


@require_safe
@login_required
@cache_control(private=True, no_store=True)
def certificate_badge(request, code):
    """The certificate as an Open Badges 3.0 credential (JSON-LD) for a digital wallet."""
    certificate = _viewable_certificate(request, code)
    if certificate.status() == CertificateStatus.REVOKED:
        return _revoked(request, certificate)
    document = signed_credential(certificate, issuer=issuer_name())
    content = json.dumps(document, ensure_ascii=False, indent=2)
    return _attachment(content, "application/ld+json", f"lantern-badge-{certificate.code}.json")


@require_safe
@never_cache
def certificate_status(request, code):
    """Anyone can ask whether a certificate is valid, expired or revoked; nothing personal."""
    if _verify_rate_limited(request):
        response = JsonResponse({"error": "too_many_requests"}, status=429)
        response["Retry-After"] = "60"
        return _public(response)
    normalised = normalise_code(code)
    certificate = Certificate.objects.filter(code=normalised).first() if normalised else None
    if certificate is None:
        return _public(JsonResponse({"error": "not_found"}, status=404))
    base_url = site_base_url(request.build_absolute_uri("/"))
    return _public(JsonResponse(public_status(certificate, base_url, now=timezone.now())))


@require_safe
def did_document(request):
    """The site's DID document (did:web): the public keys that sign its credentials."""
    response = JsonResponse(credentials.did_document())
    response["Content-Type"] = "application/did+json"
    response["Cache-Control"] = "public, max-age=300"
    return _public(response)


@require_safe
def credential_status_list(request, number):
    """A signed BitstringStatusListCredential: which credentials of list `number` are revoked.
    Public and the same for everyone; short-lived in caches, so a revocation shows quickly."""
    if number > credentials.MAX_LIST_NUMBER:
        raise Http404
    start = number * credentials.LIST_SIZE
    in_list = Certificate.objects.filter(
        status_list_index__gte=start, status_list_index__lt=start + credentials.LIST_SIZE
    )
    if number and not in_list.exists():
        raise Http404
    document = credentials.status_list_credential(number, iso_utc(timezone.now()))
    response = JsonResponse(document)
    response["Content-Type"] = "application/vc+ld+json"
    response["Cache-Control"] = "public, max-age=60"
    return _public(response)


def _public(response):
    """Public JSON that wallets and verifiers may fetch from any site."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


VERIFY_LIMIT_PER_MINUTE = 30


def _verify_rate_limited(request):
    """Certificate lookups (the page, the form and status.json) share one limit."""
    return ratelimit.over_limit(request, "verify", VERIFY_LIMIT_PER_MINUTE)


def verify(request, code=None):
    """Anyone can check a certificate: name, course, dates and status, nothing else."""
    if _verify_rate_limited(request):
        return render(
            request,
            "courses/certificates/verify.html",
            {"too_many": True},
            status=429,
        )
    typed = code if code is not None else request.GET.get("code")
    if typed is None:
        return render(request, "courses/certificates/verify.html", {})
    normalised = normalise_code(typed)
    if normalised and code is None:
        return redirect("courses:verify_code", code=normalised)
    certificate = None
    if normalised:
        certificate = Certificate.objects.filter(code=normalised).first()
    if certificate is None:
        return render(request, "courses/certificates/verify.html", {"not_found": True}, status=404)
    return render(
        request,
        "courses/certificates/verify.html",
        {
            "certificate": certificate,
            "status": certificate.status(),
            "CertificateStatus": CertificateStatus,
        },
    )


@login_required
def certificate_detail(request, code):
    """The owner's accessible, printable certificate."""
    certificate = get_object_or_404(Certificate, code=code)
    if certificate.user_id != request.user.pk and not request.user.has_perm(
        "courses.view_certificate"
    ):
        raise Http404
    verify_url = request.build_absolute_uri(reverse("courses:verify_code", args=[certificate.code]))
    return render(
        request,
        "courses/certificates/certificate.html",
        {
            "certificate": certificate,
            "status": certificate.status(),
            "verify_url": verify_url,
            "linkedin_url": linkedin_add_url(certificate, issuer_name(), verify_url),
            "CertificateStatus": CertificateStatus,
        },
    )


def _return_to(request):
    """Where to go after saving the name: the page the form was on, if it is on this site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("courses:dashboard")


@login_required
@never_cache
def certificate_name(request):
    """GET: the form for the name on certificate. POST: save it and issue every certificate
    the learner has earned but not yet received (once, however often it is sent)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = CertificateNameForm(
        request.POST or None,
        initial={"name_on_certificate": services.holder_name(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        issued = services.set_certificate_name(
            request.user, form.cleaned_data["name_on_certificate"]
        )
        if issued:
            messages.success(
                request,
                ngettext(
                    "Your name was saved and your certificate is ready.",
                    "Your name was saved and your %(n)s certificates are ready.",
                    len(issued),
                )
                % {"n": len(issued)},
            )
        else:
            messages.success(request, _("Your name on certificates was saved."))
        return redirect(_return_to(request))
    return render(
        request,
        "courses/certificates/name.html",
        {
            "form": form,
            "waiting": services.awaiting_certificate_name(request.user),
            "next": request.POST.get("next") or request.GET.get("next") or "",
        },
        status=400 if request.method == "POST" else 200,
    )
