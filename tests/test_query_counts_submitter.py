"""The submitter's private pages cost the same number of queries with one partner as
with many (pinned exactly, as tests/test_query_counts.py does for the public and staff
pages): the management page, its partner page, the question before removing a partner,
the edit form, and the 410 page of a removed partner's invitation."""

import pytest
from django.core import mail

from submissions import services
from submissions.models import Partnership

from .conftest import make_entry, manage_token, token_from
from .jobs import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[1, 6], ids=["one partner", "six partners"])
def entry(request, campaign):
    entry = make_entry(
        campaign,
        partners=[(f"Kumppani {n}", f"k{n}@example.fi") for n in range(request.param)],
    )
    Partnership.objects.filter(entry=entry).update(confirmed_at=entry.submitted_at)
    return entry


PAGES = {
    # The sections of publishing.cooperation: partners wanted reads the search (1), the
    # requests to join (1), the badge asks whether the entry is public (1); the
    # suggestions read the switch, the entry as public and the suggestions (3).
    "management page": ("/fi/manage/{token}/", 18),
    "partners": ("/fi/manage/{token}/partners/", 10),
    "remove a partner?": ("/fi/manage/{token}/partners/{partnership}/remove/", 10),
    # The staff comment (when returned) and whether a version is public (an edit then waits);
    # the search for partners (1) and the regions' names, read once into the cache (1).
    "edit form": ("/fi/manage/{token}/edit/", 17),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_the_submitters_pages_cost_a_fixed_number_of_queries(
    client, entry, django_assert_num_queries, page
):
    token = manage_token(entry)
    url = PAGES[page][0].format(token=token, partnership=entry.partnerships.last().pk)
    client.get(url)  # caches warm (the campaign, the municipalities' names)
    with django_assert_num_queries(PAGES[page][1]):
        assert client.get(url).status_code == 200


def test_a_removed_partners_invitation_costs_a_fixed_number_of_queries(
    client, entry, django_assert_num_queries
):
    partnership = entry.partnerships.last()
    services.invite_partner(partnership)
    run_jobs()
    url = f"/fi/partner/{token_from(mail.outbox[-1].body, 'partner')}/"
    services.remove_partner(partnership)
    client.get(url)

    # The partner link (none), then the retired link with its entry in one query.
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 410
