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
    # The campaign and its programme text may have been read for another language (one
    # campaign object serves every language's PDF): their title, on the cover, in the
    # metadata and in the top bookmark, is the one in `language` (or its fallback).
    for translated in (context.get("campaign"), context.get("programme")):
        if translated is not None and hasattr(translated, "set_current_language"):
            translated.set_current_language(language)
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


def _tag_languages_scopes_and_whole_tables():
    """Three things WeasyPrint's tagging (weasyprint.pdf.tags, version 70) leaves out,
    added around it once per process:

    - /Lang on each structure element whose HTML element has a `lang` (an entry written
      in another language than the document);
    - /Scope (/Column or /Row, from the `scope` attribute) on table header cells;
    - one /Table for one table: WeasyPrint tags each page on its own, so a table across
      two pages became two tables; the later parts' rows are moved into the first.
    """
    import pydyf
    from weasyprint import pdf as weasy_pdf
    from weasyprint.pdf import tags

    if getattr(tags, "_kotolupaus", False):
        return
    build_box_tree = tags._build_box_tree
    add_tags = weasy_pdf.add_tags
    state = {"tables": [], "objects": {}}

    def build(box, parent, pdf, page_number, nums, annotations, marks):
        element_tag = None if getattr(box, "element", None) is None else box.element_tag
        own = "/" + tags._get_pdf_tag(element_tag)
        for element in build_box_tree(box, parent, pdf, page_number, nums, annotations, marks):
            state["objects"][element.reference] = element
            html = getattr(box, "element", None)
            if html is not None and element.get("S") == own and element_tag not in ("html", "body"):
                language = html.attrib.get("lang")
                if language:
                    element["Lang"] = pydyf.String(language)
                if own == "/TH":
                    scope = "/Row" if html.attrib.get("scope") == "row" else "/Column"
                    element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope
                if own == "/Table":
                    state["tables"].append((html, element))
            yield element

    def add_tags_then_join_tables(pdf, *args, **kwargs):
        state["tables"].clear()
        state["objects"].clear()
        result = add_tags(pdf, *args, **kwargs)
        first_of = {}
        for html, element in state["tables"]:
            first = first_of.setdefault(id(html), element)
            if first is element:
                continue
            for kid in element["K"]:
                child = state["objects"].get(kid)
                if child is not None:
                    child["P"] = first.reference
                first["K"].append(kid)
            holder = state["objects"].get(element["P"]) or _document(pdf)
            if holder is not None:
                holder["K"] = pydyf.Array([k for k in holder["K"] if k != element.reference])
            element["K"] = pydyf.Array()
        return result

    def _document(pdf):
        root = pdf.catalog.get("StructTreeRoot")
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("S") == "/Document":
                return obj
        return root

    tags._build_box_tree = build
    weasy_pdf.add_tags = add_tags_then_join_tables
    tags._kotolupaus = True


def pdf_from_html(html, identifier) -> bytes:
    """PDF/UA-1 bytes of the programme's HTML (seconds of CPU)."""
    from PIL import ImageFile
    from weasyprint import HTML

    _tag_languages_scopes_and_whole_tables()

    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher_class()()).write_pdf(
        pdf_variant="pdf/ua-1", pdf_identifier=identifier.encode()
    )
    # WeasyPrint lets Pillow decode truncated images, for the whole process; uploads
    # must not be (submissions/images.py), so put the setting back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return pdf
