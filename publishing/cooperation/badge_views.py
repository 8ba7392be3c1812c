"""The badge's addresses (see publishing/cooperation/badges.py), under each language:
/<language>/entries/<pk>/badge.svg, badge.png and share.png.

Served as the public pages are (publishing/caching.py: ETag and Last-Modified from the
public version, public Cache-Control, drawn once per version and language from the page
cache); a 404 for an entry that never was public, a 410 page for one that is no longer.

The badge is meant for other sites' pages: `Cross-Origin-Resource-Policy: cross-origin`
and `Access-Control-Allow-Origin: *` let any page show it (as an <img>, or draw it on a
canvas), and a Content-Security-Policy of its own lets nothing run or load in the SVG
when it is opened by itself."""

from django.http import HttpResponse
from django.utils.translation import get_language

from ..caching import public_cache
from ..views import _no_longer_public
from . import badge_images
from .badges import badge_for, public_entry

# Nothing in a badge loads or runs anything; opened on its own, it may not either.
IMAGE_POLICY = "default-src 'none'; sandbox"


def _image(request, pk, draw, content_type, suffix):
    entry = public_entry(pk)
    if entry is None:
        return _no_longer_public(request, pk)
    badge = badge_for(entry, get_language())
    response = HttpResponse(draw(badge), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{badge.filename}{suffix}"'
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Security-Policy"] = IMAGE_POLICY
    return response


@public_cache(query=[])
def badge_svg(request, pk):
    return _image(request, pk, badge_images.svg, "image/svg+xml", ".svg")


@public_cache(query=[])
def badge_png(request, pk):
    return _image(request, pk, badge_images.png, "image/png", ".png")


@public_cache(query=[])
def share_image(request, pk):
    return _image(request, pk, badge_images.share_png, "image/png", "-share.png")
