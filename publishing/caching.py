"""HTTP caching of public pages, keyed on the public version: the last public change (the
one row that publishing.changes.public_change() moves) or, when later, the last campaign
opening or closing that has passed (the pages say whether the campaign is open).

- `ETag` and `Last-Modified` from that version, so that browsers and a CDN revalidate
  with one cache lookup and no query (304);
- `Cache-Control: public` for visitors, short enough that a withdrawal reaches everyone
  within three minutes at most, and `private, no-cache` for staff and for a visitor whose
  page could be their own (a session or a flash message);
- the page cache: a visitor's page rendered once per version, language, address and the
  query parameters the page reads, then answered from the "default" cache (Redis in
  production) without touching the database. A public change moves the version, so no
  page kept from before it is ever served again; the old ones expire after
  PAGE_CACHE_SECONDS.
- each page declares the query parameters it reads (`public_cache(query=[…])`); the
  others never reach the view, the links it writes or the key, so `?utm_source=…` or
  `?x=<3 KB>` gets the page everyone gets (and cannot make one page of its own per
  value, nor repeat 3 KB in sixty filter links).

How soon every process sees a new version: public_change() forgets the cached last
change in its own process at once and, on commit, in the "default" cache. With Redis
that cache is shared, so every process sees it on its next request; without Redis
(development, one machine) another process's copy lives at most
publishing.queries.LAST_CHANGE_SECONDS (5 s). The same bound covers a request that
read the old row just before the commit and cached it just after.
"""

import hashlib
from functools import partial, wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from kotolupaus.metrics import PAGE_CACHE, view_name

from .queries import last_public_moment

# Cache-Control for visitors. Browsers reuse a page for a minute (back and forth, a
# second look); a CDN or reverse proxy keeps it a minute too and then revalidates with
# If-None-Match, which costs the app no query (304), and may answer from the old copy
# for another half a minute while it does (stale-while-revalidate), so that visitors
# never wait for the app on popular pages. A withdrawn entry is gone from a proxy within
# a minute and a half, and from a browser that got the proxy's last copy within three
# minutes at most (max-age and stale-while-revalidate again).
BROWSER_SECONDS = 60
PROXY_SECONDS = 60
STALE_SECONDS = 30
FOR_VISITORS = (
    f"public, max-age={BROWSER_SECONDS}, s-maxage={PROXY_SECONDS}, "
    f"stale-while-revalidate={STALE_SECONDS}"
)

# Larger pages are rendered each time (the sitemap of thousands of entries): a few
# such pages would crowd everything else out of a per-process cache.
MAX_PAGE_BYTES = 2 * 2**20

# Headers of a kept page that the decorators and middleware set anew on every answer.
NOT_KEPT = {"set-cookie", "vary", "cache-control", "etag", "expires"}


# --- The public version -----------------------------------------------------------------------


def changed(request):
    """When the public pages last changed (Last-Modified), looked up once per request:
    the last public change, or the last campaign opening or closing since then."""
    if not hasattr(request, "_public_change"):
        request._public_change = last_public_moment()
    return request._public_change


def version(request):
    moment = changed(request)
    return moment.timestamp() if moment else 0


def etag(request, *args, **kwargs):
    return f"{get_language()}-{version(request)}"


def last_modified(request, *args, **kwargs):
    return changed(request)


# --- The page cache ---------------------------------------------------------------------------


def personal(request):
    """Could the page be this visitor's own? With a session (staff, or a submitter's
    flash message kept there) or flash messages in their cookie, it may be."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies


# A value longer than any page reads, or more values of one name than any page reads, is
# not read (the search box takes 200 characters).
MAX_VALUE_CHARS = 200
MAX_VALUES = 10


def read_only(request, query) -> None:
    """Leave the request only the query parameters the page reads (`query`): by name in
    a fixed order, the values of one name as given (their order may matter), without
    empty, overlong or surplus values. Everything downstream — the view, the links it
    writes (filters, pages, the other languages), the key — sees only these."""
    kept = QueryDict(mutable=True)
    for name in sorted(set(query)):
        values = [v for v in request.GET.getlist(name) if v and len(v) <= MAX_VALUE_CHARS]
        if values:
            kept.setlist(name, values[:MAX_VALUES])
    encoded = kept.urlencode()
    if encoded != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = encoded
        request.GET = QueryDict(encoded)


def page_key(request):
    """The version, the language, the address (scheme, host, path) and the query string
    the page reads (read_only made it canonical). Hashed: however long the address, the
    key is short."""
    # The host as sent: CommonMiddleware has checked it against ALLOWED_HOSTS already.
    host = request.META.get("HTTP_HOST") or request.get_host()
    query = request.META.get("QUERY_STRING", "")
    address = "\n".join([request.scheme, host, get_language(), request.path, query])
    digest = hashlib.blake2b(address.encode(errors="replace"), digest_size=20).hexdigest()
    return f"page:{version(request)}:{digest}"


def _keepable(request, response) -> bool:
    """A page everyone may be given: a complete 200 that sets no cookie, used no CSRF
    token (a form's token is the visitor's own), left the session and the flash messages
    alone and varies on nothing the key leaves out."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and (messages.added_new or messages.used):
        return False
    if response.has_header("Vary"):
        return False
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-store", "no-cache"))


def _keep(request, key, headers, response):
    if _keepable(request, response) and len(response.content) <= MAX_PAGE_BYTES:
        cache.set(key, (response.content, headers), settings.PAGE_CACHE_SECONDS)
    return response


def page_cached(view):
    """The view's page from the cache when kept under this version, otherwise rendered
    and kept when it is the same for every visitor (see _keepable)."""

    @wraps(view)
    def cached(request, *args, **kwargs):
        if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        key = page_key(request)
        kept = cache.get(key)
        if kept is not None:
            PAGE_CACHE.labels(view_name(request), "hit").inc()
            content, headers = kept
            return HttpResponse(content, headers=headers)
        PAGE_CACHE.labels(view_name(request), "miss").inc()
        response = view(request, *args, **kwargs)
        headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_KEPT]
        if getattr(response, "is_rendered", True):
            return _keep(request, key, headers, response)
        # A TemplateResponse (the sitemap) is rendered later: keep it then, once what
        # rendering did (a CSRF token used, a message read) is known.
        response.add_post_render_callback(partial(_keep, request, key, headers))
        return response

    return cached


# --- The decorator ----------------------------------------------------------------------------


UNDECLARED = object()


def public_cache(view=None, *, query=UNDECLARED, keep=True):
    """ETag and Last-Modified from the public version, so that browsers and a CDN can
    revalidate cheaply; Cache-Control public for visitors. Their pages come from the
    page cache (`keep=False`: pages that have a cache of their own or are streamed).
    Staff (logged in) get private, uncached pages, rendered afresh; so does a visitor
    with a session or flash messages, with ETag.

    `query`, required: the names of the query parameters the page reads (`[]` for
    none); no other parameter reaches the view, whoever asks (read_only)."""
    if query is UNDECLARED:
        raise TypeError(
            "public_cache needs query=[…]: the names of the query parameters the page "
            "reads ([] for none)"
        )
    if view is None:
        return partial(public_cache, query=query, keep=keep)
    query = tuple(query)
    headers_only = condition(etag_func=etag, last_modified_func=last_modified)(view)
    with_pages = (
        condition(etag_func=etag, last_modified_func=last_modified)(page_cached(view))
        if keep
        else headers_only
    )

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        read_only(request, query)
        if personal(request):
            if request.user.is_authenticated:
                response = view(request, *args, **kwargs)
            else:
                response = headers_only(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        response = with_pages(request, *args, **kwargs)
        if getattr(response, "is_rendered", True):
            return _for_visitors(request, response)
        response.add_post_render_callback(partial(_for_visitors, request))
        return response

    wrapped.reads = query
    return wrapped


def _for_visitors(request, response):
    """Public, unless the page turned out to be the visitor's own after all: a cookie set
    or a CSRF token in it (a shared cache must not hand it to anyone else)."""
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        patch_cache_control(response, private=True, no_cache=True)
    elif "Cache-Control" in response:
        patch_cache_control(
            response,
            public=True,
            max_age=BROWSER_SECONDS,
            s_maxage=PROXY_SECONDS,
            stale_while_revalidate=STALE_SECONDS,
        )
    else:  # the usual case, as a constant: every page from the cache comes this way
        response["Cache-Control"] = FOR_VISITORS
    patch_vary_headers(response, ["Cookie"])
    return response
