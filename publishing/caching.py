"""HTTP caching of public pages, keyed on the last public change (the one row that
publishing.changes.public_change() moves): ETag and Last-Modified so that browsers and a
CDN revalidate cheaply, Cache-Control public for visitors and private for staff, and
the version that keys what the public pages keep in the shared cache."""

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from .queries import last_change


def changed(request):
    """The last public change, looked up once per request."""
    if not hasattr(request, "_public_change"):
        request._public_change = last_change()
    return request._public_change


def etag(request, *args, **kwargs):
    return f"{get_language()}-{version(request)}"


def last_modified(request, *args, **kwargs):
    return changed(request)


def version(request):
    moment = changed(request)
    return moment.timestamp() if moment else 0


def public_cache(view):
    """ETag and Last-Modified from the last public change, so browsers and a CDN can
    revalidate cheaply; staff (logged in) get private, uncached pages."""
    conditional = condition(etag_func=etag, last_modified_func=last_modified)(view)

    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        response = conditional(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=60, s_maxage=300)
        patch_vary_headers(response, ["Cookie"])
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped
