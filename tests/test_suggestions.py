"""Organisations you could work with (issue 25, point 3): the rule, the reasons in words,
the ranking, the management page's section with its one-click join request, and the
monthly e-mail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from publishing import services as publishing
from publishing.changes import public_change
from publishing.cooperation import suggestions as suggestions_module
from publishing.cooperation.suggestions import suggestions_for
from publishing.models import JoinRequest
from submissions import services as submissions
from submissions.models import Municipality, PartnerSearch, TargetGroup, Theme

from .conftest import make_entry, manage_token
from .jobs import run_jobs

pytestmark = pytest.mark.django_db


def place(code):
    return Municipality.objects.get(code=code)


def theme(slug="working-life"):
    return Theme.objects.get(slug=slug)


def group(slug="job-seekers"):
    return TargetGroup.objects.get(slug=slug)


def entry(
    campaign,
    title,
    organisation,
    kind_of,
    *,
    where="837",
    themes=None,
    groups=None,
    publish=True,
    seeks=False,
    open_=False,
    sought_types=(),
    sought_regions=(),
    **extra,
):
    """An entry of `organisation` (of kind `kind_of`) in municipality `where`, published
    unless told otherwise, looking for partners as told."""
    made = make_entry(
        campaign,
        title,
        organisation=organisation,
        org_type=kind_of,
        municipalities=[place(where)],
        themes=themes if themes is not None else [theme()],
        target_groups=groups if groups is not None else [group("older-people")],
        **extra,
    )
    if seeks or open_:
        with transaction.atomic():
            search = PartnerSearch.objects.create(
                entry=made,
                looking=seeks,
                open_to_cooperation=open_,
                organisation_types=list(sought_types),
            )
            from submissions.models import Region

            search.regions.set(Region.objects.filter(code__in=sought_regions))
            public_change(entry=made)
    if publish:
        publishing.approve(made, None)
    return made


@pytest.fixture
def world(campaign):
    """A company in Tampere working on jobs for job seekers, and the entries around it."""
    me = entry(
        campaign,
        "Alfan kesätyöt",
        "Alfa Oy",
        "company",
        business_id="1234567-1",
        groups=[group()],
        partners=[("Partneri ry", "partneri@example.fi")],
    )
    made = {"me": me}
    made["best"] = entry(
        campaign,
        "Beetan työpajat",
        "Beeta ry",
        "ngo",
        seeks=True,
        sought_types=["company"],
        sought_regions=["06"],
    )
    made["both"] = entry(
        campaign, "Gamman polut", "Gamma-opisto", "education", groups=[group()], seeks=True
    )
    made["everywhere"] = entry(
        campaign,
        "Deltan verkosto",
        "Deltan kaupunki",
        "municipality",
        where="091",
        whole_country=True,
        themes=[theme("leisure")],
        groups=[group()],
        open_=True,
    )
    # Left out, each for one reason:
    made["not looking"] = entry(campaign, "Epsilon", "Epsilon ry", "ngo")
    made["same kind"] = entry(campaign, "Zeta", "Zeta Oy", "company", seeks=True)
    made["elsewhere"] = entry(campaign, "Eta", "Eta ry", "ngo", where="853", seeks=True)
    made["other theme"] = entry(
        campaign, "Theta", "Theta ry", "ngo", seeks=True, themes=[theme("leisure")]
    )
    made["unpublished"] = entry(campaign, "Iota", "Iota ry", "ngo", seeks=True, publish=False)
    made["withdrawn"] = entry(campaign, "Kappa", "Kappa ry", "ngo", seeks=True)
    submissions.withdraw_entry(made["withdrawn"])
    made["no consent"] = entry(campaign, "Lambda", "Lambda ry", "ngo", seeks=True)
    submissions.set_consent(made["no consent"], False)
    made["own name"] = entry(campaign, "My", "ALFA OY", "ngo", seeks=True)
    made["own id"] = entry(
        campaign, "Ny", "Alfa-säätiö", "ngo", seeks=True, business_id="1234567-1"
    )
    made["our partner"] = entry(campaign, "Xi", "Partneri ry", "ngo", seeks=True)
    made["we are partner"] = entry(
        campaign,
        "Omikron",
        "Omikron ry",
        "ngo",
        seeks=True,
        partners=[("Alfa Oy", "alfa@example.fi")],
    )
    return made


def listed(found):
    return [(s.entry.title_fi, s.points, s.reason_text) for s in found]


def test_the_known_set_gives_the_expected_list_with_reasons_in_finnish_and_english(world):
    with override("fi"):
        assert listed(suggestions_for(world["me"])) == [
            (
                "Beetan työpajat",
                5,
                "sama maakunta: Pirkanmaa; sama teema: Työelämä ja työllistyminen; "
                "he etsivät: yrityksiä; he etsivät kumppaneita maakunnasta: Pirkanmaa",
            ),
            (
                "Gamman polut",
                3,
                "sama maakunta: Pirkanmaa; sama teema: Työelämä ja työllistyminen; "
                "sama kohderyhmä: Maahanmuuttajataustaiset työnhakijat; he etsivät kumppaneita",
            ),
            (
                "Deltan verkosto",
                1,
                "sama maakunta: Pirkanmaa; sama kohderyhmä: Maahanmuuttajataustaiset työnhakijat; "
                "avoin yhteistyölle",
            ),
        ]
    with override("en"):
        assert listed(suggestions_for(world["me"])) == [
            (
                "Beetan työpajat",
                5,
                "same region: Pirkanmaa; same theme: Working life and jobs; "
                "they look for: companies; they look for partners in: Pirkanmaa",
            ),
            (
                "Gamman polut",
                3,
                "same region: Pirkanmaa; same theme: Working life and jobs; "
                "same target group: Job seekers with an immigrant background; "
                "they look for partners",
            ),
            (
                "Deltan verkosto",
                1,
                "same region: Pirkanmaa; same target group: Job seekers with an immigrant "
                "background; open to cooperation",
            ),
        ]


def test_the_limit_and_ties_newest_first(world, campaign):
    later = entry(
        campaign, "Gamman toinen", "Gamma-opisto", "education", groups=[group()], seeks=True
    )
    found = suggestions_for(world["me"], limit=2)
    assert [s.entry.entry_id for s in found] == [world["best"].pk, later.pk]


def test_an_unpublished_entry_is_matched_as_written(world, campaign):
    draft = entry(campaign, "Uusi", "Uusi Oy", "company", publish=False, groups=[group()])
    # Alfa Oy's name, business ID and partners are not Uusi Oy's: those entries count here.
    assert [s.entry.title_fi for s in suggestions_for(draft, limit=10)] == [
        "Beetan työpajat",
        "Gamman polut",
        "Omikron",
        "Xi",
        "Ny",
        "My",
        "Deltan verkosto",
    ]


def test_no_type_no_suggestions(world, campaign):
    nobody = entry(campaign, "Tyyppi puuttuu", "Joku", "", groups=[group()])
    assert suggestions_for(nobody) == []


def _counted(entry_):
    entry_ = type(entry_).objects.get(pk=entry_.pk)
    suggestions_module.taxonomy()  # the names' cache, as on any page
    with CaptureQueriesContext(connection) as queries:
        found = suggestions_for(entry_)
    return len(found), len(queries)


def test_a_fixed_number_of_queries_for_one_and_for_five(campaign):
    me = entry(campaign, "Minä", "Minä Oy", "company", groups=[group()])
    entry(campaign, "Yksi", "Yksi ry", "ngo", seeks=True)
    one = _counted(me)
    for n in range(4):
        entry(campaign, f"Lisää {n}", f"Lisä {n} ry", "ngo", seeks=True)
    five = _counted(me)
    assert (one[0], five[0]) == (1, 5)
    assert one[1] == five[1] <= 5


# --- The management page ------------------------------------------------------------------


def test_the_management_page_shows_the_suggestions_the_rule_and_the_switch(world, client):
    token = manage_token(world["me"])
    page = client.get(f"/en/manage/{token}/").content.decode()
    assert "Organisations you could work with" in page
    assert "2 points for each shared theme" in page
    assert "they look for: companies" in page
    assert f"/en/entries/{world['best'].pk}/" in page
    assert page.count("Send a join request") == 3
    assert "E-mail me suggestions at most once a month" in page
    page = client.get(f"/fi/manage/{token}/").content.decode()
    assert "Organisaatioita, joiden kanssa voisit tehdä yhteistyötä" in page
    assert "he etsivät: yrityksiä" in page


def test_one_click_sends_a_join_request_in_the_requesters_name(world, client, monkeypatch):
    sent = []

    def relay(target, **details):
        sent.append((target, details))

    import publishing.cooperation.requests as requests_module

    monkeypatch.setattr(requests_module, "relay_join_request", relay, raising=False)
    token = manage_token(world["me"])
    response = client.post(f"/en/manage/{token}/suggestions/{world['best'].pk}/join/")
    assert response.status_code == 302
    assert sent == [
        (
            world["best"].pk,
            {
                "organisation": "Alfa Oy",
                "name": "Maija Meikäläinen",
                "email": "maija@example.fi",
                "message": "Löysimme organisaatiosi Kotolupauksen ehdotuksista. "
                "Oma lupauksemme tai aloitteemme: "
                f"Alfan kesätyöt http://testserver/fi/entries/{world['me'].pk}/",
                "language": "fi",
                "organisation_type": "company",
            },
        )
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Your request to join was sent." in page


def test_a_suggestion_asked_already_shows_the_requests_state_instead_of_the_button(world, client):
    token = manage_token(world["me"])
    before = client.get(f"/en/manage/{token}/").content.decode()
    buttons = before.count("Send a join request")

    client.post(f"/en/manage/{token}/suggestions/{world['best'].pk}/join/")

    page = client.get(f"/en/manage/{token}/").content.decode()
    assert JoinRequest.objects.get().entry_id == world["best"].pk
    assert "Your request to join:</strong> Waiting for an answer" in page
    assert page.count("Send a join request") == buttons - 1
    finnish = client.get(f"/fi/manage/{token}/").content.decode()
    assert "Mukaantulopyyntösi:</strong> Odottaa vastausta" in finnish


def test_one_click_refuses_an_entry_not_suggested(world, client, monkeypatch):
    import publishing.cooperation.requests as requests_module

    monkeypatch.setattr(requests_module, "relay_join_request", lambda *a, **k: 1 / 0, raising=False)
    token = manage_token(world["me"])
    response = client.post(
        f"/en/manage/{token}/suggestions/{world['withdrawn'].pk}/join/", follow=True
    )
    assert "That entry is no longer among your suggestions." in response.content.decode()


def test_a_refusal_of_the_request_is_shown(world, client, monkeypatch):
    from django.core.exceptions import ValidationError

    import publishing.cooperation.requests as requests_module

    def refuse(*args, **kwargs):
        raise ValidationError("You have sent too many requests today.")

    monkeypatch.setattr(requests_module, "relay_join_request", refuse, raising=False)
    token = manage_token(world["me"])
    response = client.post(f"/en/manage/{token}/suggestions/{world['best'].pk}/join/", follow=True)
    assert "You have sent too many requests today." in response.content.decode()


def test_the_switch_creates_the_search_and_turns_the_email_on_and_off(world, client):
    token = manage_token(world["me"])
    client.post(f"/en/manage/{token}/suggestions/by-email/", {"by_email": "on"})
    assert PartnerSearch.objects.get(entry=world["me"]).suggestions_by_email is True
    page = client.get(f"/en/manage/{token}/").content.decode()
    assert 'id="suggestions-by-email" value="on" checked' in page
    client.post(f"/en/manage/{token}/suggestions/by-email/", {})
    assert PartnerSearch.objects.get(entry=world["me"]).suggestions_by_email is False


def test_a_dead_token_goes_to_the_management_page_which_explains(client):
    response = client.post(f"/en/manage/{'Zx9' * 14}q/suggestions/by-email/", {"by_email": "on"})
    assert response.status_code == 302
    assert PartnerSearch.objects.count() == 0


# --- The monthly e-mail ---------------------------------------------------------------------


def _opt_in(entry_, mailed_at=None):
    PartnerSearch.objects.update_or_create(
        entry=entry_, defaults={"suggestions_by_email": True, "suggestions_mailed_at": mailed_at}
    )


def test_the_monthly_email_once_in_30_days_only_if_asked_and_only_with_suggestions(world, campaign):
    from publishing.cooperation.tasks import send_suggestions

    lonely = entry(
        campaign,
        "Yksin",
        "Yksin Oy",
        "company",
        where="853",
        themes=[theme("health-wellbeing")],
        groups=[group("parents-at-home")],
    )
    _opt_in(lonely)  # asked, but nothing to suggest
    assert send_suggestions() == 0
    _opt_in(world["me"])
    assert send_suggestions() == 1
    run_jobs()
    [message] = mail.outbox
    assert message.to == ["maija@example.fi"]
    assert message.subject == "Organisaatioita, joiden kanssa voisit tehdä yhteistyötä"
    assert "Beetan työpajat" in message.body
    assert "he etsivät: yrityksiä" in message.body
    assert "/fi/manage/" in message.body
    assert send_suggestions() == 0  # not again within 30 days
    search = PartnerSearch.objects.get(entry=world["me"])
    search.suggestions_mailed_at = timezone.now() - timedelta(days=31)
    search.save()
    assert send_suggestions() == 1
    PartnerSearch.objects.filter(entry=world["me"]).update(
        suggestions_by_email=False, suggestions_mailed_at=None
    )
    assert send_suggestions() == 0


def test_the_monthly_email_is_in_the_contacts_language_and_never_for_a_withdrawn_entry(
    world, campaign
):
    from publishing.cooperation.tasks import send_suggestions

    swede = entry(campaign, "Svensk", "Svensk Ab", "company", groups=[group()], language="sv")
    _opt_in(swede)
    _opt_in(world["withdrawn"])
    assert send_suggestions() == 1
    run_jobs()
    [message] = mail.outbox
    assert message.subject == "Organisationer som du kunde samarbeta med"
    assert "samma landskap: Birkaland" in message.body


# --- The demo data ---------------------------------------------------------------------------


def test_the_demo_entries_get_the_expected_suggestions(settings):
    """`seed_demo` (with the demo's partners wanted and requests to join) gives the open
    campaign's entries suggestions: these, written out by hand, for the first four."""
    # The demo's partners wanted, and its requests to join (which open entries to them).
    pytest.importorskip("publishing.cooperation.demo")
    pytest.importorskip("publishing.cooperation.demo_requests")
    from io import StringIO

    from django.core.management import call_command

    from submissions.models import Entry

    settings.DEBUG = True
    call_command("seed_demo", "--entries", "24", stdout=StringIO())
    entries = Entry.objects.filter(campaign__slug="kotolupaus-demo", number__lte=4)
    found = {}
    with override("en"):
        for demo in entries.order_by("number"):
            found[demo.number] = [
                (s.entry.number, s.points, s.reason_text) for s in suggestions_for(demo)
            ]
    assert found == {
        1: [
            (
                22,
                5,
                "same region: Ostrobothnia; same theme: Working life and jobs; same target "
                "group: Newly arrived immigrants, Job seekers with an immigrant background; "
                "they look for partners in all of Finland",
            ),
            (
                9,
                2,
                "same region: Uusimaa; same target group: Newly arrived immigrants; they look "
                "for partners in all of Finland",
            ),
            (
                6,
                1,
                "same region: Uusimaa; same target group: Newly arrived immigrants; open to "
                "cooperation",
            ),
            (
                2,
                1,
                "same region: North Karelia; same target group: Newly arrived immigrants; open "
                "to cooperation",
            ),
        ],
        2: [],
        3: [
            (
                6,
                1,
                "same region: Uusimaa; same target group: Refugees and asylum seekers; open to "
                "cooperation",
            ),
        ],
        4: [
            (
                18,
                4,
                "same region: Southwest Finland; same theme: Everyday advice and services; "
                "same target group: Older immigrants, All immigrants; open to cooperation",
            ),
        ],
    }
