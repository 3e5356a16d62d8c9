"""System checks for deployments (`manage.py check --deploy`)."""

from django.core import checks

from courses import conf


@checks.register(checks.Tags.security, deploy=True)
def credential_signing_key(app_configs, **kwargs):
    """A deployment signs credentials with a key of its own, not one derived from SECRET_KEY
    (which would change, and invalidate every credential, when SECRET_KEY is rotated)."""
    key = conf.credential_signing_key()
    if not key:
        return [
            checks.Warning(
                "CREDENTIAL_SIGNING_KEY is not set: Open Badges credentials are signed with a "
                "key derived from SECRET_KEY.",
                hint="Run `manage.py credential_key` and set CREDENTIAL_SIGNING_KEY "
                "(docs/credentials.md).",
                id="courses.W001",
            )
        ]
    from courses.certificates import signing

    try:
        signing.private_key_from_multibase(key)
    except ValueError as error:
        return [
            checks.Error(
                f"CREDENTIAL_SIGNING_KEY is not a valid key: {error}.",
                hint="Run `manage.py credential_key` for a new one.",
                id="courses.E001",
            )
        ]
    return []
