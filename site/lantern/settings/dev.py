"""Development: DEBUG on, console email, a fixed local secret. Never use in production."""

from .base import *  # noqa: F403
from .base import env_bool, env_str

LANTERN_ENVIRONMENT = "dev"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY") or "dev-only-insecure-key-lantern-do-not-use-in-production"
ALLOWED_HOSTS = ["*"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Security keys and passkeys over plain http://127.0.0.1 (browsers allow localhost).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
