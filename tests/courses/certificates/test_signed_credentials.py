"""Signed Open Badges credentials: the eddsa-rdfc-2022 signing code against the W3C test
vectors, the site's DID document and keys, and the revocation status list."""

import copy
import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.certificates import credentials, signing
from courses.certificates.open_badges import signed_credential
from courses.checks import credential_signing_key
from courses.models import Certificate

pytestmark = pytest.mark.django_db

VECTORS = Path(__file__).resolve().parent / "vectors"
BASE = "https://training.example.org"


def vector(name):
    text = (VECTORS / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else text


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


@pytest.fixture
def site_address(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE


def did_key(document, client):
    """The public key the DID document lists for the proof's verification method."""
    did = client.get("/.well-known/did.json").json()
    method = next(
        m for m in did["verificationMethod"] if m["id"] == document["proof"]["verificationMethod"]
    )
    return signing.public_key_from_multibase(method["publicKeyMultibase"])


class TestSigningAgainstTheW3CTestVectors:
    """https://www.w3.org/TR/vc-di-eddsa/ test vectors (TestVectors/eddsa-rdfc-2022)."""

    def test_canonical_form_of_the_document(self):
        assert signing.canonicalize(vector("unsigned.json")) == vector("canonDocDataInt.txt")

    def test_canonical_form_of_the_proof_options(self):
        signed = vector("signedDataInt.json")
        config = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
        config["@context"] = signed["@context"]
        assert signing.canonicalize(config) == vector("proofCanonDataInt.txt")

    def test_the_signature_is_the_vectors_signature(self):
        keys = vector("keyPair.json")
        private = signing.private_key_from_multibase(keys["privateKeyMultibase"])
        assert signing.public_key_multibase(private.public_key()) == keys["publicKeyMultibase"]
        expected = vector("signedDataInt.json")
        proof = expected["proof"]
        signed = signing.sign(
            vector("unsigned.json"), private, proof["verificationMethod"], proof["created"]
        )
        assert signed == expected

    def test_the_vector_verifies_and_a_changed_one_does_not(self):
        public = signing.public_key_from_multibase(vector("keyPair.json")["publicKeyMultibase"])
        signed = vector("signedDataInt.json")
        assert signing.verify(signed, public)
        changed = copy.deepcopy(signed)
        changed["credentialSubject"]["alumniOf"] = "Another School"
        assert not signing.verify(changed, public)

    def test_an_unpinned_context_is_refused_not_fetched(self):
        document = {**vector("unsigned.json"), "@context": ["https://evil.example/context"]}
        with pytest.raises(signing.SigningError):
            signing.canonicalize(document)


class TestSignedCredential:
    def test_the_download_is_signed_by_the_key_in_the_did_document(
        self, client, certificate, learner, site_address
    ):
        client.force_login(learner)
        document = json.loads(
            client.get(reverse("courses:certificate_badge", args=[certificate.code])).content
        )
        proof = document["proof"]
        assert proof["type"] == "DataIntegrityProof"
        assert proof["cryptosuite"] == "eddsa-rdfc-2022"
        assert proof["proofPurpose"] == "assertionMethod"
        assert proof["verificationMethod"].startswith("did:web:training.example.org#z6Mk")
        assert document["issuer"]["id"] == "did:web:training.example.org"
        assert signing.verify(document, did_key(document, client))

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda d: d.update(name="Advanced course"),
            lambda d: d.update(validUntil="2099-01-01T00:00:00Z"),
            lambda d: d["credentialSubject"]["identifier"][-1].update(identityHash="Mallory"),
            lambda d: d["credentialSubject"]["achievement"].update(name="Another course"),
            lambda d: d["issuer"].update(name="Another issuer"),
            lambda d: d["credentialStatus"].update(statusListIndex="7"),
            lambda d: d["proof"].update(created="2020-01-01T00:00:00Z"),
        ],
        ids=["name", "validUntil", "holder", "achievement", "issuer", "status", "proof"],
    )
    def test_changing_any_field_breaks_the_signature(self, certificate, client, tamper):
        document = signed_credential(certificate)
        assert signing.verify(document, did_key(document, client))
        tamper(document)
        assert not signing.verify(document, did_key(document, client))

    def test_every_download_is_the_same_document(self, certificate):
        assert signed_credential(certificate) == signed_credential(certificate)

    def test_status_positions_are_random_and_distinct(self, certificate, make_user, course):
        first = credentials.ensure_status_index(certificate)
        others = []
        for n in range(5):
            other = Certificate.objects.create(
                user=make_user(f"holder{n}@example.org"),
                course=course[0],
                course_title="Test course",
                name_on_certificate=f"Holder {n}",
            )
            others.append(credentials.ensure_status_index(other))
        positions = [first, *others]
        assert len(set(positions)) == 6
        assert positions != sorted(positions) or max(positions) > 1000  # not 0, 1, 2, …
        certificate.refresh_from_db()
        assert certificate.status_list_index == first  # stored, stable


class TestDidDocument:
    def test_lists_the_current_key_for_assertions(self, client, site_address):
        response = client.get("/.well-known/did.json")
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"
        document = response.json()
        assert document["id"] == "did:web:training.example.org"
        method = document["verificationMethod"][0]
        assert method["type"] == "Multikey"
        assert method["controller"] == document["id"]
        assert method["publicKeyMultibase"] == credentials.current_public_key()
        assert document["assertionMethod"] == [method["id"]]

    def test_a_port_is_percent_encoded(self, settings):
        settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
        assert credentials.issuer_did() == "did:web:127.0.0.1%3A8000"

    def test_after_a_rotation_old_credentials_still_verify(
        self, certificate, client, settings, site_address
    ):
        old_document = signed_credential(certificate)
        old_public = credentials.current_public_key()
        settings.LANTERN_CREDENTIAL_SIGNING_KEY = signing.private_key_multibase(
            signing.Ed25519PrivateKey.generate()
        )
        settings.LANTERN_CREDENTIAL_RETIRED_KEYS = [old_public]
        assert credentials.current_public_key() != old_public
        new_document = signed_credential(certificate)
        assert new_document["proof"]["verificationMethod"].endswith(
            credentials.current_public_key()
        )
        keys = [
            m["publicKeyMultibase"]
            for m in client.get("/.well-known/did.json").json()["verificationMethod"]
        ]
        assert keys == [credentials.current_public_key(), old_public]
        assert signing.verify(old_document, did_key(old_document, client))
        assert signing.verify(new_document, did_key(new_document, client))


class TestStatusList:
    def status_list(self, client, certificate):
        entry = signed_credential(certificate)["credentialStatus"]
        response = client.get(entry["statusListCredential"].removeprefix(BASE))
        assert response.status_code == 200
        return int(entry["statusListIndex"]), response.json()

    def test_revoking_and_restoring_in_the_admin_flips_the_bit(
        self, client, admin_client, certificate, site_address
    ):
        position, document = self.status_list(client, certificate)
        assert document["credentialSubject"]["type"] == "BitstringStatusList"
        assert document["credentialSubject"]["statusPurpose"] == "revocation"
        assert credentials.decode_list(document["credentialSubject"]["encodedList"]) == []
        assert signing.verify(document, did_key(document, client))

        response = admin_client.post(
            reverse("certificates:revoke", args=[certificate.pk]),
            {"reason": "Issued to the wrong person."},
        )
        assert response.status_code == 302
        _, document = self.status_list(client, certificate)
        assert credentials.decode_list(document["credentialSubject"]["encodedList"]) == [position]
        assert signing.verify(document, did_key(document, client))

        response = admin_client.post(
            reverse("certificates:restore", args=[certificate.pk]), {"reason": "Checked: correct."}
        )
        assert response.status_code == 302
        _, document = self.status_list(client, certificate)
        assert credentials.decode_list(document["credentialSubject"]["encodedList"]) == []

    def test_the_list_is_at_least_16_kb_and_gzip_base64url(self):
        encoded = credentials.encode_list([0, 5, 131_071])
        assert encoded.startswith("u") and "=" not in encoded
        assert credentials.decode_list(encoded) == [0, 5, 131_071]
        assert len(credentials.encode_list([])) > 10  # compressed, but a real list

    def test_lists_that_do_not_exist_are_404(self, client, certificate):
        assert client.get("/credentials/status/0/").status_code == 200
        assert client.get("/credentials/status/7/").status_code == 404


class TestKeysAndDeployChecks:
    def test_the_command_prints_a_usable_key(self, settings):
        out = StringIO()
        call_command("credential_key", stdout=out)
        line = next(ln for ln in out.getvalue().splitlines() if ln.startswith("CREDENTIAL_"))
        key = line.split("=", 1)[1]
        settings.LANTERN_CREDENTIAL_SIGNING_KEY = key
        assert credentials.current_public_key().startswith("z6Mk")
        assert credential_signing_key(None) == []

    def test_deploy_check_warns_without_a_key_and_refuses_a_bad_one(self, settings):
        settings.LANTERN_CREDENTIAL_SIGNING_KEY = ""
        assert [m.id for m in credential_signing_key(None)] == ["courses.W001"]
        settings.LANTERN_CREDENTIAL_SIGNING_KEY = "z6MkNotAPrivateKey"
        assert [m.id for m in credential_signing_key(None)] == ["courses.E001"]


class TestLinkedIn:
    def test_the_certificate_page_offers_add_to_profile_with_the_details(
        self, client, certificate, learner
    ):
        from urllib.parse import parse_qs, urlsplit

        client.force_login(learner)
        response = client.get(reverse("courses:certificate", args=[certificate.code]))
        link = next(
            a for a in response.content.decode().split('href="')[1:] if "linkedin.com" in a
        ).split('"')[0]
        parts = urlsplit(link.replace("&amp;", "&"))
        assert (parts.scheme, parts.netloc, parts.path) == (
            "https",
            "www.linkedin.com",
            "/profile/add",
        )
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert query["startTask"] == "CERTIFICATION_NAME"
        assert query["name"] == "Test course"
        assert query["organizationName"] == "Lantern"
        assert query["issueYear"] == str(certificate.issued_at.year)
        assert query["issueMonth"] == str(certificate.issued_at.month)
        assert query["expirationYear"] == str(certificate.expires_at.year)
        assert query["certId"] == certificate.display_code
        assert query["certUrl"] == f"http://testserver/verify/{certificate.code}/"

    def test_a_revoked_certificate_offers_no_link(self, client, certificate, learner):
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
        client.force_login(learner)
        response = client.get(reverse("courses:certificate", args=[certificate.code]))
        assert b"linkedin.com" not in response.content
