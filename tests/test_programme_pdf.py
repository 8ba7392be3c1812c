"""The cooperation programme as a PDF a screen-reader user can read: tagged PDF/UA-1
with title, author, language and bookmarks, whole words in the text layer, logos with
alternative text; built once per campaign and language, again by the rebuild job after a
public change that alters it, and served as a file."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from publishing import services as publishing
from publishing.models import Programme
from review import services as review
from review.models import Outcome

from .conftest import make_entry
from .jobs import run_all_jobs

pytestmark = pytest.mark.django_db

MINISTRY = {
    "fi": "Työ- ja elinkeinoministeriö",
    "sv": "Arbets- och näringsministeriet",
    "en": "Ministry of Economic Affairs and Employment of Finland",
}


def logo_file():
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (11, 85, 96)).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="logo.png")


@pytest.fixture
def programme(campaign, staff_user):
    included = make_entry(campaign, "Työpaikkoja tulijoille", organisation="Tyyppi Oy")
    included.lead_organisation.logo.save("logo.png", logo_file())
    other = make_entry(
        campaign, "Språkcafé i Vasa", kind="initiative", language="sv", organisation="Kulturbron"
    )
    for entry in (included, other):
        publishing.approve(entry, staff_user)
        review.record_decision(entry, Outcome.INCLUDED, "Hyvä.", staff_user)
    review.publish_decisions(campaign, staff_user)
    text = Programme(campaign=campaign)
    for language, title in [
        ("fi", "Yhteistyöohjelma kotoutumisen edistämiseksi"),
        ("sv", "Samarbetsprogram för integrationsfrämjande"),
        ("en", "Cooperation programme for the promotion of integration"),
    ]:
        text.set_current_language(language)
        text.title, text.introduction = title, "Johdanto."
    text.save()
    return included, other


def pdf_of(client, language):
    response = client.get(f"/{language}/programme/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = response.getvalue()
    return content, PdfReader(io.BytesIO(content))


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_programme_pdf_is_tagged_pdf_ua_with_title_author_and_language(client, programme, language):
    _raw, pdf = pdf_of(client, language)
    catalog = pdf.trailer["/Root"]

    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == language
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert pdf.metadata.title == Programme.objects.get().safe_translation_getter(
        "title", language_code=language
    )
    assert pdf.metadata.author == MINISTRY[language]
    # The XMP metadata declares PDF/UA-1 (part 1).
    xmp = catalog["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfuaid:part(>|=\")1", xmp), xmp


def test_programme_pdf_has_a_bookmark_per_theme_and_entry(client, programme):
    _raw, pdf = pdf_of(client, "fi")

    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    bookmarks = list(titles(pdf.outline))
    assert "Johdanto" in bookmarks
    assert "Työelämä ja työllistyminen" in bookmarks  # the theme, as a section
    assert "Työpaikkoja tulijoille" in bookmarks  # each entry under it
    assert "Språkcafé i Vasa" in bookmarks
    assert "Sisällys" not in bookmarks  # the table of contents is not a section


def test_programme_pdf_text_extracts_whole_words(client, programme):
    _raw, pdf = pdf_of(client, "fi")
    text = "\n".join(page.extract_text() for page in pdf.pages)

    # No kerning or ligature splits ("T yö- ja elinkeinoministeriö").
    assert "Työ- ja elinkeinoministeriö" in text
    assert "Työpaikkoja tulijoille" in text
    assert "Tyyppi Oy" in text
    assert "Språkcafé i Vasa" in text
    assert "Sivu 2/" in text  # the page counter, in the document's language


def test_programme_pdf_logo_has_alternative_text(client, programme):
    _raw, pdf = pdf_of(client, "en")

    def figures(element):
        if element.get("/S") == "/Figure":
            yield element
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                yield from figures(kid)

    root = pdf.trailer["/Root"]["/StructTreeRoot"]
    alts = [figure.get("/Alt") for figure in figures(root)]
    assert alts == ["Logo of Tyyppi Oy"]


def test_programme_pdf_is_rendered_once_and_then_served_as_a_file(
    client, programme, staff_user, django_assert_max_num_queries
):
    first = client.get("/fi/programme/pdf/")
    content = first.getvalue()

    # The second request renders nothing: the campaign and the file's row are all it needs.
    with django_assert_max_num_queries(2):
        second = client.get("/fi/programme/pdf/", HTTP_CACHE_CONTROL="no-cache")
        assert second.getvalue() == content
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]
    assert second["Content-Length"] == str(len(content))
    assert client.get("/fi/programme/pdf/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    # Another language is another PDF.
    swedish = client.get("/sv/programme/pdf/")
    assert swedish.getvalue() != content
    run_all_jobs()  # the rebuild after the fixture's changes: nothing in the PDF changed
    again = client.get("/fi/programme/pdf/")
    assert (again["ETag"], again.getvalue()) == (first["ETag"], content)

    # A public change gives a new PDF with the change in it, once the rebuild job has run.
    included, _other = programme
    included.set_current_language("fi")
    included.title = "Uusi otsikko"
    included.save()
    publishing.translation_saved(included, "fi", by=staff_user, fields=["title"])
    assert ("build_programme_pdfs", "succeeded") in run_all_jobs()
    changed = client.get("/fi/programme/pdf/")
    assert changed["ETag"] != first["ETag"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(changed.getvalue())).pages)
    assert "Uusi otsikko" in text


def test_programme_pdf_fetches_nothing_but_uploads(campaign):
    from publishing.pdf import UPLOADS, _fetcher_class

    fetcher = _fetcher_class()()
    for url in (
        "http://127.0.0.1:8000/",
        "file:///etc/passwd",
        "https://kotolupaus.invalid/static/css/kotolupaus.css",
    ):
        with pytest.raises(ValueError, match="not fetched"):
            fetcher.fetch(url)
    with pytest.raises(Exception):  # noqa: B017 - the storage refuses a path outside MEDIA_ROOT
        fetcher.fetch(UPLOADS + "..%2F..%2Fetc%2Fpasswd")


def test_a_change_outside_the_programme_leaves_its_pdf_as_it_was(
    client, programme, campaign, staff_user
):
    first = client.get("/fi/programme/pdf/")
    content = first.getvalue()

    other = make_entry(campaign, "Ohjelman ulkopuolella")
    publishing.approve(other, staff_user)  # public, but not in the programme
    assert ("build_programme_pdfs", "succeeded") in run_all_jobs()

    again = client.get("/fi/programme/pdf/")
    assert (again["ETag"], again.getvalue()) == (first["ETag"], content)
