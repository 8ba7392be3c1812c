"""The production settings plus a bare "ceiling" page for the load benchmark.

Used only by bench/run.py (DJANGO_SETTINGS_MODULE=bench.settings); every other value,
including the strict production checks, comes from kotolupaus.settings.
"""

from kotolupaus.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
