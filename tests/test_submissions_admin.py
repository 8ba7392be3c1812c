"""Staff see every entry in the admin panel, with the submitter's data read-only."""

import pytest
from django.core import mail

from submissions.models import Entry

from .conftest import confirm_address, entry_form_data, form_url, with_partners

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(client, campaign):
    for index in range(3):
        data = with_partners(
            entry_form_data("initiative", title=f"Aloite numero {index}"),
            (f"Kumppani {index} ry", f"kumppani{index}@example.fi", ""),
        )
        client.post(form_url("initiative"), data)
        confirm_address(client, mail.outbox[-1])
    return list(Entry.objects.order_by("number"))


def test_staff_find_entries_by_reference_title_organisation_and_contact(
    client, staff_user, entries
):
    client.force_login(staff_user)

    for query in [entries[1].reference, "numero 1", "maija@esimerkki"]:
        response = client.get("/en/admin/submissions/entry/", {"q": query})
        assert response.status_code == 200
        assert entries[1].reference in response.content.decode()


def test_entry_list_costs_the_same_queries_for_one_or_three_entries(
    client, staff_user, entries, django_assert_max_num_queries
):
    client.force_login(staff_user)
    Entry.objects.exclude(pk=entries[0].pk).update(campaign=entries[0].campaign)

    with django_assert_max_num_queries(14):
        client.get("/en/admin/submissions/entry/", {"q": entries[0].reference})
    with django_assert_max_num_queries(14):
        client.get("/en/admin/submissions/entry/")


def test_staff_see_contact_details_and_partners_but_cannot_change_what_was_sent(
    client, staff_user, entries
):
    client.force_login(staff_user)
    entry = entries[0]

    page = client.get(f"/en/admin/submissions/entry/{entry.pk}/change/").content.decode()
    client.post(
        f"/en/admin/submissions/entry/{entry.pk}/change/",
        {"contact_email": "changed@example.fi", "title": "Changed"},
    )

    assert "maija@esimerkki.example.fi" in page
    assert "Kumppani 0 ry" in page
    assert 'name="contact_email"' not in page
    entry.refresh_from_db()
    assert entry.contact_email == "maija@esimerkki.example.fi"


def test_staff_cannot_add_or_delete_entries_in_the_admin(client, staff_user, entries):
    client.force_login(staff_user)

    assert client.get("/en/admin/submissions/entry/add/").status_code == 403
    assert client.get(f"/en/admin/submissions/entry/{entries[0].pk}/delete/").status_code == 403


@pytest.mark.parametrize(
    "path",
    ["organisation", "partnership", "theme", "targetgroup", "municipality", "draft", "campaign"],
)
def test_every_submissions_admin_list_opens(client, staff_user, entries, path):
    client.force_login(staff_user)

    assert client.get(f"/en/admin/submissions/{path}/").status_code == 200
