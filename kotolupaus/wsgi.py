"""WSGI entry point: `gunicorn kotolupaus.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotolupaus.settings")

application = get_wsgi_application()
