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


def struct_elements(pdf):
    """Every structure element of the PDF's tag tree, depth first."""

    def walk(element):
        yield element
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and "/S" in kid:
                yield from walk(kid)

    root = pdf.trailer["/Root"]["/StructTreeRoot"]
    kids = root["/K"]
    for kid in kids if isinstance(kids, list) else [kids]:
        yield from walk(kid.get_object())


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("fi", "Yhteistyöohjelma kotoutumisen edistämiseksi"),
        ("sv", "Samarbetsprogram för integrationsfrämjande"),
        ("en", "Cooperation programme for the promotion of integration"),
    ],
)
def test_every_language_s_pdf_has_its_own_title_on_the_cover_in_the_metadata_and_bookmarks(
    client, programme, campaign, language, title
):
    from publishing.public_files import build_programme_pdfs

    # One campaign object builds all three (as the rebuild job does), Finnish first.
    build_programme_pdfs(force=True)
    _raw, pdf = pdf_of(client, language)

    assert pdf.metadata.title == title
    assert pdf.outline[0].title == title
    assert title in " ".join(pdf.pages[0].extract_text().split())


def test_text_in_another_language_is_tagged_with_its_language(client, programme):
    _raw, pdf = pdf_of(client, "fi")

    swedish = [e for e in struct_elements(pdf) if e.get("/Lang") == "sv"]
    tags_in_swedish = {e["/S"] for e in swedish}

    assert "/H3" in tags_in_swedish  # "Språkcafé i Vasa", an entry written in Swedish
    assert all(e.get("/Lang") in (None, "fi", "sv") for e in struct_elements(pdf))


def test_header_cells_have_a_scope_and_a_table_across_pages_is_one_table():
    from pypdf import PdfReader

    from publishing.pdf import pdf_from_html

    rows = "".join(f'<tr><th scope="row">Rivi {n}</th><td>{n}</td></tr>' for n in range(1, 121))
    html = (
        '<!doctype html><html lang="fi"><head><title>Taulukko</title></head><body>'
        '<h1>Taulukko</h1><table><thead><tr><th scope="col">Nimi</th><th scope="col">Arvo</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></body></html>"
    )
    pdf = PdfReader(io.BytesIO(pdf_from_html(html, "table-test")))
    elements = list(struct_elements(pdf))

    assert len(pdf.pages) >= 3
    assert [e["/S"] for e in elements].count("/Table") == 1
    assert [e["/S"] for e in elements].count("/TR") >= 121  # every row, in the one table
    scopes = [e["/A"].get("/Scope") for e in elements if e["/S"] == "/TH"]
    assert scopes[:2] == ["/Column", "/Column"]
    assert set(scopes[2:]) <= {"/Row", "/Column"} and "/Row" in scopes
