from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from submissions.models import Campaign

HELSINKI = ZoneInfo("Europe/Helsinki")


def make_campaign(slug="test-campaign", *, opens_at=None, closes_at=None, **texts):
    """A campaign with fi/sv/en names; open from two weeks ago for a month by default."""
    now = timezone.now()
    campaign = Campaign(
        slug=slug,
        opens_at=opens_at or now - timedelta(days=14),
        closes_at=closes_at or now + timedelta(days=30),
    )
    for language in ("fi", "sv", "en"):
        campaign.set_current_language(language)
        campaign.name = texts.get(f"name_{language}", f"Kampanja {slug} ({language})")
        campaign.intro = texts.get(f"intro_{language}", "")
        campaign.contact = texts.get(f"contact_{language}", f"Yhteystiedot ({language})")
    campaign.save()
    return campaign


@pytest.fixture
def campaign(db):
    return make_campaign(
        name_fi="Kotolupaus-testikampanja",
        name_sv="Kotolupaus testkampanj",
        name_en="Kotolupaus test campaign",
    )


@pytest.fixture
def helsinki():
    def at(*args):
        return datetime(*args, tzinfo=HELSINKI)

    return at


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "coordinator-alice", password="correct horse battery", is_staff=True, is_superuser=True
    )


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("outsider-charlie", password="not staff at all")
