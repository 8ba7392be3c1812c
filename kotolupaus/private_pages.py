"""Pages no browser or proxy may keep: every page behind a private link (they show the
contact's name, e-mail and phone, the partners' addresses, a draft) and every staff page.

One middleware that every response crosses sets `Cache-Control: no-store, private`
(with Django's never-cache headers) on them, whatever the view, its status (a 404, a 410,
a 403 from CSRF, a 429 from the rate limit) or anything an earlier layer set. A page is
private when

- its URL takes a private link's secret (a `token`, `signature` or `reference`
  argument: management, edit, partners, reports, partner, draft, confirmation, kept
  image, "stop reminding me") — so a new URL with such an argument is private from the
  day it is added —, or its path has the shape of one (kotolupaus.logs.PRIVATE_LINK,
  also before URL resolution, e.g. a language redirect), or
- it is under the admin panel (`/<language>/ADMIN_PATH`), the staff workspace included.
"""

import re

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control

from .logs import PRIVATE_LINK

PRIVATE_ARGUMENTS = frozenset({"token", "signature", "reference"})


def _staff_prefix():
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:{languages})/{re.escape(settings.ADMIN_PATH)}")


def is_private(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is not None and PRIVATE_ARGUMENTS & set(match.kwargs):
        return True
    path = request.path
    return bool(PRIVATE_LINK.search(path) or _staff_prefix().match(path))


def keep_nowhere(response):
    """Cache-Control: no-store, private (and Django's never-cache headers), replacing
    whatever was set before."""
    if "Cache-Control" in response:
        del response["Cache-Control"]
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request):
            keep_nowhere(response)
        return response
