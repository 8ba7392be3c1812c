"""The fleet drill: `make fleet` (options: `make fleet ARGS="--quick"`).

The README's promise as a whole, on one machine: two web servers and two job workers on
one PostgreSQL and one Redis, every part stopped and started under load.

1. Its own services (ops/stack.py): the drills' embedded PostgreSQL with a database for
   this run, `redis-server` on a free port (`apt-get install redis-server`), an SMTP
   server (aiosmtpd), two gunicorn web servers A and B (2 workers each,
   `-c python:kotolupaus.gunicorn_conf`) and two job workers, all with production
   settings: REDIS_URL, TRUSTED_PROXY_COUNT=1 (every simulated visitor has an address of
   its own in X-Forwarded-For), METRICS_TOKEN, PUBLIC_FILES_REBUILD_SECONDS=2.
2. Load all the while: visitors submit pledges alternately through A and B (every third
   with a logo), the confirmation mails reach the SMTP server through the workers and
   each is confirmed through the *other* server; visitors read the home page, the
   catalogue, entry pages and searches through both.
3. In turn, under that load: a coordinator logs in on A (password and one-time code) and
   approves the confirmed entries; the rate limits are tried across both servers; a job
   worker is SIGKILLed and started again; Redis is stopped for 10 s; the SMTP server is
   down for 10 s; PostgreSQL is stopped and started again.
4. Then the load stops, the queue drains, and each check is printed as held / not held;
   the exit status is 0 only when every one holds.

`--quick` is what the test suite runs (tests/test_drills.py): one job worker, fewer
clients, shorter outages; no SIGKILL and no SMTP outage (those checks say "skipped").
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

if __package__ in (None, ""):  # `python ops/fleet.py` as well as `python -m ops.fleet`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ops import stack
from ops.fault_drill import UNAVAILABLE_FI, cookies, form_choices, multipart, png_logo
from ops.redis_server import RedisServer, binary

HOST = stack.HOST
FORM_PATH = "/fi/submit/pledge/"
THANK_YOU_PATH = "/fi/submit/thank-you/"
LOST_LINK_PATH = "/fi/manage/lost-link/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/fi/submit/confirm/[\w-]+/)")
REQUEST_TIMEOUT = 20
STAFF = ("coordinator-drill", "drill password " + uuid.uuid4().hex[:12])
# Kinds of answer that may come from the page cache while the database is down.
PUBLIC_GETS = {"home", "catalogue", "entry", "search"}


def log(message: str) -> None:
    stack.log(message, "fleet")


def parse(argv):
    parser = argparse.ArgumentParser(prog="make fleet ARGS=…", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the test suite's short variant")
    parser.add_argument("--submitters", type=int, help="submitting clients (4; quick 2)")
    parser.add_argument("--readers", type=int, help="reading clients (2; quick 1)")
    parser.add_argument("--redis-down", type=float, help="seconds without Redis (10; quick 3)")
    parser.add_argument("--smtp-down", type=float, help="seconds without SMTP (10; quick: none)")
    parser.add_argument(
        "--postgres-down", type=float, help="seconds without PostgreSQL (5; quick 2)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "submitters": 2 if quick else 4,
        "readers": 1 if quick else 2,
        "redis_down": 3 if quick else 10,
        "smtp_down": 0 if quick else 10,
        "postgres_down": 2 if quick else 5,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.web_workers = 2
    args.job_workers = 1 if quick else 2
    args.kill_worker = not quick
    args.settle = 2 if quick else 5
    args.drain = 60 if quick else 120
    return args


# --- Answers ---------------------------------------------------------------------------------


@dataclass
class Answer:
    server: str
    kind: str
    method: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer
    polite: bool = False  # 503 with the Finnish page and Retry-After
    traceback: bool = False


@dataclass
class Submission:
    key: str
    email: str
    server: str
    word: str
    logo: bool
    acknowledged_at: float = 0.0
    confirmed_at: float = 0.0
    confirmed_on: str = ""


class Traffic:
    """Clients of the two servers; every answer is recorded."""

    def __init__(self, ports: dict[str, int], choices: dict, quick: bool):
        self.ports = ports
        self.choices = choices
        self.logo = png_logo()
        self.stop = threading.Event()  # the load
        self.finished = threading.Event()  # the confirmations too (after the queue drained)
        self.lock = threading.Lock()
        self.answers: list[Answer] = []
        self.posted: dict[str, Submission] = {}
        self.acknowledged: dict[str, Submission] = {}
        self.by_email: dict[str, Submission] = {}
        self.unexpected: Counter = Counter()
        self.public_ids: list[int] = []
        self.search_words: list[str] = []
        self.numbers = 0
        self.addresses = 0
        self.quick = quick

    # -- HTTP --

    def request(self, server, kind, method, path, *, body=None, headers=None, ip=None):
        headers = dict(headers or {})
        if ip:
            headers["X-Forwarded-For"] = ip
        began = time.monotonic()
        connection = http.client.HTTPConnection(HOST, self.ports[server], timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            content = reply.read()
        except (OSError, http.client.HTTPException):
            self.record(Answer(server, kind, method, began, time.monotonic(), None))
            return None, None, b""
        finally:
            connection.close()
        text = content.decode("utf-8", "replace")
        answer = Answer(
            server,
            kind,
            method,
            began,
            time.monotonic(),
            reply.status,
            polite=reply.status == 503
            and bool(reply.getheader("Retry-After"))
            and UNAVAILABLE_FI in text,
            traceback="Traceback" in text,
        )
        self.record(answer)
        return answer, reply, content

    def record(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def address(self) -> str:
        """A new visitor's address (the nginx in front of the servers would append it)."""
        with self.lock:
            self.addresses += 1
            n = self.addresses
        return f"10.{100 + n // 65536 % 100}.{n // 256 % 256}.{n % 256}"

    def form(self, server, path, ip, kind="form"):
        """GET a page with a form: (csrf cookie, token) or None."""
        answer, reply, page = self.request(server, kind, "GET", path, ip=ip)
        if answer is None or answer.status != 200:
            return None
        found = TOKEN.search(page.decode("utf-8", "replace"))
        cookie = cookies(reply).get("csrftoken")
        return (cookie, found.group(1)) if found and cookie else None

    def post(self, server, kind, path, data, csrf, ip, files=None):
        cookie, token = csrf
        data = {**data, "csrfmiddlewaretoken": token}
        headers = {"Cookie": f"csrftoken={cookie}"}
        if files:
            body, content_type = multipart(data, files)
        else:
            body, content_type = urlencode(data, doseq=True), "application/x-www-form-urlencoded"
        headers["Content-Type"] = content_type
        return self.request(server, kind, "POST", path, body=body, headers=headers, ip=ip)

    # -- Submitters --

    def new_submission(self, server: str) -> tuple[dict, Submission]:
        from bench.surge import form_data

        with self.lock:
            self.numbers += 1
            number = self.numbers
        data = form_data(number, self.choices)
        word = "laivasto" + "".join(chr(97 + int(d)) for d in f"{number:04d}")
        data["title"] = f"Kesätöitä nuorille tulijoille {word}"
        data["contact_email"] = f"fleet{number}@esimerkki.example.fi"
        submission = Submission(
            data["submission_key"], data["contact_email"], server, word, number % 3 == 0
        )
        with self.lock:
            self.posted[submission.key] = submission
            self.by_email[submission.email] = submission
        return data, submission

    def submitter(self, n: int) -> None:
        turn = n
        while not self.stop.is_set():
            server = "AB"[turn % 2]
            turn += 1
            ip = self.address()
            data, submission = self.new_submission(server)
            csrf = None
            for _attempt in range(200):  # as a person would: again until it is taken
                if self.stop.is_set():
                    break
                csrf = csrf or self.form(server, FORM_PATH, ip)
                if csrf is None:
                    self.stop.wait(0.3)
                    continue
                files = {"org_logo": ("logo.png", self.logo)} if submission.logo else None
                answer, reply, _page = self.post(server, "post", FORM_PATH, data, csrf, ip, files)
                location = reply.getheader("Location", "") if reply else ""
                if answer and answer.status == 302 and location.endswith(THANK_YOU_PATH):
                    with self.lock:
                        submission.acknowledged_at = answer.ended
                        self.acknowledged[submission.key] = submission
                    break
                if answer is None or answer.status >= 500:
                    self.stop.wait(0.3)  # the same submission again, with the same key
                    continue
                with self.lock:
                    self.unexpected[f"pledge POST → {answer.status}"] += 1
                break
            self.stop.wait(0.1)

    # -- The confirmations, from the mails --

    def confirmer(self, smtp) -> None:
        """Opens each confirmation link as its contact would, through the other server;
        goes on after the load until `finished` (the mails of the last pledges)."""
        seen = 0
        waiting: list[tuple[str, str]] = []  # (address, path)
        while not self.finished.is_set():
            with smtp.recorder.lock:
                new = smtp.recorder.messages[seen:]
                seen += len(new)
            for message in new:
                found = CONFIRM_LINK.search(message.get_content())
                if found:
                    waiting.append((message["To"], found.group(1)))
            waiting = [(a, p) for a, p in waiting if not self.confirm(a, p)]
            self.finished.wait(0.3)

    def confirm(self, address: str, path: str) -> bool:
        submission = self.by_email.get(address)
        if submission is None or submission.confirmed_at:
            return True
        other = "B" if submission.server == "A" else "A"
        ip = self.address()
        csrf = self.form(other, path, ip, kind="confirm")
        if csrf is None:
            return False
        answer, _reply, _page = self.post(other, "confirm", path, {}, csrf, ip)
        if answer and answer.status == 302:
            with self.lock:
                submission.confirmed_at = answer.ended
                submission.confirmed_on = other
            return True
        if answer is None or answer.status >= 500:
            return False
        with self.lock:
            self.unexpected[f"confirm POST → {answer.status}"] += 1
        return True

    # -- Readers --

    def reader(self, n: int) -> None:
        turn = n
        while not self.stop.is_set():
            server = "AB"[turn % 2]
            turn += 1
            with self.lock:
                ids = list(self.public_ids)
                words = list(self.search_words)
            pages = [("home", "/fi/"), ("catalogue", "/fi/entries/")]
            if ids:
                pages.append(("entry", f"/fi/entries/{ids[turn % len(ids)]}/"))
            if words:
                pages.append(("search", f"/fi/entries/?q={quote(words[turn % len(words)])}"))
            kind, path = pages[turn % len(pages)]
            self.request(server, kind, "GET", path)
            self.stop.wait(0.05)

    def prober(self) -> None:
        while not self.stop.is_set():
            for server in self.ports:
                self.request(server, "health", "GET", "/healthz")
                self.request(server, "ready", "GET", "/readyz")
            self.stop.wait(0.5)

    def between(self, start: float, end: float, kinds=None) -> list[Answer]:
        with self.lock:
            return [
                a
                for a in self.answers
                if a.started >= start and a.ended <= end and (kinds is None or a.kind in kinds)
            ]


# --- Checks ----------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    held: bool | None  # None: skipped
    detail: str


def statuses(answers) -> str:
    counts = Counter("no answer" if a.status is None else str(a.status) for a in answers)
    return ", ".join(f"{code}×{n}" for code, n in sorted(counts.items())) or "none"


def table(checks: list[Check], header: str) -> str:
    width = max(len(check.name) for check in checks)
    lines = [
        header,
        "",
        f"| {'check'.ljust(width)} | result | detail |",
        f"|{'-' * (width + 2)}|--------|--------|",
    ]
    for check in checks:
        result = "skipped" if check.held is None else ("held" if check.held else "NOT HELD")
        lines.append(f"| {check.name.ljust(width)} | {result} | {check.detail} |")
    return "\n".join(lines)


# --- The drill -------------------------------------------------------------------------------


@dataclass
class Marks:
    times: dict[str, float] = field(default_factory=dict)

    def __call__(self, name: str) -> float:
        self.times[name] = time.monotonic()
        return self.times[name]

    def __getitem__(self, name: str) -> float:
        return self.times[name]


class Fleet:
    def __init__(self, args):
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="fleet-", dir=stack.DRILLS))
        self.postgres = None
        self.redis = None
        self.smtp = None
        self.servers: dict[str, stack.WebServer] = {}
        self.workers: list[stack.JobWorker] = []
        self.metrics_token = stack.token()
        self.marks = Marks()
        self.results: dict[str, object] = {}

    # -- Starting and stopping --

    def start(self) -> None:
        from tests.smtp import SMTPServer

        log(f"services of its own in {self.folder.relative_to(stack.BASE_DIR)}")
        self.postgres = stack.Postgres()
        database_url = self.postgres.prepare()
        self.redis = RedisServer(self.folder / "redis")
        self.redis.start()
        self.smtp = SMTPServer().start()
        self.env = stack.environment(
            database_url,
            self.folder,
            REDIS_URL=self.redis.url,
            EMAIL_URL=self.smtp.url,
            EMAIL_TIMEOUT="5",
            TRUSTED_PROXY_COUNT="1",
            METRICS_TOKEN=self.metrics_token,
            PUBLIC_FILES_REBUILD_SECONDS="2",
            JOBS_STALLED_AFTER_SECONDS="20",
            RATELIMIT_POST_RATE="100/h",
        )
        self.setup_data()
        for name in ("A", "B"):
            self.servers[name] = stack.WebServer(name, self.env, self.args.web_workers, self.folder)
            self.servers[name].launch()
        for server in self.servers.values():
            server.wait_until_ready()
        for n in range(self.args.job_workers):
            worker = stack.JobWorker(str(n + 1), self.env, self.folder)
            worker.start()
            self.workers.append(worker)
        log(
            f"web servers A :{self.servers['A'].port} and B :{self.servers['B'].port} "
            f"({self.args.web_workers} workers each), {len(self.workers)} job workers, "
            f"Redis :{self.redis.port}, SMTP :{self.smtp.port}"
        )

    def setup_data(self) -> None:
        import os

        os.environ.update(self.env)
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db import connection
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from ops.fault_drill import open_campaign

        self.campaign = open_campaign()
        self.choices = form_choices()
        user = get_user_model().objects.create_user(STAFF[0], password=STAFF[1], is_staff=True)
        user.groups.add(*Group.objects.filter(name__in=["coordinator", "reviewer"]))
        self.device = TOTPDevice.objects.create(user=user, name="drill", confirmed=True)
        connection.close()

    def stop(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.stop()
        for server in self.servers.values():
            with contextlib.suppress(Exception):
                server.stop(quick=True)
        if self.smtp is not None:
            self.smtp.stop()
        if self.redis is not None:
            self.redis.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if self.postgres is not None:
            self.postgres.cleanup()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- Helpers --

    def url(self, server: str, path: str) -> str:
        return f"http://{HOST}:{self.servers[server].port}{path}"

    def get(self, server: str, path: str, headers=None) -> tuple[int | None, dict, bytes]:
        connection = http.client.HTTPConnection(HOST, self.servers[server].port, timeout=20)
        try:
            connection.request("GET", path, headers=headers or {})
            reply = connection.getresponse()
            return reply.status, dict(reply.getheaders()), reply.read()
        except (OSError, http.client.HTTPException):
            return None, {}, b""
        finally:
            connection.close()

    def scrape(self, server: str, token: str | None = None) -> tuple[int | None, dict]:
        from prometheus_client.parser import text_string_to_metric_families

        headers = {"Authorization": f"Bearer {token}"} if token else {}
        status, _headers, body = self.get(server, "/metrics", headers)
        found = {}
        if status == 200:
            for family in text_string_to_metric_families(body.decode()):
                for sample in family.samples:
                    found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return status, found

    def wait_for(self, condition, timeout: float, step: float = 0.5) -> float | None:
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if condition():
                return time.monotonic() - began
            time.sleep(step)
        return None

    # -- The run --

    def run(self) -> int:
        args = self.args
        traffic = self.traffic = Traffic(
            {name: s.port for name, s in self.servers.items()}, self.choices, args.quick
        )
        threads = [
            threading.Thread(target=traffic.submitter, args=(n,), daemon=True)
            for n in range(args.submitters)
        ]
        threads += [
            threading.Thread(target=traffic.reader, args=(n,), daemon=True)
            for n in range(args.readers)
        ]
        confirmer = threading.Thread(target=traffic.confirmer, args=(self.smtp,), daemon=True)
        threads.append(threading.Thread(target=traffic.prober, daemon=True))
        log(
            f"load: {args.submitters} submitting, {args.readers} reading, confirmations "
            "through the other server"
        )
        self.marks("load")
        confirmer.start()
        for thread in threads:
            thread.start()
        checks = []
        try:
            log("limits across both servers")
            checks += self.limits("limits")
            log("a public change through A, read on B")
            checks.append(self.public_change())
            checks.append(self.kill_worker())
            checks += self.redis_outage()
            checks.append(self.smtp_outage())
            checks.append(self.postgres_restart())
            time.sleep(args.settle)
        finally:
            self.marks("load stopped")
            traffic.stop.set()
            for thread in threads:
                thread.join(timeout=REQUEST_TIMEOUT + 5)
        log("load stopped; waiting for the queue to drain")
        try:
            checks += self.drained()
        finally:
            traffic.finished.set()
            confirmer.join(timeout=REQUEST_TIMEOUT + 5)
        checks.append(self.metrics())
        checks.append(self.readiness())
        checks.append(self.no_errors())
        header = (
            f"Kotolupaus fleet drill{' (quick)' if args.quick else ''}: web servers A and B "
            f"({args.web_workers} gunicorn workers each), {args.job_workers} job workers, one "
            f"PostgreSQL, one Redis; {len(traffic.answers)} answers "
            f"({statuses(traffic.answers)}) in {self.marks['load stopped'] - self.marks['load']:.0f} s"
        )
        print(table(checks, header))
        if any(check.held is False for check in checks):
            for server in self.servers.values():
                print(f"\ngunicorn {server.name} (tail):\n{server.log_tail(15)}")
            for worker in self.workers:
                print(f"\nworker {worker.name} (tail):\n{worker.log_tail(15)}")
            return 1
        return 0

    # -- 1. A public change through A, seen on B --

    def login(self, server: str) -> str | None:
        """The coordinator's session on `server` (password and one-time code)."""
        from django.db import connection
        from django_otp.oath import totp

        self.device.refresh_from_db()
        code = f"{totp(self.device.bin_key, self.device.step, self.device.t0, self.device.digits, self.device.drift):06d}"
        connection.close()
        ip = self.traffic.address()
        csrf = self.traffic.form(server, "/fi/admin/login/", ip, kind="staff")
        if csrf is None:
            return None
        answer, reply, _page = self.traffic.post(
            server,
            "staff",
            "/fi/admin/login/",
            {"username": STAFF[0], "password": STAFF[1], "otp_token": code, "next": "/fi/admin/"},
            csrf,
            ip,
        )
        if answer is None or answer.status != 302:
            return None
        session = cookies(reply).get("sessionid")
        return f"sessionid={session}; csrftoken={csrf[0]}" if session else None

    def approve(self, server: str, session: str, publication_ids: list[int]) -> int | None:
        status, _headers, page = self.get(
            server, "/fi/admin/publishing/publication/", {"Cookie": session}
        )
        found = TOKEN.search(page.decode("utf-8", "replace")) if status == 200 else None
        if not found:
            return status
        body = urlencode(
            {
                "csrfmiddlewaretoken": found.group(1),
                "action": "approve",
                "index": "0",
                "_selected_action": [str(pk) for pk in publication_ids],
            },
            doseq=True,
        )
        connection = http.client.HTTPConnection(HOST, self.servers[server].port, timeout=60)
        try:
            connection.request(
                "POST",
                "/fi/admin/publishing/publication/",
                body=body,
                headers={
                    "Cookie": session,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Forwarded-For": self.traffic.address(),
                },
            )
            return connection.getresponse().status
        finally:
            connection.close()

    def public_change(self) -> Check:
        from django.db import connection

        from publishing.models import Publication
        from submissions.models import Entry

        name = "a public change through A is seen on B"
        wanted = 2 if self.args.quick else 4
        waited = self.wait_for(
            lambda: sum(1 for s in self.traffic.acknowledged.values() if s.confirmed_at) >= wanted,
            60,
        )
        if waited is None:
            return Check(name, False, f"fewer than {wanted} entries confirmed within 60 s")
        confirmed = [s for s in self.traffic.acknowledged.values() if s.confirmed_at][:wanted]
        keys = [s.key for s in confirmed]
        entries = {
            str(e.submission_key): e
            for e in Entry.objects.filter(submission_key__in=keys).select_related("publication")
        }
        publications = [entries[k].publication.pk for k in keys if k in entries]
        entry_ids = [entries[k].pk for k in keys if k in entries]
        references = [entries[k].reference for k in keys if k in entries]
        connection.close()
        before = {e: self.get("B", f"/fi/entries/{e}/")[0] for e in entry_ids}
        etag_before = self.get("B", "/fi/entries/")[1].get("ETag")
        session = self.login("A")
        if session is None:
            return Check(name, False, "the coordinator could not log in on A")
        approved = self.approve("A", session, publications)
        self.marks("approved")
        after = {e: self.get("B", f"/fi/entries/{e}/")[0] for e in entry_ids}
        catalogue = self.get("B", "/fi/entries/")
        words = [s.word for s in confirmed]
        searched = self.get("B", f"/fi/entries/?q={words[0]}")[2].decode("utf-8", "replace")
        seen = time.monotonic() - self.marks["approved"]
        with self.traffic.lock:
            self.traffic.public_ids.extend(entry_ids)
            self.traffic.search_words.extend(words)
        now_public = Publication.objects.filter(pk__in=publications, status="approved").count()
        connection.close()

        def in_open_data():
            status, _h, body = self.get("B", "/fi/open-data/entries.json")
            return status == 200 and all(r.encode() in body for r in references)

        open_data = self.wait_for(in_open_data, 60, step=1)
        held = (
            approved == 302
            and now_public == len(publications)
            and set(before.values()) == {404}
            and set(after.values()) == {200}
            and catalogue[1].get("ETag") != etag_before
            and all(s.word in catalogue[2].decode("utf-8", "replace") for s in confirmed)
            and words[0] in searched
            and open_data is not None
        )
        detail = (
            f"{len(publications)} approved on A (admin action {approved}); B's very next "
            f"answers showed it (checked in {seen:.1f} s): entry pages "
            f"{statuses_of(before)} → {statuses_of(after)}, "
            f"catalogue ETag {'changed' if catalogue[1].get('ETag') != etag_before else 'SAME'}, "
            f"listed and found by search {'yes' if words[0] in searched else 'NO'}; "
            + (
                f"in B's open data {open_data:.0f} s later (rebuilt 2 s after a change)"
                if open_data is not None
                else "NOT in B's open data within 60 s"
            )
        )
        return Check(name, held, detail)

    # -- 2. Limits across both servers --

    def lost_link(self, server, email, ip, csrf):
        answer, _reply, _page = self.traffic.post(
            server, "lost-link", LOST_LINK_PATH, {"email": email}, csrf, ip
        )
        return answer.status if answer else None

    def per_ip(self, label: str) -> tuple[list, str]:
        ip = self.traffic.address()
        csrf = None
        for _n in range(50):
            csrf = self.traffic.form("A", LOST_LINK_PATH, ip, kind="lost-link")
            if csrf:
                break
            time.sleep(0.2)
        codes = [self.lost_link("AB"[n % 2], f"nobody{n}@example.fi", ip, csrf) for n in range(12)]
        return (
            codes,
            f"{label}: 12 lost-link POSTs from one address alternately to A and B → {codes_text(codes)}",
        )

    def limits(self, label) -> list[Check]:
        from django.conf import settings

        self.wait_for(lambda: bool(self.traffic.acknowledged), 30, step=0.2)
        codes, detail = self.per_ip("one address")
        per_ip = Check(
            "the per-IP limit holds across both servers",
            codes == [302] * 10 + [429] * 2,
            detail + " (10 an hour allowed)",
        )
        with self.traffic.lock:
            target = next(iter(self.traffic.acknowledged.values())).email
        asked = []
        for n in range(6):
            ip = self.traffic.address()
            csrf = self.traffic.form("AB"[n % 2], LOST_LINK_PATH, ip, kind="lost-link")
            asked.append(self.lost_link("AB"[n % 2], target, ip, csrf) if csrf else None)
        self.results["per-address"] = (target, asked, settings.MAIL_LINKS_PER_ADDRESS_PER_DAY)
        return [per_ip]

    # -- 3. A job worker SIGKILLed --

    def kill_worker(self) -> Check:
        name = "a job worker SIGKILLed in the middle of sending, started again"
        if not self.args.kill_worker:
            return Check(name, None, "skipped (--quick): see the exactly-once check")
        worker = self.workers[0]
        recorder = self.smtp.recorder
        # The SMTP server holds every conversation at MAIL FROM, so that the workers'
        # jobs are all in the middle of sending when worker 1 is killed.
        recorder.held.clear()
        recorder.hold.clear()
        holding = self.wait_for(recorder.held.is_set, 15, step=0.1)
        time.sleep(1.5)
        self.marks("killed")
        worker.kill()
        recorder.hold.set()
        log(f"SIGKILLed job worker {worker.name} in the middle of sending")
        time.sleep(3)
        worker.start()
        self.marks("restarted")
        self.results["killed"] = worker
        return Check(
            name,
            holding is not None and worker.alive,
            f"worker {worker.name} killed while the SMTP server held its conversations, "
            "started again 3 s later; its jobs: in the exactly-once check",
        )

    # -- 4. Redis --

    def redis_outage(self) -> list[Check]:
        args = self.args
        log(f"stopping Redis for {args.redis_down:g} s")
        self.marks("redis stop")
        self.redis.stop()
        self.marks("redis stopped")
        codes, limit_detail = self.per_ip("while Redis is down")
        remaining = args.redis_down - (time.monotonic() - self.marks["redis stopped"])
        time.sleep(max(remaining, 0))
        self.marks("redis start")
        self.redis.start()
        self.marks("redis started")
        log("Redis started again")
        down = self.traffic.between(self.marks["redis stopped"], self.marks["redis start"])
        pages = [a for a in down if a.kind in PUBLIC_GETS]
        ready = [a for a in down if a.kind == "ready"]
        health = [a for a in down if a.kind == "health"]
        with self.traffic.lock:
            submitted = [
                s
                for s in self.traffic.acknowledged.values()
                if self.marks["redis stopped"] <= s.acknowledged_at <= self.marks["redis start"]
            ]
        failures = [a for a in down if a.status is None or (a.status >= 500 and a.kind != "ready")]
        outage = Check(
            f"Redis stopped {args.redis_down:g} s under load: nothing fails",
            bool(pages)
            and all(a.status == 200 for a in pages)
            and not failures
            and bool(submitted)
            and codes == [302] * 10 + [429] * 2
            and all(a.status == 503 for a in ready)
            and all(a.status == 200 for a in health),
            f"{len(down)} answers while down ({statuses(down)}): pages {statuses(pages)} from "
            f"the database, {len(submitted)} pledges acknowledged, failures {len(failures)}; "
            f"{limit_detail} (counted in PostgreSQL); /healthz {statuses(health)}, /readyz "
            f"{statuses(ready)} (says Redis is unavailable)",
        )

        def pages_in_redis():
            return bool(self.redis.client().keys("kotolupaus:*page:*"))

        refill = self.wait_for(pages_in_redis, 20, step=0.2)
        fallbacks = {}
        for server in self.servers:
            _status, found = self.scrape(server, self.metrics_token)
            fallbacks[server] = found.get(
                ("kotolupaus_cache_unavailable_total", (("cache", "default"),)), 0
            )
        back = Check(
            "after Redis is back the page cache fills again",
            refill is not None and all(fallbacks.values()),
            (
                f"pages kept in Redis again {refill:.1f} s after it started"
                if refill is not None
                else "no page in Redis within 20 s"
            )
            + "; answered from the processes' memory meanwhile: "
            + ", ".join(f"{s} {int(n)} cache operations" for s, n in fallbacks.items()),
        )
        return [outage, back]

    # -- 5. SMTP --

    def smtp_outage(self) -> Check:
        args = self.args
        name = "SMTP down: nothing visible, mail delivered after"
        if not args.smtp_down:
            return Check(name, None, "skipped (--quick)")
        log(f"stopping the SMTP server for {args.smtp_down:g} s")
        delivered = len(self.smtp.recorder.messages)
        self.marks("smtp stop")
        self.smtp.stop()
        time.sleep(args.smtp_down)
        self.smtp.start()
        self.marks("smtp started")
        down = self.traffic.between(self.marks["smtp stop"], self.marks["smtp started"])
        with self.traffic.lock:
            submitted = [
                s
                for s in self.traffic.acknowledged.values()
                if self.marks["smtp stop"] <= s.acknowledged_at <= self.marks["smtp started"]
            ]
        failures = [a for a in down if a.status is None or (a.status >= 500 and a.kind != "ready")]
        self.results["smtp"] = (submitted, delivered)
        return Check(
            name + f" ({args.smtp_down:g} s)",
            not failures and bool(submitted),
            f"{len(down)} answers while down ({statuses(down)}), failures {len(failures)}, "
            f"{len(submitted)} pledges acknowledged; their mails are in the exactly-once check",
        )

    # -- 6. PostgreSQL --

    def postgres_restart(self) -> Check:
        args = self.args
        pids = {name: server.worker_pids() for name, server in self.servers.items()}
        masters = {name: server.process.pid for name, server in self.servers.items()}
        log(f"stopping PostgreSQL (pg_ctl stop -m fast) for {args.postgres_down:g} s")
        self.marks("pg stop")
        self.postgres.stop()
        self.marks("pg stopped")
        time.sleep(args.postgres_down)
        self.marks("pg start")
        self.postgres.start()
        self.marks("pg started")
        log("PostgreSQL started again")

        def recovered(server):
            def answered():
                with self.traffic.lock:
                    return any(
                        a.server == server
                        and a.started >= self.marks["pg started"]
                        and a.kind in ("post", "confirm", "form")
                        and a.status is not None
                        and a.status < 400
                        for a in self.traffic.answers
                    )

            return answered

        took = {name: self.wait_for(recovered(name), 20, step=0.2) for name in self.servers}
        down = self.traffic.between(self.marks["pg stopped"], self.marks["pg start"])
        down = [a for a in down if a.kind not in ("health", "ready")]
        # A GET may be answered without the database (the page cache, a form from the
        # caches); everything else must be the polite 503.
        cached = [a for a in down if a.method == "GET" and a.status == 200]
        polite = [a for a in down if a.status == 503 and a.polite]
        other = [a for a in down if a not in cached and a not in polite]
        restarted = [
            n
            for n, s in self.servers.items()
            if s.process.poll() is not None or s.process.pid != masters[n]
        ]
        workers_alive = all(w.alive for w in self.workers)
        held = (
            bool(down)
            and not other
            and all(t is not None for t in took.values())
            and not restarted
            and workers_alive
        )
        kinds = Counter(a.kind for a in cached)
        detail = (
            f"{len(down)} answers while down: {len(polite)} polite 503 (Finnish page, "
            f"Retry-After), {len(cached)} GETs 200 without the database ("
            + (", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "none")
            + f"), other {statuses(other)}; recovered: "
            + ", ".join(
                f"{n} {'after ' + format(t, '.1f') + ' s' if t is not None else 'NOT within 20 s'}"
                for n, t in took.items()
            )
            + f"; gunicorn masters {'not ' if not restarted else ''}restarted "
            f"(workers {'unchanged' if {n: s.worker_pids() for n, s in self.servers.items()} == pids else 'replaced by gunicorn'}), "
            f"job workers {'alive and resuming (mail below)' if workers_alive else 'DEAD'}"
        )
        return Check(f"PostgreSQL restarted ({args.postgres_down:g} s down)", held, detail)

    # -- After the load --

    def drained(self) -> list[Check]:
        from django.db import connection
        from django.db.models import OuterRef, Subquery

        from kotolupaus.models import Message, MessageKind, MessageStatus
        from ops.fault_drill import database_answers
        from submissions.models import Entry

        traffic = self.traffic
        database_answers()

        def all_sent():
            try:
                return not Message.objects.filter(status=MessageStatus.QUEUED).exists()
            except Exception:  # the drill's own connection died with the restart
                return False
            finally:
                connection.close()

        drain = self.wait_for(all_sent, self.args.drain, step=1)
        # The confirmations of the last mails, then the rows as stored.
        self.wait_for(
            lambda: all(s.confirmed_at for s in list(traffic.acknowledged.values())),
            20,
            step=0.5,
        )
        rows = list(
            Entry.objects.filter(campaign=self.campaign).values_list(
                "submission_key", "number", "reference", "status", "lead_organisation__logo"
            )
        )
        messages = list(
            Message.objects.filter(kind=MessageKind.CONFIRM_ADDRESS)
            .annotate(
                key=Subquery(
                    Entry.objects.filter(pk=OuterRef("entry_id")).values("submission_key")[:1]
                )
            )
            .values_list("key", "status", "message_id")
        )
        target, asked, allowed = self.results["per-address"]
        links = list(
            Message.objects.filter(kind=MessageKind.MANAGEMENT_LINKS, recipient=target).values_list(
                "status", "message_id"
            )
        )
        failed = Message.objects.filter(status=MessageStatus.FAILED).count()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, count(*) FROM procrastinate_jobs "
                "WHERE task_name = 'send_message' GROUP BY status"
            )
            jobs = dict(cursor.fetchall())
        connection.close()

        stored = Counter(str(row[0]) for row in rows)
        acknowledged = set(traffic.acknowledged)
        lost = [k for k in acknowledged if not stored[k]]
        doubled = [k for k, n in stored.items() if n > 1]
        strangers = [k for k in stored if k not in traffic.posted]
        numbers = sorted(row[1] for row in rows if row[1] is not None)
        gap_free = numbers == list(range(1, len(numbers) + 1))
        references = [row[2] for row in rows if row[2]]
        unique = len(set(references)) == len(references)
        confirmed = sum(1 for s in traffic.acknowledged.values() if s.confirmed_at)
        across = sum(
            1
            for s in traffic.acknowledged.values()
            if s.confirmed_on and s.confirmed_on != s.server
        )
        stored_once = Check(
            "every acknowledged pledge stored once",
            bool(acknowledged)
            and not lost
            and not doubled
            and not strangers
            and gap_free
            and unique,
            f"{len(acknowledged)} acknowledged of {len(traffic.posted)} sent ({len(rows)} stored); "
            f"lost {len(lost)}, twice {len(doubled)}, unknown {len(strangers)}; "
            f"{confirmed} confirmed through the other server ({across} of them across), "
            f"references 1–{numbers[-1] if numbers else 0} gap-free {'yes' if gap_free else 'NO'}, "
            f"unique {'yes' if unique else 'NO'}",
        )

        per_entry = Counter(str(m[0]) for m in messages)
        delivered = Counter(m["Message-ID"] for m in self.smtp.recorder.messages)
        first_accepted = {}
        for message, accepted in zip(
            self.smtp.recorder.messages, self.smtp.recorder.accepted_at, strict=True
        ):
            first_accepted.setdefault(message["Message-ID"], accepted)
        # A worker sends a message inside the transaction that marks it sent: when
        # PostgreSQL stops after the SMTP server said 250 and before the commit, the
        # message is still queued and is sent again, with the same Message-ID (the
        # receiving side can tell). Those are counted apart; any other repeat fails.
        stopping = (self.marks["pg stop"] - 1, self.marks["pg started"])
        twice = [i for i, n in delivered.items() if n > 1]
        outage = [i for i in twice if stopping[0] <= first_accepted[i] <= stopping[1]]
        twice = [i for i in twice if i not in outage]
        missing = [m for m in messages if m[1] != MessageStatus.SENT or not delivered[m[2]]]
        one_each = all(per_entry[str(row[0])] == 1 for row in rows)
        killed = ""
        if self.args.kill_worker:
            again = sum(
                w.log_path.read_text(errors="replace").count("of a stalled worker runs again")
                for w in self.workers
                if w.log_path.exists()
            )
            killed = f", a job worker SIGKILLed mid-send ({again} of its jobs ran again)"
        once = Check(
            "every confirmation mail delivered once (twice only if PostgreSQL stopped mid-send)"
            + killed,
            bool(messages)
            and one_each
            and not twice
            and not missing
            and drain is not None
            and (not self.args.kill_worker or again > 0),
            f"{len(messages)} confirmation messages for {len(rows)} entries (one each "
            f"{'yes' if one_each else 'NO'}), delivered {len(messages) - len(missing)}, "
            f"not delivered {len(missing)}, twice {len(twice)} (and {len(outage)} twice with "
            "the same Message-ID: accepted by SMTP as PostgreSQL stopped, before the commit); "
            "queue drained "
            + (f"{drain:.0f} s after the load" if drain is not None else "NOT")
            + f"; failed messages {failed}; mail jobs left: {jobs or 'none'}",
        )

        smtp = self.results.get("smtp")
        delivered_after = ""
        if smtp:
            submitted, _before = smtp
            keys = {s.key for s in submitted}
            late = [m for m in messages if str(m[0]) in keys and m[1] != MessageStatus.SENT]
            delivered_after = f"; the {len(keys)} pledges sent while SMTP was down: {len(keys) - len(late)} mails delivered after"
            once.detail += delivered_after
            once.held = once.held and not late

        sent_links = sum(1 for status, _id in links if status == MessageStatus.SENT)
        in_smtp = sum(delivered[message_id] for _status, message_id in links)
        per_address = Check(
            "the per-address limit holds across both servers",
            all(code == 302 for code in asked) and sent_links == allowed and in_smtp == allowed,
            f"6 lost-link requests for one address from 6 addresses alternately to A and B → "
            f"{codes_text(asked)} (the same answer to all); links mailed {sent_links}, "
            f"delivered {in_smtp} ({allowed} a day allowed)",
        )
        return [stored_once, once, per_address]

    def metrics(self) -> Check:
        name = "metrics: not public; the workers' figures added up"
        public = {s: self.get(s, "/metrics")[0] for s in self.servers}
        forwarded = {
            s: self.get(s, "/metrics", {"X-Forwarded-For": "203.0.113.9"})[0] for s in self.servers
        }
        key = (
            "kotolupaus_http_request_duration_seconds_count",
            (("method", "GET"), ("status", "200"), ("view", "publishing:statistics")),
        )
        _status, before = self.scrape("A", self.metrics_token)
        # Four at a time, so that every gunicorn worker of A answers some of them.
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _n: self.get("A", "/fi/statistics/"), range(20)))
        status, after = self.scrape("A", self.metrics_token)
        counted = after.get(key, 0) - before.get(key, 0)
        folder = Path(self.servers["A"].env["PROMETHEUS_MULTIPROC_DIR"])
        writers = len(list(folder.glob("histogram_*.db")))
        families = {k[0] for k in after}
        expected = {
            "kotolupaus_http_request_duration_seconds_count",
            "kotolupaus_page_cache_requests_total",
            "kotolupaus_rate_limit_refusals_total",
            "kotolupaus_job_queue_depth",
            "kotolupaus_job_queue_oldest_due_seconds",
            "kotolupaus_messages",
            "kotolupaus_public_file_age_seconds",
        }
        held = (
            all(code != 200 for code in public.values())
            and all(code != 200 for code in forwarded.values())
            and status == 200
            and counted == 20
            and writers >= self.args.web_workers
            and expected <= families
        )
        refusals = sum(
            v for k, v in after.items() if k[0] == "kotolupaus_rate_limit_refusals_total"
        )
        return Check(
            name,
            held,
            f"/metrics without the token: {statuses_of(public)} (as any unknown address); "
            f"with the token {status}: 20 requests to A counted {counted:g}, added up from "
            f"the files of {writers} worker processes ({self.args.web_workers} running); "
            f"A counted {refusals:g} rate-limit refusals; "
            f"missing families {sorted(expected - families) or 'none'}",
        )

    def readiness(self) -> Check:
        answers = {s: self.get(s, "/readyz") for s in self.servers}
        states = {s: json.loads(a[2] or b"{}") for s, a in answers.items()}
        return Check(
            "/readyz at the end",
            all(a[0] == 200 for a in answers.values()),
            "; ".join(f"{s} {answers[s][0]} {states[s].get('checks', {})}" for s in self.servers),
        )

    def no_errors(self) -> Check:
        with self.traffic.lock:
            answers = list(self.traffic.answers)
            unexpected = dict(self.traffic.unexpected)
        errors = [a for a in answers if a.status == 500]
        traced = [a for a in answers if a.traceback]
        return Check(
            "no 500 and no traceback, ever",
            not errors and not traced and not unexpected,
            f"{len(answers)} answers: HTTP 500 {len(errors)}, tracebacks {len(traced)}, "
            f"unexpected answers {unexpected or 'none'}",
        )


def codes_text(codes) -> str:
    counts = []
    for code in codes:
        if counts and counts[-1][0] == code:
            counts[-1][1] += 1
        else:
            counts.append([code, 1])
    return " ".join(f"{c}×{n}" for c, n in counts)


def statuses_of(by_key: dict) -> str:
    return "/".join(str(v) for v in sorted(set(by_key.values()), key=str))


def main(argv=None) -> int:
    args = parse(argv)
    if binary() is None:
        print(
            "make fleet needs redis-server (Debian: apt-get install redis-server): "
            "NOT HELD, nothing was run"
        )
        return 1
    with stack.one_drill_at_a_time():
        fleet = Fleet(args)
        try:
            fleet.start()
            return fleet.run()
        finally:
            log("stopping every service of the drill")
            fleet.stop()


if __name__ == "__main__":
    sys.exit(main())
