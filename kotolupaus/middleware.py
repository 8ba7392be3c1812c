"""Request guards that apply to the whole site."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation

from submissions.images import MAX_UPLOAD_BYTES

logger = logging.getLogger(__name__)


class RequestSizeLimitMiddleware:
    """Refuse request bodies larger than MAX_REQUEST_BYTES before anything reads them.

    The 413 page is in the language of the address's prefix (/fi/, /sv/, /en/): this
    runs before LocaleMiddleware, and nothing of the body is read, so the prefix is all
    there is. It links back to the page that was posted to (every form posts to its own
    address), so the person can choose a smaller image and send again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return too_large(request, length)
        return self.get_response(request)


def too_large(request, length):
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            resolve(request.path_info)
        except Resolver404:
            back = None
        else:
            back = request.path
        html = render_to_string(
            "413.html",
            {
                "back_url": back,
                "size": length,
                "limit": settings.MAX_REQUEST_BYTES,
                "image_limit": MAX_UPLOAD_BYTES,
            },
            request=request,
        )
    response = HttpResponse(html, status=413)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


def forwarded_client_ip(request):
    """The client address the TLS proxy appended to X-Forwarded-For (the last one)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.rsplit(",", 1)[-1].strip() or request.META["REMOTE_ADDR"]


def health(request):
    """For the load balancer: 200 when the app can query the database, else 503."""
    from django.db import connection
    from django.http import JsonResponse

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy"
        logger.warning("health check failed", exc_info=True)
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


class AppendOnlyGuardMiddleware:
    """The database refuses to change or delete audit rows (a trigger). Should anything
    try, the person sees a translated explanation (409), never a server error; the
    attempt is logged."""

    GUARD = "append-only"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import DatabaseError
        from django.shortcuts import render

        if isinstance(exception, DatabaseError) and self.GUARD in str(exception):
            logging.getLogger(__name__).warning(
                "refused: change of the audit trail at %s", request.path
            )
            return render(request, "audit_refused.html", status=409)
        return None
