"""Generate an Ed25519 key for signing Open Badges credentials (docs/credentials.md)."""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand

from courses.certificates import signing


class Command(BaseCommand):
    help = (
        "Print a new credential signing key: set CREDENTIAL_SIGNING_KEY to the private key; "
        "when rotating, add the old public key to CREDENTIAL_RETIRED_KEYS."
    )

    def handle(self, *args, **options):
        key = Ed25519PrivateKey.generate()
        self.stdout.write(f"CREDENTIAL_SIGNING_KEY={signing.private_key_multibase(key)}")
        self.stdout.write(f"# public key: {signing.public_key_multibase(key.public_key())}")
