"""The cooperation programme as a tagged, accessible PDF (PDF/UA-1, WeasyPrint).

Rendering takes seconds of CPU, so a campaign's PDF is built in the background, once per
language and change of its content, and served as a file (publishing/public_files.py). WeasyPrint
reads only our own uploads, through the storage API: no address in an entry can make the
server fetch anything from the network.
"""

import mimetypes
from urllib.parse import unquote, urlsplit

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils.translation import gettext, override

BASE_URL = "https://kotolupaus.invalid/"
# Uploaded images are written into the PDF's HTML as UPLOADS + the file's name in the
# storage (local disk or S3 alike) and read back through the storage API.
UPLOADS = BASE_URL + "uploads/"


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class UploadsOnly(URLFetcher):
        """Uploaded images from the storage; no other address is ever fetched."""

        def fetch(self, url, headers=None):
            if not url.startswith(UPLOADS):
                raise ValueError(f"not fetched: {url}")
            name = unquote(urlsplit(url).path)[len(urlsplit(UPLOADS).path) :]
            with default_storage.open(name, "rb") as file:
                body = file.read()
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return UploadsOnly


def page_counter(language):
    """The CSS `content` value of the page footer, e.g. "Sivu " counter(page) "/" …"""
    with override(language):
        text = gettext("Page %(page)s of %(pages)s")
    text = text.replace("\\", "").replace('"', "")
    return '"{}"'.format(
        text.replace("%(page)s", '" counter(page) "').replace("%(pages)s", '" counter(pages) "')
    )


def programme_html(context, language) -> str:
    """The programme of `context` (publishing.programme.programme_context) as the HTML
    WeasyPrint reads, in `language`."""
    with override(language):
        return render_to_string(
            "publishing/programme_pdf.html",
            {
                **context,
                "LANGUAGE_CODE": language,
                "page_counter": page_counter(language),
                "uploads": UPLOADS,
            },
        )


def pdf_from_html(html, identifier) -> bytes:
    """PDF/UA-1 bytes of the programme's HTML (seconds of CPU)."""
    from PIL import ImageFile
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher_class()()).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=identifier.encode()
    )
    # WeasyPrint lets Pillow decode truncated images, for the whole process; uploads
    # must not be (submissions/images.py), so put the setting back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return pdf
