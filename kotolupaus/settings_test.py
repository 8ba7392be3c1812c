"""Settings for the test suite: the real settings in the `test` environment, with
fast password hashing, e-mail kept in memory and no HTTPS redirect."""

import os

os.environ.setdefault("KOTOLUPAUS_ENV", "test")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if os.environ.get("TEST_EMAIL_URL"):
    # A worker process started by a test sends to the test's own SMTP server.
    vars().update(env.email_url("TEST_EMAIL_URL"))  # noqa: F405
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Separate test databases for runs side by side (e.g. TEST_DATABASE_NAME=test_kotolupaus_2).
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_kotolupaus")}  # noqa: F405
