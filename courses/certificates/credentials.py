"""Signed Open Badges 3.0 credentials: the site's issuer identity (a `did:web`), its signing
keys, and revocation through a W3C Bitstring Status List.

- The issuer is `did:web:<host>` for the site's public address (`conf.base_url()`); its DID
  document at `/.well-known/did.json` lists the current public key and the retired ones as
  Multikey verification methods, so credentials signed before a key rotation still verify.
- Each credential carries a `BitstringStatusListEntry`: a position in a status list of
  131,072 bits (the specification's minimum, for herd privacy), chosen at random. The list is
  served as a signed `BitstringStatusListCredential` at `/credentials/status/<n>/`; a revoked
  certificate's bit is 1, restored is 0.
- Expiry is the credential's `validUntil`.

docs/credentials.md explains keys, rotation and how a third party verifies a credential.
"""

import base64
import gzip
import hashlib
import random
from functools import cache
from urllib.parse import quote, urljoin, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import IntegrityError, transaction
from django.urls import reverse

from courses import conf
from courses.certificates import signing
from courses.models import Certificate

LIST_SIZE = 131_072
# Positions are stored in a PositiveIntegerField (at most 2**31 - 1).
MAX_LIST_NUMBER = (2**31 - 1) // LIST_SIZE
STATUS_PURPOSE = "revocation"
# Allocate in the first list that is less than this full, so positions stay hard to guess.
LIST_FILL_LIMIT = LIST_SIZE // 2


def _base(base_url=None):
    base = base_url or conf.base_url()
    return base if base.endswith("/") else base + "/"


@cache
def _derived_key(secret):
    seed = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"lantern credential signing key"
    ).derive(secret.encode())
    return signing.Ed25519PrivateKey.from_private_bytes(seed)


def signing_key():
    """The current Ed25519 private key: LANTERN_CREDENTIAL_SIGNING_KEY, or one derived from
    SECRET_KEY when it is unset (development and tests; a deploy check warns)."""
    configured = conf.credential_signing_key()
    if configured:
        return signing.private_key_from_multibase(configured)
    return _derived_key(settings.SECRET_KEY)


def current_public_key():
    return signing.public_key_multibase(signing_key().public_key())


def published_keys():
    """Public keys in the DID document: the current one first, then the retired ones."""
    keys = [current_public_key()]
    keys += [key for key in conf.credential_retired_keys() if key not in keys]
    return keys


def issuer_did(base_url=None):
    """`did:web:` and the host of the site's public address (a port is written %3A)."""
    parts = urlsplit(_base(base_url))
    return "did:web:" + quote(parts.netloc, safe="")


def key_id(public_key, base_url=None):
    return f"{issuer_did(base_url)}#{public_key}"


def did_document(base_url=None):
    did = issuer_did(base_url)
    methods = [
        {
            "id": key_id(key, base_url),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key,
        }
        for key in published_keys()
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def status_list_url(number, base_url=None):
    return urljoin(_base(base_url), reverse("credentials:credential_status_list", args=[number]))


def ensure_status_index(certificate):
    """The certificate's position in the status lists, allocated at random on first use."""
    if certificate.status_list_index is not None:
        return certificate.status_list_index
    rng = random.SystemRandom()
    number = 0
    while True:
        start = number * LIST_SIZE
        used = Certificate.objects.filter(
            status_list_index__gte=start, status_list_index__lt=start + LIST_SIZE
        ).count()
        if used < LIST_FILL_LIMIT:
            break
        number += 1
    for _attempt in range(20):
        candidate = start + rng.randrange(LIST_SIZE)
        try:
            with transaction.atomic():
                updated = Certificate.objects.filter(
                    pk=certificate.pk, status_list_index__isnull=True
                ).update(status_list_index=candidate)
        except IntegrityError:
            continue  # taken by another certificate: draw again
        if not updated:  # allocated meanwhile by another request
            certificate.refresh_from_db(fields=["status_list_index"])
        else:
            certificate.status_list_index = candidate
        return certificate.status_list_index
    raise RuntimeError("Could not allocate a status list position.")


def status_entry(certificate, base_url=None):
    index = ensure_status_index(certificate)
    number, position = divmod(index, LIST_SIZE)
    url = status_list_url(number, base_url)
    return {
        "id": f"{url}#{position}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(position),
        "statusListCredential": url,
    }


def revoked_positions(number):
    start = number * LIST_SIZE
    indexes = Certificate.objects.filter(
        revoked_at__isnull=False,
        status_list_index__gte=start,
        status_list_index__lt=start + LIST_SIZE,
    ).values_list("status_list_index", flat=True)
    return sorted(index - start for index in indexes)


def encode_list(positions):
    """The bitstring with these positions set (position 0 is the first byte's highest bit),
    GZIP-compressed, as multibase base64url without padding (`u…`)."""
    bits = bytearray(LIST_SIZE // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_list(encoded):
    """The set positions of an encoded list (for tests and the admin)."""
    data = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return [
        n * 8 + bit for n, byte in enumerate(data) if byte for bit in range(8) if byte & 0x80 >> bit
    ]


def sign(document, created, base_url=None):
    """`document` with a Data Integrity proof by the current key."""
    return signing.sign(
        document,
        signing_key(),
        key_id(current_public_key(), base_url),
        created,
    )


def status_list_credential(number, created, base_url=None):
    """The signed BitstringStatusListCredential for list `number`, cached until a revocation
    or restoration changes it (or the key changes)."""
    positions = revoked_positions(number)
    url = status_list_url(number, base_url)
    digest = hashlib.sha256(
        f"{url}|{current_public_key()}|{','.join(map(str, positions))}".encode()
    ).hexdigest()
    key = f"lantern:credential-status:{digest}"
    document = django_cache.get(key)
    if document is None:
        unsigned = {
            "@context": [signing.CREDENTIALS_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did(base_url),
            "validFrom": created,
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": STATUS_PURPOSE,
                "encodedList": encode_list(positions),
            },
        }
        document = sign(unsigned, created, base_url)
        django_cache.set(key, document, 24 * 60 * 60)
    return document
