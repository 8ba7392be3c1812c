"""Settings for the test suite: the real settings in the `test` environment, with
fast password hashing, e-mail kept in memory and no HTTPS redirect."""

import os

os.environ.setdefault("KOTOLUPAUS_ENV", "test")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
