"""Open data as prebuilt files: built by a job a while after public changes (at once
when an entry is taken down), written whole or not at all, and served as files with
ETag, Last-Modified, conditional requests and byte ranges; the open data page says when
each file was made."""

import csv
import gzip
import hashlib
import io
import json
import os
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django.utils.http import http_date
from procrastinate.contrib.django.models import ProcrastinateJob

from publishing import public_files
from publishing.models import PublicFile
from publishing.tasks import check_public_files
from submissions import services as submissions

from .conftest import make_entry
from .jobs import run_all_jobs, run_jobs
from .test_follow_up import published_entry, report_on

pytestmark = pytest.mark.django_db

NAMES = ["entries.json", "entries.csv", "reports.csv", "cooperation.json"]


@pytest.fixture
def site(campaign, coordinator):
    """Two published entries (one with an approved report) and one never published."""
    first = published_entry(campaign, coordinator, title="Kesätöitä nuorille")
    second = published_entry(campaign, coordinator, title="Språkcafé", language="sv")
    report_on(first, "achieved", text="Kaikki kesätyöt täytetty.", approve_by=coordinator)
    make_entry(campaign, "Julkaisematon")
    return first, second


def stored(language, name):
    return PublicFile.objects.get(key=f"open-data/{language}/{name}")


def read(row):
    with default_storage.open(row.name, "rb") as file:
        return file.read()


def download(client, path, **headers):
    response = client.get(path, **headers)
    return response, response.getvalue()


def waiting_jobs():
    return sorted(
        ProcrastinateJob.objects.filter(status="todo").values_list("task_name", "queueing_lock")
    )


# --- The build ----------------------------------------------------------------------------


def test_the_job_writes_each_languages_files_and_their_gzips(site):
    first, second = site

    assert public_files.build_open_data() == 2

    for language in ("fi", "sv", "en"):
        data = json.loads(read(stored(language, "entries.json")))
        assert data["licence"] == "CC BY 4.0"
        assert data["generated_at"] == stored(language, "entries.json").generated_at.isoformat()
        assert [r["reference"] for r in data["entries"]] == [first.reference, second.reference]
        assert data["entries"][0]["url"] == f"http://testserver/{language}/entries/{first.pk}/"
        assert data["entries"][0]["progress_reports"][0]["text"] == {
            "fi": "Kaikki kesätyöt täytetty."
        }
        entries = list(csv.DictReader(io.StringIO(read(stored(language, "entries.csv")).decode())))
        assert [r["reference"] for r in entries] == [first.reference, second.reference]
        assert entries[1]["title_sv"] == "Språkcafé"
        reports = list(csv.DictReader(io.StringIO(read(stored(language, "reports.csv")).decode())))
        assert [(r["entry_reference"], r["status"]) for r in reports] == [
            (first.reference, "achieved")
        ]
        for name in NAMES:
            plain, packed = stored(language, name), stored(language, f"{name}.gz")
            content = read(plain)
            assert gzip.decompress(read(packed)) == content
            assert plain.size == len(content)
            assert plain.etag == hashlib.sha256(content).hexdigest()[:32]
            assert packed.size == len(read(packed))


def test_the_build_costs_the_same_queries_for_one_entry_as_for_many(
    campaign, coordinator, django_assert_num_queries
):
    published_entry(campaign, coordinator)
    # (one of them the regions; five the cooperation in figures, six its files' rows)
    with django_assert_num_queries(40) as one:
        public_files.build_open_data(force=True)
    for number in range(5):
        report_on(
            published_entry(campaign, coordinator, title=f"Lupaus {number}"), approve_by=coordinator
        )
    with django_assert_num_queries(len(one.captured_queries) + 4):  # the reports, once
        assert public_files.build_open_data(force=True) == 6


def test_an_up_to_date_build_is_skipped_and_the_command_builds_anyway(site):
    assert public_files.build_open_data() == 2
    assert public_files.build_open_data() is None  # nothing changed since

    out = io.StringIO()
    call_command("build_public_files", "--open-data", stdout=out)
    assert "Open data: 2 entries in" in out.getvalue()


def test_a_new_build_replaces_the_files_whole_and_deletes_the_old_ones_at_once(
    site, django_capture_on_commit_callbacks
):
    names = []
    for _build in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            public_files.build_open_data(force=True)
        names.append(stored("fi", "entries.json").name)

    assert len(set(names)) == 3  # a new name each time, never written over
    first, previous, current = names
    assert stored("fi", "entries.json").previous_name == ""
    assert default_storage.exists(current)
    assert not default_storage.exists(previous)
    assert not default_storage.exists(first)
    # Nothing but the current files is left in the folder.
    _folders, files = default_storage.listdir(public_files.FOLDER)
    assert sorted(f"{public_files.FOLDER}/{name}" for name in files) == sorted(
        PublicFile.objects.values_list("name", flat=True)
    )


def test_a_request_that_read_the_row_before_a_build_gets_the_new_file(
    client, site, django_capture_on_commit_callbacks
):
    from django.test import RequestFactory

    from publishing.views import _serve

    public_files.build_open_data(force=True)
    old_row = stored("fi", "entries.json")
    with django_capture_on_commit_callbacks(execute=True):
        public_files.build_open_data(force=True)  # deletes the file old_row names

    response = _serve(
        RequestFactory().get("/fi/open-data/entries.json"),
        old_row,
        content_type="application/json",
        filename="kotolupaus-entries.json",
    )

    body = response.getvalue()
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)  # as the test client does
    try:
        response.close()  # closes the file
    finally:
        request_finished.connect(close_old_connections)
    assert response.status_code == 200
    assert body == read(stored("fi", "entries.json"))


def test_a_build_that_saw_an_older_state_does_not_replace_a_newer_one(site):
    public_files.build_open_data()
    newer = stored("fi", "entries.json")
    older_state = newer.as_of - timedelta(seconds=1)

    replaced = public_files._replace(
        {newer.key: ("public-files/stale.json", 1, "stale")},
        as_of=older_state,
        generated_at=timezone.now(),
    )

    assert replaced is False
    assert stored("fi", "entries.json").name == newer.name


# --- After public changes ------------------------------------------------------------------


def test_a_public_change_queues_one_rebuild_for_later_and_its_job_builds_it_in(
    client, site, campaign, coordinator, settings
):
    settings.PUBLIC_FILES_REBUILD_SECONDS = 300
    run_all_jobs()  # the rebuild after the fixture's changes
    before, _body = download(client, "/fi/open-data/entries.json")

    late = published_entry(campaign, coordinator, title="Myöhäinen lupaus")
    also = published_entry(campaign, coordinator, title="Toinen myöhäinen")

    # Two changes, one waiting job per file kind, due in five minutes (and each
    # entry's news for its submitter: published).
    assert waiting_jobs() == sorted(
        [
            ("build_open_data", "build_open_data"),
            ("build_programme_pdfs", "build_programme_pdfs"),
            ("send_submitter_news", f"submitter_news:{late.pk}"),
            ("send_submitter_news", f"submitter_news:{also.pk}"),
        ]
    )
    due = ProcrastinateJob.objects.get(task_name="build_open_data").scheduled_at
    assert timedelta(seconds=290) < due - timezone.now() <= timedelta(seconds=300)
    assert run_jobs() == []  # nothing is due yet: the file is as it was
    assert download(client, "/fi/open-data/entries.json")[0]["ETag"] == before["ETag"]

    assert ("build_open_data", "succeeded") in run_all_jobs()

    after, body = download(client, "/fi/open-data/entries.json")
    references = [r["reference"] for r in json.loads(body)["entries"]]
    assert late.reference in references and also.reference in references
    assert after["ETag"] != before["ETag"]
    assert waiting_jobs() == []


def test_an_entry_taken_down_leaves_the_files_at_once(
    client, site, django_capture_on_commit_callbacks
):
    first, _second = site
    run_all_jobs()
    download(client, "/fi/open-data/entries.json")  # built, with the entry
    before = list(PublicFile.objects.all())
    assert first.reference.encode() in read(stored("fi", "entries.json"))

    submissions.withdraw_entry(first)

    assert ("build_open_data", "build_open_data:at-once") in waiting_jobs()
    with django_capture_on_commit_callbacks(execute=True):
        ran = run_jobs()
    assert ("build_open_data", "succeeded") in ran  # due now, not in five minutes
    _response, body = download(client, "/fi/open-data/entries.json")
    assert first.reference.encode() not in body
    _response, body = download(client, "/fi/open-data/reports.csv")
    assert first.reference.encode() not in body
    # The files that held it are gone from the storage, not only from the rows.
    assert [row.name for row in before if default_storage.exists(row.name)] == []


def test_the_hourly_check_builds_files_that_are_old_or_lost_and_removes_leftovers(
    site, campaign, coordinator
):
    public_files.build_open_data()
    late = published_entry(campaign, coordinator, title="Ohi jonon")
    leftover = default_storage.save("public-files/open-data-fi-entries-dead.json", io.BytesIO(b"{"))
    hours_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(default_storage.path(leftover), (hours_ago, hours_ago))

    result = check_public_files(timestamp=0)

    assert result["open_data"] == 3
    assert result["leftovers_removed"] == 1
    assert late.reference.encode() in read(stored("fi", "entries.json"))
    assert not default_storage.exists(leftover)
    assert check_public_files(timestamp=0)["open_data"] is None  # up to date now

    default_storage.delete(stored("sv", "reports.csv").name)  # lost (an emptied folder)
    assert check_public_files(timestamp=0)["missing"] == 1
    assert b"entry_reference" in read(stored("sv", "reports.csv"))


# --- Serving -------------------------------------------------------------------------------


def test_a_file_is_served_with_validators_length_and_ranges(client, site):
    response, body = download(client, "/fi/open-data/entries.csv")
    row = stored("fi", "entries.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Length"] == str(row.size) == str(len(body))
    assert response["ETag"] == f'"{row.etag}"'
    assert response["Last-Modified"] == http_date(row.generated_at.timestamp())
    assert response["Accept-Ranges"] == "bytes"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Disposition"] == 'attachment; filename="kotolupaus-entries.csv"'
    assert body == read(row)


def test_a_download_is_revalidated_with_304(client, site):
    first, _body = download(client, "/fi/open-data/entries.json")

    by_etag = client.get("/fi/open-data/entries.json", HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(
        "/fi/open-data/entries.json", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    other, _body = download(
        client, "/fi/open-data/entries.json", HTTP_IF_NONE_MATCH='"something-else"'
    )

    assert (by_etag.status_code, by_date.status_code, other.status_code) == (304, 304, 200)
    assert by_etag["ETag"] == first["ETag"]
    assert by_etag.content == b""


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=0-0", 0, 0),
        ("bytes=10-", 10, None),
        ("bytes=-5", -5, None),
        ("bytes=5-999999999", 5, None),
        # Absurdly long numbers: an end past any file is the end, a suffix the whole.
        ("bytes=0-" + "9" * 4400, 0, None),
        ("bytes=-" + "9" * 4400, 0, None),
        ("bytes=" + "0" * 4400 + "7-" + "0" * 4400 + "9", 7, 9),
    ],
)
def test_a_range_is_answered_with_206_and_those_bytes(client, site, asked, first, last):
    whole = read_whole(client)
    size = len(whole)
    expected = whole[first : (last + 1 if last is not None else None)]
    start = first % size

    response, body = download(client, "/fi/open-data/entries.json", HTTP_RANGE=asked)

    assert response.status_code == 206
    assert body == expected
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{size}"
    assert response["Content-Length"] == str(len(expected))
    assert response["ETag"] == stored_etag()


def read_whole(client):
    return download(client, "/fi/open-data/entries.json")[1]


def stored_etag():
    return f'"{stored("fi", "entries.json").etag}"'


@pytest.mark.parametrize(
    "asked",
    [
        "bytes=999999999-",
        "bytes=-0",
        # The security review's header: 4,400 digits (a 500 and a stack trace before).
        "bytes=" + "9" * 4400 + "-",
        "bytes=" + "9" * 4400 + "-" + "9" * 4401,
        "bytes=1" + "0" * 18 + "-",
    ],
)
def test_a_range_beyond_the_end_is_answered_with_416(client, site, asked):
    size = len(read_whole(client))

    response = client.get("/fi/open-data/entries.json", HTTP_RANGE=asked)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("asked", ["bytes=0-1,5-6", "lines=1-2", "bytes=9-2", "bytes=x-"])
def test_several_ranges_or_a_range_not_understood_get_the_whole_file(client, site, asked):
    whole = read_whole(client)

    response, body = download(client, "/fi/open-data/entries.json", HTTP_RANGE=asked)

    assert (response.status_code, body) == (200, whole)


def test_if_range_keeps_the_range_only_for_the_same_file(client, site):
    whole = read_whole(client)
    etag = stored_etag()

    same, same_body = download(
        client, "/fi/open-data/entries.json", HTTP_RANGE="bytes=0-4", HTTP_IF_RANGE=etag
    )
    other, other_body = download(
        client, "/fi/open-data/entries.json", HTTP_RANGE="bytes=0-4", HTTP_IF_RANGE='"old"'
    )

    assert (same.status_code, same_body) == (206, whole[:5])
    assert (other.status_code, other_body) == (200, whole)


def test_the_gzip_files_are_downloads_of_their_own(client, site):
    plain = read_whole(client)

    response, body = download(client, "/sv/open-data/entries.json.gz")

    assert response["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response
    assert 'filename="kotolupaus-entries.json.gz"' in response["Content-Disposition"]
    assert json.loads(gzip.decompress(body))["entries"][0]["url"].startswith(
        "http://testserver/sv/"
    )
    assert len(json.loads(gzip.decompress(body))["entries"]) == len(json.loads(plain)["entries"])
    assert client.get("/fi/open-data/reports.json").status_code == 404
    assert client.get("/fi/open-data/entries.xml").status_code == 404


def test_a_prebuilt_file_is_served_in_one_query(client, site, django_assert_num_queries):
    download(client, "/fi/open-data/entries.json")  # the first request builds them

    for path in ("/fi/open-data/entries.json", "/sv/open-data/reports.csv.gz"):
        with django_assert_num_queries(1):
            response, _body = download(client, path)
        assert response.status_code == 200


def test_before_any_job_ran_the_first_request_builds_the_files(client, site):
    assert not PublicFile.objects.exists()

    response, body = download(client, "/en/open-data/entries.json")

    assert response.status_code == 200
    assert len(json.loads(body)["entries"]) == 2
    assert PublicFile.objects.filter(key__startswith="open-data/").count() == 24


# --- The open data page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("fi", "päivitetty 1.3.2027 klo 9.05 (Suomen aikaa)"),
        ("sv", "uppdaterad 1.3.2027 kl. 9.05 (finsk tid)"),
        ("en", "updated 1 March 2027, 09:05 (Finnish time)"),
    ],
)
def test_the_open_data_page_says_when_each_file_was_made_and_links_the_gzips(
    client, site, helsinki, language, shown
):
    public_files.build_open_data()
    PublicFile.objects.update(generated_at=helsinki(2027, 3, 1, 9, 5))

    page = client.get(f"/{language}/open-data/").content.decode()

    assert page.count(shown) == 4  # with cooperation.json
    for name in NAMES:
        stem, fmt = name.split(".")
        assert f'href="/{language}/open-data/{stem}.{fmt}.gz"' in page
    assert "generated_at" in page
