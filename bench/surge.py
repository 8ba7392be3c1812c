"""A submission surge: many people sending pledges at once, each a new visitor who loads
the form (CSRF cookie and token) and sends it with action=submit, as a browser would.

Every acknowledged submission (a 302 to the thank-you page) must be exactly one new
entry with exactly one confirmation e-mail, queued or sent (a job worker sends them to a
local SMTP server meanwhile). Then every contact confirms at once, as they would from
their inboxes, and the references must be numbered without gaps or repeats.
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

from kotolupaus.models import Message, MessageKind, MessageStatus
from submissions.models import Campaign, Entry, Municipality, TargetGroup, Theme

from .load import Result, percentile
from .server import HOST

FORM_PATH = "/fi/submit/pledge/"
THANK_YOU_PATH = "/fi/submit/thank-you/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/fi/submit/confirm/[\w-]+/)")


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
    smtp_delay: float = 0.0
    one_confirmation_each: bool = False
    confirmations_sent: int = 0
    confirmed: int = 0
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


def run(
    port: int,
    campaign: Campaign,
    clients: int,
    seconds: float,
    *,
    smtp_delay: float = 0.0,
    received=(),
) -> Surge:
    """`received`: the messages the SMTP server accepted (for links already sent)."""
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

    def client():
        while time.monotonic() < deadline:
            with lock:
                number = next(counter)
            try:
                data = form_data(number, choices)
                reply, form_took, took = _post_form(port, FORM_PATH, data)
            except (OSError, http.client.HTTPException, ValueError) as error:
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
    entries = Entry.objects.filter(
        campaign=campaign,
        submitted_at__gte=started_at - timedelta(seconds=1),
        submitted_at__lte=finished_at + timedelta(seconds=1),
    )
    keys = [str(key) for key in entries.values_list("submission_key", flat=True)]
    stored = set(keys)
    # Exactly one confirmation for each, queued or already sent.
    confirmations = list(
        Message.objects.filter(kind=MessageKind.CONFIRM_ADDRESS, entry_id__in=entries).values_list(
            "entry_id", "status", "body"
        )
    )
    per_entry = {}
    for entry_id, status, _body in confirmations:
        per_entry.setdefault(entry_id, []).append(status)
    one_each = len(per_entry) == len(stored) and all(
        len(statuses_) == 1 and statuses_[0] in (MessageStatus.QUEUED, MessageStatus.SENT)
        for statuses_ in per_entry.values()
    )
    sent = sum(status == MessageStatus.SENT for _id, status, _body in confirmations)

    # Every contact confirms at once; then the references must be gap-free.
    links = {
        match.group(1) for _id, _s, body in confirmations if (match := CONFIRM_LINK.search(body))
    }
    for message in list(received):
        text = message.get_body(("plain",)).get_content()
        if match := CONFIRM_LINK.search(text):
            links.add(match.group(1))
    confirmed = _confirm_all(port, sorted(links), clients, problems, lock)

    rows = list(entries.exclude(reference="").values_list("number", "reference", "submission_key"))
    after = Campaign.objects.get(pk=campaign.pk).last_entry_number
    year = timezone.localtime(campaign.opens_at).year
    numbers = sorted(row[0] for row in rows)
    references = [row[1] for row in rows]
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
        created=len(keys),
        lost=len(acknowledged - stored),
        duplicated=(len(keys) - len(stored)) + (len(references) - len(set(references))),
        stored_unacknowledged=len(stored - acknowledged),
        gap_free=gap_free and len(rows) == confirmed,
        references_unique=unique,
        form_p95=percentile(form_ms, 0.95),
        smtp_delay=smtp_delay,
        one_confirmation_each=one_each,
        confirmations_sent=sent,
        confirmed=confirmed,
        problems=sorted(set(problems))[:5],
    )


def _request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        reply = connection.getresponse()
        return reply, reply.read()
    finally:
        connection.close()


def _post_form(port, path, data):
    """GET a page for its CSRF cookie and token, then POST `data` to it, as a browser
    would; returns the POST's reply and how long the GET and the POST took."""
    began = time.monotonic()
    reply, page = _request(port, "GET", path)
    get_took = time.monotonic() - began
    token = TOKEN.search(page.decode("utf-8", "replace"))
    cookie = _cookies(reply).get("csrftoken")
    if reply.status != 200 or not token or not cookie:
        raise ValueError(f"{path}: HTTP {reply.status}")
    body = urlencode({**data, "csrfmiddlewaretoken": token.group(1)}, doseq=True)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookie}",
    }
    began = time.monotonic()
    reply, _page = _request(port, "POST", path, body, headers)
    return reply, get_took, time.monotonic() - began


def _confirm_all(port, links, clients, problems, lock) -> int:
    """Open every confirmation link and press "Confirm and send", `clients` at a time."""
    pending = iter(links)
    confirmed = []

    def client():
        while True:
            with lock:
                path = next(pending, None)
            if path is None:
                return
            try:
                reply, _get, _post = _post_form(port, path, {})
            except (OSError, http.client.HTTPException, ValueError) as error:
                with lock:
                    problems.append(f"confirm: {error}")
                continue
            with lock:
                if reply.status == 302:
                    confirmed.append(path)
                else:
                    problems.append(f"confirm: HTTP {reply.status}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(confirmed)
