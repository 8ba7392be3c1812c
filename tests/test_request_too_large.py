"""A too-large upload never loses the form: the browser refuses an image over the limit
next to its field before anything is sent (static/js/file-size.js, driven in
tests/browser/test_submitter_pages.py); without JavaScript a request too large to read
is answered with a 413 page in the language of the address, which says what happened
and links back to the form. An image under the request limit but over the image limit
gets the ordinary field error with everything else kept."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions.models import Entry

from .conftest import entry_form_data, form_url, make_entry, manage_token

pytestmark = pytest.mark.django_db

MB = 1024 * 1024

HEADING = {
    "fi": "Lähetetyt tiedot ovat liian suuret",
    "sv": "Filerna är för stora",
    "en": "The upload is too large",
}
WHAT_HAPPENED = {
    "fi": "Lähettämäsi tiedot (30,0\xa0MB) ovat enemmän kuin palvelu voi vastaanottaa kerralla "
    "(15,0\xa0MB), joten mitään niistä ei vastaanotettu eikä tallennettu.",
    "sv": "Det du skickade (30,0\xa0MB) är mer än tjänsten kan ta emot på en gång (15,0\xa0MB), "
    "så ingenting av det togs emot eller sparades.",
    "en": "What you sent (30.0\xa0MB) is more than the service can receive at once (15.0\xa0MB), "
    "so none of it was received or saved.",
}
BACK = {"fi": "Takaisin lomakkeeseen", "sv": "Tillbaka till formuläret", "en": "Back to the form"}


def thirty_megabytes(name="kuva.jpg"):
    # Never read: the size alone is refused, before the body is.
    return SimpleUploadedFile(name, b"\xff" * (30 * MB), content_type="image/jpeg")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_30_mb_image_gets_the_413_page_in_the_addresss_language_with_a_way_back(
    client, campaign, language
):
    data = entry_form_data("pledge", action="preview", image=thirty_megabytes())

    response = client.post(form_url("pledge", language), data)

    assert response.status_code == 413
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f"<h1>{HEADING[language]}</h1>" in page
    assert WHAT_HAPPENED[language] in page
    assert f'<a class="btn btn-primary" href="/{language}/submit/pledge/">{BACK[language]}</a>' in (
        page
    )
    assert response["Content-Language"] == language
    assert response["Cache-Control"] == "no-store"
    assert Entry.objects.count() == 0


def test_the_413_page_on_fi_is_finnish_also_after_an_english_request(client, campaign):
    client.get("/en/submit/pledge/")  # leaves English active in this thread

    response = client.post(
        form_url("pledge", "fi"), entry_form_data("pledge", image=thirty_megabytes())
    )

    assert response.status_code == 413
    assert f"<h1>{HEADING['fi']}</h1>" in response.content.decode()


def test_the_413_page_of_the_edit_form_and_a_report_form_links_back_to_them(client, campaign):
    entry = make_entry(campaign)
    token = manage_token(entry)

    for path in (f"/sv/manage/{token}/edit/", f"/sv/manage/{token}/reports/new/"):
        response = client.post(path, {"image": thirty_megabytes()})

        assert response.status_code == 413
        assert f'href="{path}">{BACK["sv"]}</a>' in response.content.decode()


def test_an_address_that_is_no_page_gets_the_413_page_without_a_way_back(client, campaign):
    response = client.post("/en/no-such-form/", {"image": thirty_megabytes()})

    assert response.status_code == 413
    page = response.content.decode()
    assert f"<h1>{HEADING['en']}</h1>" in page
    assert BACK["en"] not in page


@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("fi", "Kuva on liian suuri (8,0\xa0MB). Suurin sallittu koko on 5,0\xa0MB."),
        ("sv", "Bilden är för stor (8,0\xa0MB). Den största tillåtna storleken är 5,0\xa0MB."),
        ("en", "The image is too large (8.0\xa0MB). The largest allowed size is 5.0\xa0MB."),
    ],
)
def test_an_8_mb_image_gets_the_field_error_and_keeps_what_was_typed(
    client, campaign, language, error
):
    image = SimpleUploadedFile("iso.jpg", b"\xff" * (8 * MB), content_type="image/jpeg")
    data = entry_form_data("pledge", action="preview", image=image, title="Kesätyöt 2027")

    response = client.post(form_url("pledge", language), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert 'value="Kesätyöt 2027"' in page
    assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fi", "Kuva on liian suuri (%(size)s). Suurin sallittu koko on 5,0\xa0MB."),
        ("sv", "Bilden är för stor (%(size)s). Den största tillåtna storleken är 5,0\xa0MB."),
        ("en", "The image is too large (%(size)s). The largest allowed size is 5.0\xa0MB."),
    ],
)
def test_every_image_field_tells_the_browser_its_limit_and_error_in_the_pages_language(
    client, campaign, language, message
):
    entry = make_entry(campaign)
    token = manage_token(entry)
    from publishing import services as publishing

    publishing.approve(entry, None)

    for path, fields in [
        (form_url("pledge", language), ("org_logo", "image")),
        (form_url("initiative", language), ("org_logo", "image")),
        (f"/{language}/manage/{token}/edit/", ("org_logo", "image")),
        (f"/{language}/manage/{token}/reports/new/", ("image",)),
    ]:
        page = client.get(path).content.decode()
        for name in fields:
            assert (
                f'type="file" name="{name}" class="form-control" '
                'accept="image/jpeg,image/png,image/gif,image/webp" '
                f'data-max-bytes="5242880" data-too-large="{message}"'
            ) in page, (path, name)
        assert '<script src="/static/js/file-size.js" defer></script>' in page, path
