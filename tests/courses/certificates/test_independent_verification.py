"""Lantern's signed credentials checked by code that is not Lantern's: Digital Bazaar's VC
library with the eddsa-rdfc-2022 cryptosuite and the Bitstring Status List checker, run under
Node (tests/courses/certificates/verifier; `make credential-verifier` installs it). The
verifier resolves the site's did:web and status list over HTTP from a live server."""

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.certificates.open_badges import signed_credential
from courses.models import Certificate

VERIFIER = Path(__file__).resolve().parent / "verifier"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(NODE is None, reason="Node.js is not installed: no independent verifier"),
    pytest.mark.skipif(
        not (VERIFIER / "node_modules").is_dir(),
        reason="The Node verifier's packages are not installed: run `make credential-verifier`",
    ),
]


@pytest.fixture
def site(live_server, settings):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    return live_server


@pytest.fixture
def certificate(course, learner):
    course_page, _ = course
    return Certificate.objects.create(
        user=learner,
        course=course_page,
        course_title=course_page.title,
        name_on_certificate="Amara Okafor",
        expires_at=timezone.now() + timedelta(days=365),
    )


def verify(document, tmp_path):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run(
        [NODE, str(VERIFIER / "verify.mjs"), str(path), "--did-web-scheme", "http"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert (result.returncode == 0) == outcome["verified"]
    return outcome


def test_a_downloaded_credential_verifies(site, client, certificate, learner, tmp_path):
    client.force_login(learner)
    response = client.get(reverse("courses:certificate_badge", args=[certificate.code]))
    outcome = verify(json.loads(response.content), tmp_path)
    assert outcome == {"verified": True, "errors": []}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.update(name="Advanced course"),
        lambda d: d["credentialSubject"]["identifier"][-1].update(identityHash="Mallory"),
        lambda d: d.update(validUntil="2099-01-01T00:00:00Z"),
        lambda d: d["issuer"].update(name="Another issuer"),
    ],
    ids=["name", "holder", "validUntil", "issuer"],
)
def test_a_changed_credential_fails_on_its_signature(site, certificate, tmp_path, tamper):
    document = signed_credential(certificate)
    tamper(document)
    outcome = verify(document, tmp_path)
    assert not outcome["verified"]
    assert any("signature" in error.lower() for error in outcome["errors"]), outcome


def test_a_revoked_credential_fails_on_its_status(site, admin_client, certificate, tmp_path):
    document = signed_credential(certificate)
    assert verify(document, tmp_path)["verified"]
    admin_client.post(
        reverse("certificates:revoke", args=[certificate.pk]), {"reason": "Issued in error."}
    )
    outcome = verify(document, tmp_path)
    assert not outcome["verified"]
    assert any("revoked" in error for error in outcome["errors"]), outcome


def test_an_expired_credential_fails_on_its_validity_period(site, certificate, tmp_path):
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=timezone.now() - timedelta(days=400),
        expires_at=timezone.now() - timedelta(days=35),
    )
    certificate.refresh_from_db()
    outcome = verify(signed_credential(certificate), tmp_path)
    assert not outcome["verified"]
    assert any("validUntil" in error for error in outcome["errors"]), outcome


def test_a_credential_signed_by_another_key_fails(site, certificate, tmp_path, settings):
    from courses.certificates import signing

    settings.LANTERN_CREDENTIAL_SIGNING_KEY = signing.private_key_multibase(
        signing.Ed25519PrivateKey.generate()
    )
    forged = signed_credential(certificate)  # a key the site no longer publishes:
    settings.LANTERN_CREDENTIAL_SIGNING_KEY = ""
    outcome = verify(forged, tmp_path)
    assert not outcome["verified"]
    assert outcome["errors"], outcome
