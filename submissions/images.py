"""Uploaded images: checked and re-encoded by Pillow before anything is stored.

Only the re-encoded pixels are kept: every piece of metadata (EXIF with its location,
JPEG comments, PNG text chunks, XMP, colour profiles) is dropped — an image with a
colour profile other than sRGB has its colours converted to sRGB first —, anything that
is not a JPEG, PNG, GIF or WebP image is refused, and so are images larger than the
byte and pixel limits. Stored names are random, so they cannot be guessed.

An image costs what it weighs, never what its header claims: the size is read from the
header and checked before a single pixel is decoded (MAX_PIXELS, which fits any logo or
photo), a JPEG is decoded straight at the scale it is stored at (libjpeg's DCT scaling,
`Image.draft`), and a progressive JPEG, whose decoder keeps every coefficient of the
full-size image, has a pixel limit of its own. So no upload of at most 5 MB costs more
than about half a second of CPU or 100 MB of memory (`python -m ops.image_cost`
measures it).
"""

import io
import secrets
import warnings
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps

# Never decode a truncated file as if it were whole (other libraries, e.g. WeasyPrint,
# switch this on for the whole process; see also publishing.views.programme_pdf).
ImageFile.LOAD_TRUNCATED_IMAGES = False

MAX_UPLOAD_BYTES = settings.MAX_IMAGE_UPLOAD_BYTES
# Pixels an image may have, by how it is decoded (measured by ops/image_cost.py). A JPEG
# is decoded straight at ½, ¼ or ⅛ of its size when it is that much larger than what is
# stored; a PNG or GIF is decoded whole (up to four bytes a pixel); libwebp needs about
# three copies of a WebP's pixels while it decodes.
MAX_PIXELS = 25_000_000  # a JPEG photo of 6000 × 4000
MAX_PIXELS_BY_FORMAT = {"PNG": 12_000_000, "GIF": 12_000_000, "WEBP": 5_000_000}
MAGIC = {
    "PNG": lambda head: head.startswith(b"\x89PNG"),
    "GIF": lambda head: head.startswith(b"GIF8"),
    "WEBP": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}
# A progressive JPEG's decoder holds two bytes per sample of the whole image, however
# small it decodes it: at most this much (a 4:2:0 colour JPEG: 13 megapixels).
MAX_PROGRESSIVE_COEFFICIENT_BYTES = 40_000_000
# Colour profiles up to this size are converted to sRGB; larger ones are dropped unread
# (a real profile has a few kilobytes; a huge one only costs time to parse).
MAX_ICC_BYTES = 64 * 1024
MAX_STORED_SIDE = 2000
STRIP_ROWS = 128  # rows of the stored image made at a time when shrinking
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
PENDING_DIR = "pending"  # kept between form steps; purged after 48 h
DRAFT_DIR = "drafts"  # kept with a saved draft, as long as the draft
SIGNING_SALT = "kotolupaus.pending-upload"
SRGB = ImageCms.createProfile("sRGB")


def pixel_limit(image) -> int:
    """How many pixels this image may have, from its header alone."""
    if image.format != "JPEG":
        return MAX_PIXELS_BY_FORMAT[image.format]
    if not (image.info.get("progressive") or image.info.get("progression")):
        return MAX_PIXELS
    # Samples per pixel from the components' sampling factors (4:2:0 colour: 1.5).
    factors = [(h, v) for _id, h, v, _table in getattr(image, "layer", [])] or [(1, 1)]
    most = max(h for h, _v in factors) * max(v for _h, v in factors)
    samples = sum(h * v for h, v in factors) / most
    # In whole megapixels, as the message says it.
    whole = int(MAX_PROGRESSIVE_COEFFICIENT_BYTES / (2 * samples)) // 1_000_000 * 1_000_000
    return min(MAX_PIXELS, whole)


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
    upload.seek(0)
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the header is read here; the formats we take are the only ones tried.
            with Image.open(upload, formats=ACCEPTED_FORMATS) as image:
                width, height = image.size
                limit = pixel_limit(image)
                if width * height > limit:
                    raise _too_many_pixels(limit)
                if image.format == "JPEG":
                    # Decoded straight at the largest scale (½, ¼, ⅛) still at least
                    # as big as what is stored.
                    image.draft(None, (MAX_STORED_SIDE, MAX_STORED_SIDE))
                image.load()
                ImageOps.exif_transpose(image, in_place=True)  # (a copy otherwise)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Refused by Pillow itself while reading the header (over 89 megapixels).
        upload.seek(0)
        head = upload.read(16)
        limit = next(
            (MAX_PIXELS_BY_FORMAT[f] for f, magic in MAGIC.items() if magic(head)), MAX_PIXELS
        )
        raise _too_many_pixels(limit) from None
    except Exception:  # Pillow raises many kinds of errors for broken files
        raise not_an_image from None

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    image = _as_srgb(_shrink(image, mode), mode)
    image.info = {}  # nothing of the upload's metadata goes on (Pillow would copy some)
    output = io.BytesIO()
    if has_alpha:
        image.save(output, format="PNG", optimize=True)
        extension = "png"
    else:
        image.save(output, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(output.getvalue(), name=f"{secrets.token_urlsafe(16)}.{extension}")


def _shrink(image, mode):
    """At most MAX_STORED_SIDE on each side. Whole blocks of pixels are averaged first
    (cheap, and as good as any filter for a factor of two or more) in strips, so that
    the work never holds a second copy of the whole image (converting a palette or
    premultiplying alpha would); the rest with Lanczos. Colour-managed modes (RGB, RGBA,
    CMYK) keep theirs until _as_srgb; others become `mode`."""
    target = image.mode if image.mode in ("RGB", "RGBA", "CMYK") else mode
    factor = max(image.size) // MAX_STORED_SIDE
    if factor >= 2:
        width, height = image.size
        reduced = Image.new(target, (-(-width // factor), -(-height // factor)))
        step = factor * STRIP_ROWS
        for top in range(0, height, step):
            strip = image.crop((0, top, width, min(top + step, height)))
            reduced.paste(strip.convert(target).reduce(factor), (0, top // factor))
        reduced.info = image.info
        image = reduced
    elif image.mode != target:
        image = image.convert(target)
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    return image


def _too_many_pixels(limit) -> ValidationError:
    return ValidationError(
        _("The image has too many pixels. Use an image of at most %(megapixels)s megapixels.")
        % {"megapixels": limit // 1_000_000},
        code="image_too_many_pixels",
    )


def _as_srgb(image, mode):
    """The image in `mode` with sRGB colours: converted through its colour profile when
    it has one (of a sensible size) that Little CMS can use, else as Pillow converts."""
    profile = image.info.get("icc_profile")
    if profile and len(profile) <= MAX_ICC_BYTES and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            if "srgb" not in ImageCms.getProfileDescription(source).lower().replace(" ", ""):
                converted = ImageCms.profileToProfile(
                    image if mode == "RGBA" or image.mode != "RGBA" else image.convert("RGB"),
                    source,
                    SRGB,
                    outputMode=mode if image.mode != "CMYK" else "RGB",
                )
                if converted is not None:
                    image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: the pixels as they are
    return image.convert(mode)


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
