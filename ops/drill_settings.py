"""Settings of the drills (`make fleet`, `make faults`): the site's own production
settings with one difference. Static files are collected with hashed names as in
production (every `{% static %}` resolves through the manifest) but not compressed:
whitenoise's gzip and brotli of 5 MB of vendored files take half a minute on two busy
cores and change nothing a drill checks."""

from kotolupaus.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
