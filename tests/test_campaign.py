from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from submissions.models import Campaign

from .conftest import make_campaign

pytestmark = pytest.mark.django_db


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_campaign_is_open_exactly_from_opening_second_until_closing_second(helsinki):
    campaign = make_campaign(
        opens_at=helsinki(2015, 10, 6, 10, 0), closes_at=helsinki(2015, 11, 17, 0, 0)
    )

    assert not campaign.is_open(helsinki(2015, 10, 6, 9, 59, 59))
    assert campaign.is_open(helsinki(2015, 10, 6, 10, 0, 0))
    assert campaign.is_open(helsinki(2015, 11, 16, 23, 59, 59))
    assert not campaign.is_open(helsinki(2015, 11, 17, 0, 0, 0))
    assert campaign.last_day.isoformat() == "2015-11-16"


def test_campaign_window_is_kept_in_helsinki_time_across_spring_dst_change(helsinki):
    # Finland moves to summer time on 29 March 2026 at 03:00 (UTC+2 -> UTC+3), so a
    # campaign closing at noon Helsinki time that day closes at 09:00 UTC, not 10:00.
    campaign = make_campaign(
        opens_at=helsinki(2026, 3, 28, 12, 0), closes_at=helsinki(2026, 3, 29, 12, 0)
    )
    campaign.refresh_from_db()

    assert not campaign.is_open(utc(2026, 3, 28, 9, 59, 59))
    assert campaign.is_open(utc(2026, 3, 28, 10, 0, 0))
    assert campaign.is_open(utc(2026, 3, 29, 8, 59, 59))
    assert not campaign.is_open(utc(2026, 3, 29, 9, 0, 0))
    assert campaign.closes_at - campaign.opens_at == timedelta(hours=23)


def test_campaign_window_is_kept_in_helsinki_time_across_autumn_dst_change(helsinki):
    # Back to winter time on 25 October 2026 at 04:00 (UTC+3 -> UTC+2).
    campaign = make_campaign(
        opens_at=helsinki(2026, 10, 24, 12, 0), closes_at=helsinki(2026, 10, 25, 12, 0)
    )
    campaign.refresh_from_db()

    assert not campaign.is_open(utc(2026, 10, 24, 8, 59, 59))
    assert campaign.is_open(utc(2026, 10, 24, 9, 0, 0))
    assert campaign.is_open(utc(2026, 10, 25, 9, 59, 59))
    assert not campaign.is_open(utc(2026, 10, 25, 10, 0, 0))
    assert campaign.closes_at - campaign.opens_at == timedelta(hours=25)


def test_campaign_refuses_closing_before_it_opens(helsinki):
    campaign = Campaign(
        slug="backwards",
        opens_at=helsinki(2026, 1, 2, 0, 0),
        closes_at=helsinki(2026, 1, 1, 0, 0),
    )
    with pytest.raises(ValidationError) as error:
        campaign.full_clean(exclude=["translations"])
    assert "closes_at" in error.value.message_dict

    campaign.set_current_language("fi")
    campaign.name = "Takaperin"
    with pytest.raises(IntegrityError, match="campaign_closes_after_opening"):
        campaign.save()


def test_current_campaign_is_the_open_one_even_when_a_later_one_exists():
    now = timezone.now()
    make_campaign("old", opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300))
    open_one = make_campaign("open")
    make_campaign("next", opens_at=now + timedelta(days=100), closes_at=now + timedelta(days=130))

    assert Campaign.objects.current() == open_one


def test_current_campaign_is_the_latest_when_none_is_open():
    now = timezone.now()
    make_campaign("old", opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300))
    latest = make_campaign(
        "latest", opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=10)
    )

    assert Campaign.objects.current() == latest


def test_no_campaign_at_all_still_renders_the_home_page(client):
    response = client.get("/fi/")

    assert response.status_code == 200
    assert "<h1" in response.content.decode()


def test_home_page_shows_campaign_name_and_deadline_in_each_language(client, campaign):
    for language, name in [
        ("fi", "Kotolupaus-testikampanja"),
        ("sv", "Kotolupaus testkampanj"),
        ("en", "Kotolupaus test campaign"),
    ]:
        response = client.get(f"/{language}/")
        content = response.content.decode()
        assert name in content
        assert str(campaign.last_day.year) in content


def test_home_page_says_when_the_campaign_closed(client, helsinki):
    make_campaign(opens_at=helsinki(2015, 10, 6, 10, 0), closes_at=helsinki(2015, 11, 17, 0, 0))

    response = client.get("/en/")

    assert "The campaign closed" in response.content.decode()
    assert "16 November 2015" in response.content.decode()


def test_campaign_page_header_costs_a_fixed_number_of_queries(
    client, campaign, django_assert_max_num_queries
):
    # The first page after a change reads the public version and the campaign with its
    # texts; later pages take the campaign from memory until the next public change.
    with django_assert_max_num_queries(3):
        client.get("/fi/privacy/")
    with django_assert_max_num_queries(0):
        response = client.get("/fi/privacy/")
    assert "Kotolupaus" in response.content.decode()


def test_e_mail_subjects_and_signatures_use_the_campaigns_short_name(campaign):
    from kotolupaus import mail as mail_layer

    from .conftest import make_entry

    entry = make_entry(campaign, "Kesätöitä nuorille")
    link = "http://testserver/fi/manage/" + "t" * 43 + "/"
    context = {"rows": [(entry, link)], "campaign": campaign}
    long_subject, long_body = mail_layer.render("management_links", "fi", context)
    for language, short in [("fi", "Kotolupaus 2027"), ("sv", "Kotolupaus 2027 (sv)")]:
        campaign.set_current_language(language)
        campaign.short_name = short
    campaign.save()

    subject, body = mail_layer.render("management_links", "fi", context)
    swedish_subject, _body = mail_layer.render("management_links", "sv", context)

    assert long_subject == "Henkilökohtaiset linkkisi – Kotolupaus-testikampanja"
    assert subject == "Henkilökohtaiset linkkisi – Kotolupaus 2027"
    assert "\nKotolupaus 2027\n" in body and "Kotolupaus-testikampanja" not in body
    assert swedish_subject.endswith("– Kotolupaus 2027 (sv)")
    assert "Kotolupaus-testikampanja" in long_body
