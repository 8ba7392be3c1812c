"""Uploaded images: checked and re-encoded by Pillow before anything is stored.

Only the re-encoded pixels are kept: metadata (EXIF location, comments) is dropped,
anything that is not a JPEG, PNG, GIF or WebP image is refused, and so are images
larger than the byte and pixel limits (decompression bombs are refused before they
are decoded). Stored names are random, so they cannot be guessed.
"""

import io
import secrets
import warnings
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

# Never decode a truncated file as if it were whole (other libraries, e.g. WeasyPrint,
# switch this on for the whole process; see also publishing.views.programme_pdf).
ImageFile.LOAD_TRUNCATED_IMAGES = False

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000
MAX_STORED_SIDE = 2000
ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
PENDING_DIR = "pending"  # kept between form steps; purged after 48 h
DRAFT_DIR = "drafts"  # kept with a saved draft, as long as the draft
SIGNING_SALT = "kotolupaus.pending-upload"


def process_image(upload) -> ContentFile:
    """Validate an uploaded file and return it re-encoded (PNG with transparency, else JPEG)."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is too large (%(size)s). The largest allowed size is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)},
            code="image_too_large",
        )
    not_an_image = ValidationError(
        _("This file is not an image we can use. Upload a JPEG, PNG, GIF or WebP image."),
        code="not_an_image",
    )
    too_many_pixels = ValidationError(
        _("The image has too many pixels. Use an image of at most %(megapixels)s megapixels.")
        % {"megapixels": MAX_PIXELS // 1_000_000},
        code="image_too_many_pixels",
    )
    upload.seek(0)
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise not_an_image
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise too_many_pixels
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except Exception:  # Pillow raises many kinds of errors for broken files
        raise not_an_image from None

    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    output = io.BytesIO()
    if has_alpha:
        image.convert("RGBA").save(output, format="PNG", optimize=True)
        extension = "png"
    else:
        image.convert("RGB").save(output, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(output.getvalue(), name=f"{secrets.token_urlsafe(16)}.{extension}")


def save_pending(content: ContentFile) -> str:
    """Keep a checked image between form steps; returns a signed reference for a hidden field."""
    name = default_storage.save(f"{PENDING_DIR}/{content.name}", content)
    return signing.dumps(name, salt=SIGNING_SALT)


def open_pending(reference: str, max_age=24 * 60 * 60):
    """The kept image behind a signed reference, or None if it is invalid or gone.

    Images kept between form steps expire after `max_age`; those kept with a draft
    last as long as the draft.
    """
    try:
        name = signing.loads(reference, salt=SIGNING_SALT)
        if name.startswith(f"{PENDING_DIR}/"):
            signing.loads(reference, salt=SIGNING_SALT, max_age=max_age)
        elif not name.startswith(f"{DRAFT_DIR}/"):
            return None
    except signing.BadSignature:
        return None
    if not default_storage.exists(name):
        return None
    with default_storage.open(name) as stored:
        return ContentFile(stored.read(), name=name.rsplit("/", 1)[-1])


def pending_name(reference: str) -> str | None:
    """The stored name behind a valid signed reference (for showing the kept image)."""
    content = open_pending(reference)
    return None if content is None else signing.loads(reference, salt=SIGNING_SALT)


def discard(reference: str) -> None:
    """Delete a kept image (after its draft was sent)."""
    try:
        name = signing.loads(reference, salt=SIGNING_SALT)
    except signing.BadSignature:
        return
    if name.startswith((f"{PENDING_DIR}/", f"{DRAFT_DIR}/")):
        default_storage.delete(name)


def keep_for_draft(reference: str) -> str:
    """Move a kept image to the drafts folder, so it lasts as long as the draft."""
    content = open_pending(reference)
    if content is None:
        return ""
    name = default_storage.save(f"{DRAFT_DIR}/{content.name}", content)
    return signing.dumps(name, salt=SIGNING_SALT)


def purge_pending(hours: int = 48) -> int:
    """Delete images kept between form steps (or with a draft's first save) that were
    never sent, once they are older than `hours`. Returns how many were deleted."""
    cutoff = timezone.now() - timedelta(hours=hours)
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        files = []
    removed = 0
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed


def content_type(name: str) -> str:
    """Stored images are re-encoded as JPEG or PNG (process_image)."""
    return "image/png" if name.lower().endswith(".png") else "image/jpeg"
