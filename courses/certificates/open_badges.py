"""Open Badges 3.0: a certificate as an OpenBadgeCredential (JSON-LD) that learners can add to a
digital wallet, signed with an eddsa-rdfc-2022 Data Integrity proof by the site's `did:web`
(courses/certificates/credentials.py), and the small public status document of the verify
page."""

import hashlib
import hmac
import uuid
from datetime import UTC
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses import conf
from courses.models import CertificateStatus

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
# The verify page's JSON status (`public_status`), for people and scripts; the credential itself
# carries a standard BitstringStatusListEntry.
STATUS_TYPE = "LanternCertificateStatus"


def site_base_url(base_url=None):
    """The site's public address with a trailing slash (WAGTAILADMIN_BASE_URL by default)."""
    base_url = base_url or conf.base_url()
    return base_url if base_url.endswith("/") else base_url + "/"


def iso_utc(moment):
    """ISO 8601 in UTC with a Z, to the second: 2026-03-05T09:30:00Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def verify_url(certificate, base_url):
    """The check page's address in the site's default language: a signed credential carries it,
    so it must not depend on the language of the request that issued it."""
    with translation.override(None):
        path = reverse("courses:verify_code", args=[certificate.code])
    return urljoin(site_base_url(base_url), path)


def status_url(certificate, base_url):
    return urljoin(
        site_base_url(base_url), reverse("credentials:certificate_status", args=[certificate.code])
    )


def identity_salt(certificate):
    """A salt that stays the same for a certificate, so each download hashes alike."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"lantern-open-badges:{certificate.code}".encode(), "sha256").hexdigest()[
        :32
    ]


def identity_hash(email, salt):
    """sha256$ and the hex SHA-256 of the lower-cased email followed by the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return f"sha256${digest}"


def _achievement(certificate, base):
    course = certificate.course
    # The same achievement in every language: the course's address in the default language.
    with translation.override(None):
        course_url = course.get_url() if course is not None else None
    if course_url:
        achievement_id = urljoin(base, course_url)
    else:
        # The course was deleted or is not routable: a stable identifier from its title.
        achievement_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{base}courses/{certificate.course_title}")
        achievement_id = f"urn:uuid:{achievement_id}"
    description = _course_summary(certificate) or _("The course %(course)s.") % {
        "course": certificate.course_title
    }
    if certificate.jurisdiction_name:
        guidance = _("Completed with the guidance for %(name)s.") % {
            "name": certificate.jurisdiction_name
        }
        description = f"{description} {guidance}"
    from courses.models import CompletionRule

    if course is not None and course.completion_rule == CompletionRule.LESSONS_AND_QUIZZES:
        narrative = _("Complete every lesson of %(course)s and pass any quizzes it includes.")
    else:
        narrative = _("Complete every lesson of %(course)s.")
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": certificate.course_title,
        "description": description,
        "criteria": {"narrative": narrative % {"course": certificate.course_title}},
        "inLanguage": certificate.language,
    }


def _course_summary(certificate):
    """The course's summary in the certificate's language: its live translation's, the
    source's for a certificate in the source's language, else "" (the description is then a
    sentence in the certificate's language, rather than a summary in another)."""
    from courses.certificates.services import course_words

    course = certificate.course
    if course is None:
        return ""
    return course_words(course, certificate.language, "summary") or ""


def build_credential(certificate, base_url=None, *, issuer=None, email=None):
    """The certificate as an unsigned OpenBadgeCredential dict (see `signed_credential`). The
    email (the holder's by default) only appears salted and hashed. The issuer is the site's
    `did:web`; ids and links use `base_url` (the site's public address by default). Its words
    are in the certificate's language, whatever the language of the request."""
    with translation.override(certificate.language):
        return _build_credential(certificate, base_url, issuer=issuer, email=email)


def _build_credential(certificate, base_url=None, *, issuer=None, email=None):
    from courses.certificates import credentials
    from courses.certificates.pdf import issuer_name

    base = site_base_url(base_url)
    issuer = issuer or issuer_name()
    if email is None and certificate.user is not None:
        email = certificate.user.email
    identifiers = []
    if email:
        salt = identity_salt(certificate)
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        )
    if certificate.name_on_certificate:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityHash": certificate.name_on_certificate,
                "identityType": "name",
                "hashed": False,
            }
        )
    subject = {"type": ["AchievementSubject"]}
    if identifiers:
        subject["identifier"] = identifiers
    subject["achievement"] = _achievement(certificate, base)
    document = {
        "@context": list(CONTEXT),
        "id": verify_url(certificate, base),
        "type": list(CREDENTIAL_TYPE),
        "name": certificate.course_title,
        "issuer": {
            "id": credentials.issuer_did(base),
            "type": ["Profile"],
            "name": issuer,
            "url": base,
        },
        "validFrom": iso_utc(certificate.issued_at),
    }
    if certificate.expires_at:
        document["validUntil"] = iso_utc(certificate.expires_at)
    document["awardedDate"] = iso_utc(certificate.issued_at)
    document["credentialSubject"] = subject
    document["credentialStatus"] = credentials.status_entry(certificate, base)
    return document


def signed_credential(certificate, base_url=None, *, issuer=None, email=None):
    """`build_credential` with a Data Integrity proof (eddsa-rdfc-2022) by the current key;
    the proof's `created` is the certificate's issue time, so every download is identical."""
    from courses.certificates import credentials

    document = build_credential(certificate, base_url, issuer=issuer, email=email)
    return credentials.sign(document, iso_utc(certificate.issued_at), base_url)


def public_status(certificate, base_url=None, *, now=None):
    """What anyone may learn from the status endpoint: valid, expired or revoked, and dates."""
    now = now or timezone.now()
    status = certificate.status(now)
    document = {
        "id": status_url(certificate, base_url),
        "type": STATUS_TYPE,
        "credential": verify_url(certificate, base_url),
        "status": CertificateStatus.VALID if status == CertificateStatus.EXPIRING else status,
        "validFrom": iso_utc(certificate.issued_at),
        "validUntil": iso_utc(certificate.expires_at) if certificate.expires_at else None,
        "checkedAt": iso_utc(now),
    }
    if status == CertificateStatus.REVOKED:
        document["revokedAt"] = iso_utc(certificate.revoked_at)
    return document


LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_add_url(certificate, issuer, verify_link):
    """LinkedIn's "Add licence or certification" form, filled in: name, organisation, issue
    and expiry month, credential id and the public check page."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": issuer,
        "issueYear": certificate.issued_at.year,
        "issueMonth": certificate.issued_at.month,
    }
    if certificate.expires_at:
        params["expirationYear"] = certificate.expires_at.year
        params["expirationMonth"] = certificate.expires_at.month
    params["certUrl"] = verify_link
    params["certId"] = certificate.display_code
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params)}"
