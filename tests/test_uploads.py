"""Logo and image uploads on the submission form: checked, re-encoded, kept between steps."""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image, ImageFile

from submissions.images import SIGNING_SALT
from submissions.models import Entry, Organisation

from .conftest import entry_form_data, form_url

pytestmark = pytest.mark.django_db

NOT_AN_IMAGE = "This file is not an image we can use. Upload a JPEG, PNG, GIF or WebP image."
TOO_MANY_PIXELS = "The image has too many pixels. Use an image of at most {} megapixels."
KEPT = "The image you chose earlier is kept. Choose a new file only if you want to replace it."
MB = 1024 * 1024


def image_bytes(image_format="PNG", size=(120, 80), mode="RGB", color="teal", **save_args):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=image_format, **save_args)
    return buffer.getvalue()


def noisy_jpeg(size=(400, 300)):
    """A photo-like JPEG: random pixels, so most of the file is compressed image data."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def send(client, files, **overrides):
    """Post the English pledge form (action "submit") with the given uploads."""
    return client.post(form_url("pledge", "en"), {**entry_form_data(**overrides), **files})


def stored_files(settings):
    media = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def pending_value(content, field="org_logo"):
    """The hidden kept-image reference in a form page ("" when empty, None when absent)."""
    tag = re.search(rf'<input type="hidden" name="{field}_pending"[^>]*>', content)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def open_stored(field_file):
    with field_file.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    return image, data


# --- Valid images -----------------------------------------------------------------------


def test_logo_with_transparency_is_stored_re_encoded_under_a_random_name(client, campaign):
    uploaded = image_bytes("PNG", (120, 80), mode="RGBA", color=(0, 128, 128, 100))

    response = send(client, {"org_logo": upload("Esimerkki Oy logo.png", uploaded)})

    assert response.status_code == 302
    logo = Entry.objects.get().lead_organisation.logo
    assert re.fullmatch(r"logos/[A-Za-z0-9_-]{22}\.png", logo.name)
    assert "Esimerkki" not in logo.name and "logo" not in logo.name.removeprefix("logos/")
    image, data = open_stored(logo)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (120, 80))
    assert image.getpixel((0, 0)) == (0, 128, 128, 100)
    assert data != uploaded  # re-encoded, not the uploaded bytes


def test_logo_without_transparency_is_stored_as_jpeg(client, campaign):
    send(client, {"org_logo": upload("logo.png", image_bytes("PNG", (64, 48)))})

    logo = Entry.objects.get().lead_organisation.logo
    assert re.fullmatch(r"logos/[A-Za-z0-9_-]{22}\.jpg", logo.name)
    image, _data = open_stored(logo)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (64, 48))


def test_two_uploads_with_the_same_file_name_get_different_stored_names(client, campaign):
    send(client, {"org_logo": upload("logo.png", image_bytes())})
    send(client, {"org_logo": upload("logo.png", image_bytes())})

    names = [o.logo.name for o in Organisation.objects.all()]
    assert len(names) == len(set(names)) == 2


def exif_jpeg(size=(40, 20), orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x013B] = "Maija Meikalainen"  # Artist
    exif[0x010E] = "Kotiosoite Esimerkkikatu 1"  # ImageDescription
    if orientation:
        exif[0x0112] = orientation
    return image_bytes("JPEG", size, exif=exif.tobytes())


@pytest.mark.parametrize("field", ["org_logo", "image"])
def test_exif_metadata_is_removed_from_stored_images(client, campaign, field):
    uploaded = exif_jpeg()
    assert Image.open(io.BytesIO(uploaded)).getexif()[0x013B] == "Maija Meikalainen"

    send(client, {field: upload("photo.jpg", uploaded, "image/jpeg")})

    entry = Entry.objects.get()
    stored = entry.lead_organisation.logo if field == "org_logo" else entry.image
    assert stored.name.startswith("logos/" if field == "org_logo" else "images/")
    image, data = open_stored(stored)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"Exif" not in data
    assert b"Model X" not in data


def test_sideways_photo_is_stored_upright(client, campaign):
    # EXIF orientation 6: the camera was turned, the picture must be rotated 90°.
    send(client, {"image": upload("photo.jpg", exif_jpeg((40, 20), orientation=6), "image/jpeg")})

    image, _data = open_stored(Entry.objects.get().image)
    assert image.size == (20, 40)


def test_large_image_is_scaled_down_to_at_most_2000_pixels(client, campaign):
    send(client, {"image": upload("wide.jpg", image_bytes("JPEG", (3000, 1200)), "image/jpeg")})

    image, _data = open_stored(Entry.objects.get().image)
    assert image.size == (2000, 800)


@pytest.mark.parametrize(
    ("name", "image_format", "content_type"),
    [
        ("logo.gif", "GIF", "image/gif"),
        ("logo.webp", "WEBP", "image/webp"),
        ("logo.jpeg", "JPEG", "image/jpeg"),
    ],
)
def test_gif_webp_and_jpeg_are_accepted(client, campaign, name, image_format, content_type):
    response = send(
        client, {"org_logo": upload(name, image_bytes(image_format, (30, 30)), content_type)}
    )

    assert response.status_code == 302
    image, _data = open_stored(Entry.objects.get().lead_organisation.logo)
    assert image.size == (30, 30)


def test_image_of_exactly_5_mb_is_accepted(client, campaign):
    png = image_bytes("PNG", (50, 50))
    exactly_5_mb = png + b"\0" * (5 * MB - len(png))  # after the image's end: ignored

    response = send(client, {"org_logo": upload("logo.png", exactly_5_mb)})

    assert response.status_code == 302
    assert Entry.objects.get().lead_organisation.logo


# --- Refused files ----------------------------------------------------------------------


def assert_refused(response, settings, field, message):
    content = response.content.decode()
    assert response.status_code == 200
    summary = re.search(r'<div class="error-summary".*?</div>', content, re.S).group(0)
    assert f'href="#id_{field}"' in summary
    assert message in summary
    assert Entry.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert stored_files(settings) == []
    assert pending_value(content, field) == ""
    assert KEPT not in content


def truncated(data):
    return data[: len(data) // 2]


REFUSED_AS_NOT_AN_IMAGE = {
    "text named logo.png": ("logo.png", b"This is just text, not a picture.\n" * 20),
    "svg": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>",
    ),
    "html named logo.gif": ("logo.gif", b"GIF89a<html><script>alert(1)</script></html>"),
    "pdf": ("logo.png", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    "bmp (not an accepted format)": ("logo.bmp", image_bytes("BMP", (20, 20))),
    "tiff (not an accepted format)": ("logo.tif", image_bytes("TIFF", (20, 20))),
    "truncated png": ("logo.png", truncated(image_bytes("PNG", (300, 300), color="red"))),
}


@pytest.mark.parametrize("field", ["org_logo", "image"])
@pytest.mark.parametrize("case", list(REFUSED_AS_NOT_AN_IMAGE))
def test_file_that_is_not_a_usable_image_is_refused(client, campaign, settings, field, case):
    name, content = REFUSED_AS_NOT_AN_IMAGE[case]

    response = send(client, {field: upload(name, content)})

    assert_refused(response, settings, field, NOT_AN_IMAGE)


@pytest.mark.parametrize("field", ["org_logo", "image"])
def test_truncated_jpeg_is_refused(client, campaign, settings, monkeypatch, field):
    # Pillow's default, as in a worker process that has not made a PDF yet.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)

    response = send(client, {field: upload("photo.jpg", truncated(noisy_jpeg()), "image/jpeg")})

    assert_refused(response, settings, field, NOT_AN_IMAGE)


def test_truncated_jpeg_is_refused_also_after_a_pdf_was_made(client, campaign, settings):
    pytest.importorskip("weasyprint")  # what publishing.views does on the first PDF export

    response = send(client, {"image": upload("photo.jpg", truncated(noisy_jpeg()), "image/jpeg")})

    assert_refused(response, settings, "image", NOT_AN_IMAGE)


def test_file_over_5_mb_is_refused_with_its_size(client, campaign, settings):
    png = image_bytes("PNG", (50, 50))
    six_mb = png + b"\0" * (6 * MB - len(png))

    response = send(client, {"org_logo": upload("logo.png", six_mb)})

    assert_refused(
        response,
        settings,
        "org_logo",
        "The image is too large (6.0\xa0MB). The largest allowed size is 5.0\xa0MB.",
    )


def test_file_one_byte_over_5_mb_is_refused(client, campaign, settings):
    png = image_bytes("PNG", (50, 50))
    over = png + b"\0" * (5 * MB + 1 - len(png))

    response = send(client, {"image": upload("photo.png", over)})

    assert_refused(response, settings, "image", "The largest allowed size is 5.0\xa0MB.")


@pytest.mark.parametrize(
    ("size", "image_format", "megapixels"),
    [
        ((20000, 20000), "PNG", 12),  # 400 megapixels: a bomb Pillow itself refuses
        ((6300, 6300), "PNG", 12),  # the security review's 131 KB single-colour PNG
        ((8000, 5000), "PNG", 12),  # 40 megapixels
        ((4001, 3000), "PNG", 12),  # just over what a PNG may have
        ((4001, 3000), "GIF", 12),
        ((2501, 2000), "WEBP", 5),
        ((6001, 4167), "JPEG", 25),  # just over what a baseline JPEG may have
    ],
)
def test_image_with_too_many_pixels_is_refused_before_it_is_decoded(
    client, campaign, settings, monkeypatch, size, image_format, megapixels
):
    bomb = io.BytesIO()
    Image.new("1" if image_format == "PNG" else "L", size).save(bomb, format=image_format)
    assert bomb.tell() < 1 * MB  # a small file ...
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size))

    response = send(client, {"org_logo": upload("logo.png", bomb.getvalue())})

    # ... of too many pixels, refused from its header: not one pixel decoded.
    assert_refused(response, settings, "org_logo", TOO_MANY_PIXELS.format(megapixels))
    assert decoded == []


def test_the_largest_images_taken_are_stored(client, campaign):
    png = image_bytes("PNG", (4000, 3000), mode="RGBA", color=(0, 90, 160, 128))
    jpeg = image_bytes("JPEG", (6000, 4166))

    send(client, {"org_logo": upload("logo.png", png), "image": upload("photo.jpg", jpeg)})

    entry = Entry.objects.get()
    logo, _data = open_stored(entry.lead_organisation.logo)
    photo, _data = open_stored(entry.image)
    assert (logo.format, logo.size) == ("PNG", (2000, 1500))
    assert (photo.format, photo.size) == ("JPEG", (2000, 1389))


def test_a_large_jpeg_is_decoded_straight_at_a_smaller_scale(client, campaign, monkeypatch):
    from PIL import JpegImagePlugin

    decoded = []
    load = JpegImagePlugin.JpegImageFile.load

    def watched(self):
        decoded.append(self.size)
        return load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", watched)

    send(client, {"image": upload("photo.jpg", image_bytes("JPEG", (6000, 4000)), "image/jpeg")})

    assert decoded[0] == (3000, 2000)  # half of each side: a quarter of the pixels
    image, _data = open_stored(Entry.objects.get().image)
    assert image.size == (2000, 1333)


def test_a_progressive_jpeg_has_a_pixel_limit_of_its_own(client, campaign, settings):
    # Its decoder keeps every coefficient of the whole image: 4:4:4 colour, 6 megapixels.
    progressive = image_bytes("JPEG", (3000, 2001), progressive=True, subsampling=0)
    baseline = image_bytes("JPEG", (3000, 2001), subsampling=0)

    refused = send(client, {"org_logo": upload("logo.jpg", progressive, "image/jpeg")})
    assert_refused(refused, settings, "org_logo", TOO_MANY_PIXELS.format(6))
    send(client, {"org_logo": upload("logo.jpg", baseline, "image/jpeg")})
    assert Entry.objects.count() == 1


@pytest.mark.parametrize("field", ["org_logo", "image"])
def test_comments_colour_profiles_and_text_chunks_are_removed(client, campaign, field):
    from PIL import ImageCms, PngImagePlugin

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    huge_profile = srgb + os.urandom(3 * MB - len(srgb))
    jpeg = image_bytes(
        "JPEG", (300, 200), comment=b"Kotiosoite Esimerkkikatu 1", icc_profile=huge_profile
    )
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Maija Meikalainen")
    text.add_itxt("Comment", "Puhelin 040 123 4567")
    png = image_bytes(
        "PNG", (300, 200), mode="RGBA", color=(9, 9, 9, 9), pnginfo=text, icc_profile=srgb
    )
    assert b"Esimerkkikatu" in jpeg and b"Meikalainen" in png

    send(client, {field: upload("a.jpg", jpeg, "image/jpeg")})
    send(client, {field: upload("b.png", png)}, org_name="Toinen Oy")

    for entry in Entry.objects.all():
        stored = entry.lead_organisation.logo if field == "org_logo" else entry.image
        image, data = open_stored(stored)
        assert image.info.get("icc_profile") is None
        assert "comment" not in image.info
        for secret in (b"Esimerkkikatu", b"Meikalainen", b"040 123", b"ICC_PROFILE", b"iCCP"):
            assert secret not in data
    assert Entry.objects.count() == 2


def test_empty_file_is_refused(client, campaign, settings):
    response = send(client, {"org_logo": upload("logo.png", b"")})

    assert_refused(response, settings, "org_logo", "The submitted file is empty.")


# --- An image is kept when the form is shown again --------------------------------------


def test_logo_is_kept_when_another_field_is_missing_and_sent_without_uploading_again(
    client, campaign, settings
):
    uploaded = image_bytes("PNG", (90, 60), mode="RGBA", color=(200, 0, 0, 255))

    first = send(client, {"org_logo": upload("logo.png", uploaded)}, title=None)
    content = first.content.decode()

    assert first.status_code == 200
    assert 'href="#id_title"' in content
    assert KEPT in content
    reference = pending_value(content)
    assert reference
    assert Entry.objects.count() == 0

    second = send(client, {}, org_logo_pending=reference)

    assert second.status_code == 302
    logo = Entry.objects.get().lead_organisation.logo
    assert re.fullmatch(r"logos/[A-Za-z0-9_-]{22}\.png", logo.name)
    image, _data = open_stored(logo)
    assert (image.size, image.getpixel((0, 0))) == ((90, 60), (200, 0, 0, 255))


def test_image_chosen_before_the_preview_is_sent_with_the_entry(client, campaign):
    preview = send(
        client,
        {"image": upload("photo.jpg", image_bytes("JPEG", (80, 40)), "image/jpeg")},
        action="preview",
    )
    content = preview.content.decode()

    assert "Check your pledge before sending" in content
    assert "The images you chose are kept and sent with the rest of the form." in content
    reference = pending_value(content, "image")
    assert reference
    assert Entry.objects.count() == 0

    response = send(client, {}, image_pending=reference)

    assert response.status_code == 302
    image, _data = open_stored(Entry.objects.get().image)
    assert image.size == (80, 40)


def test_new_upload_replaces_the_kept_one(client, campaign):
    first = send(client, {"org_logo": upload("old.png", image_bytes(size=(10, 10)))}, title=None)
    reference = pending_value(first.content.decode())

    send(
        client,
        {"org_logo": upload("new.png", image_bytes(size=(33, 22)))},
        org_logo_pending=reference,
    )

    image, _data = open_stored(Entry.objects.get().lead_organisation.logo)
    assert image.size == (33, 22)


@pytest.mark.parametrize(
    "forged",
    [
        "not-a-signed-value",
        "pending/logo.png",
        signing.dumps("pending/logo.png", salt="another-salt"),
        signing.dumps("pending/no-such-file.png", salt=SIGNING_SALT),
        signing.dumps("../../etc/passwd", salt=SIGNING_SALT),
    ],
)
def test_forged_or_invalid_kept_image_reference_is_ignored(client, campaign, forged):
    response = send(client, {}, org_logo_pending=forged, image_pending=forged)

    assert response.status_code == 302
    entry = Entry.objects.get()
    assert not entry.lead_organisation.logo
    assert not entry.image


def test_reference_to_another_entrys_stored_logo_is_ignored(client, campaign):
    send(client, {"org_logo": upload("logo.png", image_bytes())}, contact_email="a@example.fi")
    other_logo = Organisation.objects.get().logo.name
    assert other_logo.startswith("logos/")

    response = send(client, {}, org_logo_pending=signing.dumps(other_logo, salt=SIGNING_SALT))

    assert response.status_code == 302
    entry = Entry.objects.get(contact_email="maija@esimerkki.example.fi")
    assert not entry.lead_organisation.logo


def test_kept_image_reference_older_than_a_day_is_ignored(client, campaign):
    first = send(client, {"org_logo": upload("logo.png", image_bytes())}, title=None)
    reference = pending_value(first.content.decode())

    with time_machine.travel(timedelta(hours=25)):
        response = send(client, {}, org_logo_pending=reference)

    assert response.status_code == 302
    assert not Entry.objects.get().lead_organisation.logo


def test_form_does_not_claim_an_expired_image_is_kept(client, campaign):
    first = send(client, {"org_logo": upload("logo.png", image_bytes())}, title=None)
    reference = pending_value(first.content.decode())

    with time_machine.travel(timedelta(hours=25)):
        again = send(client, {}, title=None, org_logo_pending=reference)
    content = again.content.decode()

    assert again.status_code == 200
    assert KEPT not in content
    assert pending_value(content) == ""


# --- A withdrawn entry's images leave the storage ---------------------------------------


def test_withdrawing_an_entry_deletes_its_image_and_logo(client, campaign, settings):
    from submissions.services import confirm_address, withdraw_entry

    from .conftest import make_entry

    send(
        client,
        {
            "org_logo": upload("logo.png", image_bytes("PNG", (90, 60))),
            "image": upload("photo.jpg", image_bytes("JPEG", (80, 40)), "image/jpeg"),
        },
    )
    entry = confirm_address(Entry.objects.get())
    other = make_entry(campaign, "Toinen lupaus")
    names = [entry.image.name, entry.lead_organisation.logo.name]
    assert [name for name in names if name in stored_files(settings)] == names

    with TestCase.captureOnCommitCallbacks(execute=True):
        withdraw_entry(entry)

    entry.refresh_from_db()
    assert (entry.image.name, entry.lead_organisation.logo.name) == ("", "")
    assert [name for name in names if name in stored_files(settings)] == []
    assert Entry.objects.get(pk=other.pk).status == "submitted"


def test_a_logo_the_organisation_still_uses_for_another_entry_stays(client, campaign, settings):
    from submissions.services import confirm_address, withdraw_entry

    from .conftest import make_entry

    send(client, {"org_logo": upload("logo.png", image_bytes("PNG", (90, 60)))})
    entry = confirm_address(Entry.objects.get())
    other = make_entry(campaign, "Toinen lupaus")
    Entry.objects.filter(pk=other.pk).update(lead_organisation=entry.lead_organisation)
    logo = entry.lead_organisation.logo.name

    with TestCase.captureOnCommitCallbacks(execute=True):
        withdraw_entry(entry)

    assert logo in stored_files(settings)
    assert Organisation.objects.get(pk=entry.lead_organisation_id).logo.name == logo


def test_an_unreadable_colour_profile_is_dropped_and_the_image_kept(client, campaign):
    broken = b"\x00\x00\x02\x00not a colour profile" + os.urandom(400)
    jpeg = image_bytes("JPEG", (300, 200), icc_profile=broken)

    send(client, {"image": upload("photo.jpg", jpeg, "image/jpeg")})

    image, data = open_stored(Entry.objects.get().image)
    assert (image.format, image.size) == ("JPEG", (300, 200))
    assert b"ICC_PROFILE" not in data and b"not a colour profile" not in data
