"""A stored file as a download: ETag and Last-Modified with conditional requests (304;
412 for If-Match and If-Unmodified-Since), Content-Length, and byte ranges for resumed
and partial downloads (206, 416) — RFC 9110, sections 13 and 14.

Django's FileResponse sends a whole file and knows nothing of ranges, and whitenoise
handles ranges only for its own static files (and answers a one-byte range, bytes=0-0,
with 416), so the ranges are handled here:

- One range a request: `bytes=first-last`, `bytes=first-` or `bytes=-suffix`; a last
  byte beyond the end means the end. A request for several ranges, a Range header that
  cannot be parsed or that names another unit gets the whole file (200), as RFC 9110
  section 14.2 allows ("a server MAY ignore the Range header field"). Only GET has
  ranges; HEAD answers as GET without them.
- If-Range with the current ETag (strong comparison) or the exact Last-Modified keeps
  the range; any other value gets the whole file (the file changed meanwhile).
- A range that starts at or after the end (or an empty suffix, or any range of an empty
  file) is answered 416 with `Content-Range: bytes */<size>`. Numbers of any length are
  read without converting thousands of digits (Python refuses over 4,300): a position
  past every file (more than 18 digits, leading zeros aside) is "beyond the end".

The bytes of a range are those of the file as stored: a .gz file's ranges are over the
compressed bytes, so compressed files are their own downloads (entries.json.gz), never
a Content-Encoding of the plain one.
"""

import re
from calendar import timegm

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag

BLOCK = 64 * 1024
RANGE = re.compile(r"\s*bytes\s*=\s*([0-9]*)\s*-\s*([0-9]*)\s*", re.IGNORECASE)
# A byte position longer than this many digits is past the end of any file we serve.
MAX_DIGITS = 18
BEYOND = 10**MAX_DIGITS
UNSATISFIABLE = "unsatisfiable"


def file_response(
    request,
    open_file,
    *,
    size: int,
    etag: str,
    last_modified,
    content_type: str,
    filename: str,
    as_attachment: bool = False,
):
    """The file that `open_file()` opens (binary, seekable), as a response to `request`."""
    etag = quote_etag(etag)
    modified = timegm(last_modified.utctimetuple())
    response: HttpResponseBase | None = get_conditional_response(
        request, etag=etag, last_modified=modified
    )
    if response is None:
        wanted = _range(request, size, etag, modified)
        if wanted is None:
            response = FileResponse(
                open_file(),
                content_type=content_type,
                as_attachment=as_attachment,
                filename=filename,
            )
            response["Content-Length"] = str(size)
        elif wanted == UNSATISFIABLE:
            response = HttpResponse(status=416, content_type="text/plain; charset=utf-8")
            response["Content-Range"] = f"bytes */{size}"
        else:
            first, last = wanted
            response = StreamingHttpResponse(
                _slice(open_file, first, last - first + 1), status=206, content_type=content_type
            )
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
            response["Content-Length"] = str(last - first + 1)
        response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    return response


def public(response, *, max_age=60, shared_max_age=300):
    """Anyone may keep it (browsers a minute, a CDN or proxy five), revalidating after."""
    patch_cache_control(response, public=True, max_age=max_age, s_maxage=shared_max_age)
    return response


def _range(request, size, etag, modified):
    """(first, last) byte of the range asked for, UNSATISFIABLE, or None for the whole."""
    header = request.META.get("HTTP_RANGE")
    if not header or request.method != "GET":
        return None
    if_range = request.META.get("HTTP_IF_RANGE")
    if (
        if_range is not None
        and if_range.strip() != etag
        and parse_http_date_safe(if_range) != modified
    ):
        return None  # the range was of another version of the file: send it whole
    match = RANGE.fullmatch(header)
    if match is None:  # another unit, several ranges, or nonsense
        return None
    first, last = (_position(text) for text in match.groups())
    if first is None:
        if last is None:
            return None
        suffix = last
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return max(size - suffix, 0), size - 1
    if last is not None and last < first:
        return None  # not a valid range: ignored
    if first >= size:
        return UNSATISFIABLE
    return first, min(last, size - 1) if last is not None else size - 1


def _position(digits: str) -> int | None:
    """A byte position as written (None when empty), BEYOND for absurdly long ones."""
    if not digits:
        return None
    digits = digits.lstrip("0") or "0"
    return BEYOND if len(digits) > MAX_DIGITS else int(digits)


def _slice(open_file, first, length):
    with open_file() as file:
        file.seek(first)
        while length > 0:
            block = file.read(min(BLOCK, length))
            if not block:
                break
            length -= len(block)
            yield block
