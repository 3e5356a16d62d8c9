"""W3C Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite: Ed25519 signatures over
the RDF Dataset Canonicalization (RDFC-1.0) of a JSON-LD document.

Specification: https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022 (tested against its test
vectors in tests/courses/certificates/test_signing.py). Canonicalisation never fetches a
context over the network: the contexts Lantern uses are pinned in `contexts/`, and a document
naming any other context cannot be signed or verified.
"""

import copy
import hashlib
import json
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
PINNED_CONTEXTS = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-context-3.0.3.json",
    # Used by the specification's test vectors.
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
}
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"

# Multicodec prefixes (varint) for Ed25519 keys in Multikey form.
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class SigningError(Exception):
    """The document cannot be canonicalised (an unknown context, invalid JSON-LD)."""


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(BASE58_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = BASE58_ALPHABET.find(char)
        if index < 0:
            raise ValueError(f"not base58btc: {char!r}")
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_decode(value: str) -> bytes:
    """Bytes of a base58btc multibase string (`z…`)."""
    if not value.startswith("z"):
        raise ValueError("only base58btc multibase values (starting with z) are supported")
    return base58btc_decode(value[1:])


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc_encode(ED25519_PUB + raw)


def private_key_multibase(private_key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return "z" + base58btc_encode(ED25519_PRIV + seed)


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    data = multibase_decode(value)
    if not data.startswith(ED25519_PRIV) or len(data) != 34:
        raise ValueError("not an Ed25519 private key in Multikey form")
    return Ed25519PrivateKey.from_private_bytes(data[2:])


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    data = multibase_decode(value)
    if not data.startswith(ED25519_PUB) or len(data) != 34:
        raise ValueError("not an Ed25519 public key in Multikey form")
    return Ed25519PublicKey.from_public_bytes(data[2:])


@cache
def _context(url):
    return json.loads((CONTEXTS_DIR / PINNED_CONTEXTS[url]).read_text(encoding="utf-8"))


def document_loader(url, options=None):
    """pyld's loader: pinned contexts only, never the network."""
    if url not in PINNED_CONTEXTS:
        raise jsonld.JsonLdError(
            f"Context {url} is not pinned in Lantern.", "jsonld.LoadDocumentError"
        )
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def canonicalize(document) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    try:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
            },
        )
    except jsonld.JsonLdError as error:
        raise SigningError(str(error)) from error


def _hash_data(unsecured, proof_config):
    proof_hash = hashlib.sha256(canonicalize(proof_config).encode()).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured).encode()).digest()
    return proof_hash + document_hash


def _proof_config(document, proof):
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    config["@context"] = document["@context"]
    return config


def sign(document, private_key, verification_method, created, purpose="assertionMethod"):
    """A copy of `document` with an eddsa-rdfc-2022 DataIntegrityProof. `created` is an ISO
    8601 string; `verification_method` the key's URL (e.g. did:web:example.org#z6Mk…)."""
    unsecured = copy.deepcopy(document)
    unsecured.pop("proof", None)
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
    }
    signature = private_key.sign(_hash_data(unsecured, _proof_config(unsecured, proof)))
    proof["proofValue"] = "z" + base58btc_encode(signature)
    return {**unsecured, "proof": proof}


def verify(document, public_key) -> bool:
    """Whether `document`'s proof is a valid eddsa-rdfc-2022 signature by `public_key`.
    (Lantern's own check; the tests also verify with independent code.)"""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    if proof.get("type") != PROOF_TYPE:
        return False
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    try:
        signature = multibase_decode(proof.get("proofValue", ""))
        public_key.verify(signature, _hash_data(unsecured, _proof_config(unsecured, proof)))
    except (ValueError, InvalidSignature, SigningError):
        return False
    return True
