"""Request guards that apply to the whole site."""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation

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
                "image_limit": settings.MAX_IMAGE_UPLOAD_BYTES,
            },
            request=request,
        )
    response = HttpResponse(html, status=413)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    return response


def _from_a_proxy(remote: str) -> bool:
    """Did the connection come from where our proxies are (TRUSTED_PROXY_NETWORKS)?"""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in network for network in settings.TRUSTED_PROXY_NETWORKS)


def client_ip(request) -> str:
    """The visitor's address, which rate limits, login lockouts and the audit trail count.

    TRUSTED_PROXY_COUNT (0) is how many proxies of our own stand in front of the app
    (e.g. 2 for a CDN and nginx). Each appends the address it was connected from to
    X-Forwarded-For, so the visitor is the N-th address from the right; anything further
    left was sent by the visitor and is ignored. With 0, or without the header (a request
    that came through no proxy), the address of the connection itself. Fewer addresses
    than proxies (a request that entered behind the first proxy): the leftmost one, which
    one of ours wrote. An entry that is not an IP address (a proxy configured wrongly)
    counts as the connection's address. A connection from outside TRUSTED_PROXY_NETWORKS
    (someone who reached gunicorn past the proxies) is counted by its own address."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - not a bind address
    count = settings.TRUSTED_PROXY_COUNT
    if not count or not _from_a_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if not hops:
        return remote
    candidate = hops[-min(count, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


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
