"""Site-wide pages: the home page and the statements every public service needs."""

import datetime
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static

logger = logging.getLogger(__name__)

# The day the privacy notice (templates/pages/privacy.html) was last changed.
PRIVACY_NOTICE_UPDATED = datetime.date(2026, 12, 7)


def home(request):
    return render(request, "home.html")


def about(request):
    return render(request, "pages/about.html")


def privacy(request):
    return render(
        request,
        "pages/privacy.html",
        {
            "data_protection_email": settings.DATA_PROTECTION_EMAIL,
            "retention_days": settings.CONTACT_DATA_RETENTION_DAYS,
            "log_days": settings.LOG_RETENTION_DAYS,
            "unconfirmed_days": settings.UNCONFIRMED_ENTRY_DAYS,
            "updated": PRIVACY_NOTICE_UPDATED,
        },
    )


def accessibility(request):
    from .accessibility import KNOWN_ISSUES, PREPARED, UPDATED

    return render(
        request,
        "pages/accessibility.html",
        {
            "known_issues": KNOWN_ISSUES,
            "prepared": PREPARED,
            "updated": UPDATED,
            "feedback_email": settings.ACCESSIBILITY_FEEDBACK_EMAIL,
        },
    )


def rate_limited(request, exception):
    """Too many posts from one address (django-ratelimit): a translated 429 page."""
    from .metrics import RATE_LIMITED, view_name

    RATE_LIMITED.labels(view_name(request)).inc()
    return render(request, "429.html", status=429)


def server_error(request):
    """The 500 page; while the database cannot be reached, a translated 503 page with
    Retry-After instead. Rendered without the database (no request context). Database
    connections are health-checked, so the app recovers by itself when it is back."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", error.__class__.__name__)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def gone(request, *, heading, message, links=(), campaign=None):
    """HTTP 410 for an address that worked once: what happened and where to go now."""
    context = {"heading": heading, "message": message, "links": links}
    if campaign is not None:
        context["campaign"] = campaign
    return render(request, "gone.html", context, status=410)


ROOT_ICONS = {
    "favicon.ico": "icons/favicon.ico",
    "apple-touch-icon.png": "icons/apple-touch-icon.png",
    "apple-touch-icon-precomposed.png": "icons/apple-touch-icon.png",
}


def root_icon(request, name):
    """/favicon.ico and /apple-touch-icon.png, which browsers ask for by themselves:
    a permanent redirect to the static file instead of a 404 in every console."""
    response = HttpResponsePermanentRedirect(static(ROOT_ICONS[name]))
    response["Cache-Control"] = "public, max-age=86400"
    return response
