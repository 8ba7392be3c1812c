"""A submission surge: many people sending pledges at once, each a new visitor who loads
the form (CSRF cookie and token) and sends it with action=submit, as a browser would.

Every acknowledged submission (a 302 to the thank-you page) must be exactly one new
entry, numbered without gaps or repeats in the open campaign.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.utils import timezone

from submissions.models import Campaign, Entry, Municipality, TargetGroup, Theme

from .load import Result, percentile
from .server import HOST

FORM_PATH = "/fi/submit/pledge/"
THANK_YOU_PATH = "/fi/submit/thank-you/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Surge:
    result: Result
    acknowledged: int
    created: int
    lost: int
    duplicated: int
    stored_unacknowledged: int
    gap_free: bool
    references_unique: bool
    form_p95: float
    problems: list[str] = field(default_factory=list)


def form_data(number: int, choices: dict) -> dict:
    """A complete, valid pledge (as tests/conftest.py entry_form_data), unique per post."""
    return {
        "action": "submit",
        "submission_key": str(uuid.uuid4()),
        "org_name": f"Ruuhka Oy {number}",
        "org_business_id": "0112038-9",
        "org_type": "company",
        "org_municipality": choices["municipality"],
        "org_website": "https://esimerkki.example.fi",
        "title": f"Kesätöitä nuorille tulijoille {number}",
        "summary": "Tarjoamme kesätöitä nuorille maahanmuuttajille.",
        "description": "Kuvaus siitä, mitä teemme ja kenen kanssa.",
        "themes": [choices["theme"]],
        "target_groups": [choices["target_group"]],
        "municipalities": [choices["municipality"]],
        "original_language": "fi",
        "contact_name": "Maija Meikäläinen",
        "contact_email": f"surge{number}@esimerkki.example.fi",
        "contact_phone": "+358 40 123 4567",
        "consent_publish": "on",
        "authorised": "on",
        "partners-TOTAL_FORMS": "0",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "10",
        "promise": "Tarjoamme kymmenen kesätyöpaikkaa vuosittain.",
        "target": "10 kesätyöntekijää vuodessa.",
        "pledge_deadline": "2027-08-31",
    }


def _cookies(reply) -> dict[str, str]:
    found = {}
    for header in reply.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def run(port: int, campaign: Campaign, clients: int, seconds: float) -> Surge:
    choices = {
        "municipality": str(Municipality.objects.get(code="091").pk),
        "theme": str(Theme.objects.get(slug="working-life").pk),
        "target_group": str(TargetGroup.objects.get(slug="newly-arrived").pk),
    }
    before = Campaign.objects.get(pk=campaign.pk).last_entry_number
    lock = threading.Lock()
    post_ms: list[float] = []
    form_ms: list[float] = []
    statuses: dict[int, int] = {}
    acknowledged: set[str] = set()
    problems: list[str] = []
    counter = iter(range(1, 10**9))
    started_at = timezone.now()
    start = time.monotonic()
    deadline = start + seconds

    def request(method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            reply = connection.getresponse()
            return reply, reply.read()
        finally:
            connection.close()

    def client():
        while time.monotonic() < deadline:
            with lock:
                number = next(counter)
            try:
                began = time.monotonic()
                reply, page = request("GET", FORM_PATH)
                form_took = time.monotonic() - began
                token = TOKEN.search(page.decode("utf-8", "replace"))
                cookie = _cookies(reply).get("csrftoken")
                if reply.status != 200 or not token or not cookie:
                    with lock:
                        problems.append(f"form: HTTP {reply.status}")
                    continue
                data = form_data(number, choices)
                data["csrfmiddlewaretoken"] = token.group(1)
                body = urlencode(data, doseq=True)
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookie}",
                }
                began = time.monotonic()
                reply, _page = request("POST", FORM_PATH, body, headers)
                took = time.monotonic() - began
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    problems.append(f"connection: {error}")
                continue
            with lock:
                form_ms.append(form_took * 1000)
                post_ms.append(took * 1000)
                statuses[reply.status] = statuses.get(reply.status, 0) + 1
                if reply.status == 302 and reply.getheader("Location", "").endswith(THANK_YOU_PATH):
                    acknowledged.add(data["submission_key"])

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    finished_at = timezone.now()

    # What the database holds: every entry the campaign got while the surge ran.
    rows = list(
        Entry.objects.filter(
            campaign=campaign,
            submitted_at__gte=started_at - timedelta(seconds=1),
            submitted_at__lte=finished_at + timedelta(seconds=1),
        ).values_list("number", "reference", "submission_key")
    )
    after = Campaign.objects.get(pk=campaign.pk).last_entry_number
    year = timezone.localtime(campaign.opens_at).year
    numbers = sorted(row[0] for row in rows)
    references = [row[1] for row in rows]
    keys = [str(row[2]) for row in rows]
    stored = set(keys)
    gap_free = numbers == list(range(before + 1, before + len(rows) + 1)) and after == before + len(
        rows
    )
    unique = len(set(references)) == len(references) and all(
        reference == f"KL-{year}-{number:04d}" for number, reference, _key in rows
    )
    result = Result(
        requests=len(acknowledged),
        seconds=elapsed,
        p50=percentile(post_ms, 0.50),
        p95=percentile(post_ms, 0.95),
        p99=percentile(post_ms, 0.99),
        statuses=statuses,
        errors=len(problems),
        bytes=0,
    )
    return Surge(
        result=result,
        acknowledged=len(acknowledged),
        created=len(rows),
        lost=len(acknowledged - stored),
        duplicated=(len(keys) - len(stored)) + (len(references) - len(set(references))),
        stored_unacknowledged=len(stored - acknowledged),
        gap_free=gap_free,
        references_unique=unique,
        form_p95=percentile(form_ms, 0.95),
        problems=sorted(set(problems))[:5],
    )
