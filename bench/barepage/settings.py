"""Settings for bench/http_pages.py: production settings, plus the bare page app.

The benchmark sets the environment production needs (SECRET_KEY, ALLOWED_HOSTS, a Redis
CACHE_URL, DATABASE_URL) and serves plain HTTP on the loopback interface, so the HTTPS
redirect is off (SECURE_SSL_REDIRECT=0 in the environment). Never used by the site.
"""

import os

from lantern.settings.production import *  # noqa: F403
from lantern.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "barepage"]
# The in-process query count runs through Django's test client, whose host is "testserver".
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# collectstatic writes here (a temporary directory the benchmark makes and removes).
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
# Plain HTTP on the loopback interface: cookies marked Secure would never come back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
