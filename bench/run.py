"""The load benchmark: `make bench` (options: `make bench ARGS="--sizes 2000 --duration 5"`).

1. A database of its own, `kotolupaus_bench`, on the server of DATABASE_URL (created
   when missing, migrated with manage.py under production settings).
2. For each size (10,000 then 100,000 published entries by default) the catalogue is
   grown with bulk SQL (bench/dataset.py), then gunicorn serves the app under production
   settings on 127.0.0.1 (bench/settings.py: the site plus a bare /bench/ceiling/ page),
   and each case is loaded with wrk (or Python threads) at each concurrency, sampling the
   workers' peak memory.
3. At the largest size, a submission surge: concurrent visitors load the form and send
   pledges; every acknowledged one must be exactly one entry, numbered without gaps.

Progress goes to stderr; one result table to stdout (and the query plans with
--explain). Targets are printed next to the figures, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

if __package__ in (None, ""):  # `python bench/run.py` as well as `python -m bench.run`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import (
    Gunicorn,
    JobWorker,
    ensure_database,
    log,
    manage,
    production_environment,
    workdir,
)

# Pages that load every template, tag library and translation the others need; the slow
# ones (search, open data) are left out: a warm-up of minutes would teach nothing.
WARM_UP = ["/bench/ceiling/", "/fi/", "/sv/", "/fi/entries/", "/sv/entries/"]
CASES = "ceiling,home,catalogue,filtered,search-fi,search-sv,entry,cached,open-data"
FILTER = "theme=leisure&kind=pledge"
SEARCH_FI = "kotoutumista"
SEARCH_SV = "språkcafé"
SEARCH_TARGET_MS = 50
SEARCH_TARGET_SIZE = 100_000
SEARCH_TARGET_CONCURRENCY = 8
CACHED_TARGET = 0.80
GUNICORN_DEFAULT_TIMEOUT = 30
# The surge runs twice: with an SMTP server that answers at once, and with one that takes
# this long per message. Only job workers talk to it, so the form must not notice.
SLOW_SMTP_SECONDS = 2.0


def parse(argv):
    def numbers(text):
        try:
            values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from error
        if not values or min(values) < 1:
            raise argparse.ArgumentTypeError(f"not a list of positive numbers: {text}")
        return values

    parser = argparse.ArgumentParser(prog="make bench ARGS=…", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=numbers, default=[10_000, 100_000], help="published entries (10000,100000)"
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds per case (10)")
    parser.add_argument(
        "--concurrency", type=numbers, default=[1, 8, 32], help="concurrent clients (1,8,32)"
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers (one per core)"
    )
    parser.add_argument(
        "--worker-timeout",
        type=int,
        default=600,
        help="gunicorn --timeout in seconds (600, so that a 100,000-entry export finishes)",
    )
    parser.add_argument(
        "--surge-seconds", type=float, default=15, help="submission surge (15; 0 skips it)"
    )
    parser.add_argument("--surge-clients", type=int, default=16, help="concurrent submitters (16)")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN ANALYZE the catalogue queries at the largest size",
    )
    parser.add_argument(
        "--python-client",
        action="store_true",
        help="use the Python load generator even if wrk is there",
    )
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument("--only", default="", help=f"comma-separated cases to run (all: {CASES})")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    args.sizes = sorted(set(args.sizes))
    args.concurrency = sorted(set(args.concurrency))
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        raise SystemExit(
            "DATABASE_URL is not set: run `make bench` (it starts the embedded PostgreSQL)"
        )
    began = time.monotonic()
    database_url = ensure_database(server_url)
    work = workdir()
    try:
        benchmark(args, database_url, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"done in {time.monotonic() - began:.0f} s")


def benchmark(args, database_url, work):
    env = production_environment(database_url, work / "static")
    log("migrating kotolupaus_bench (production settings)")
    manage(env, "migrate", "--noinput")
    log(f"collectstatic into {work / 'static'}")
    manage(env, "collectstatic", "--noinput")

    # This process works on the same database under the same settings (building data,
    # checking the surge, EXPLAIN); the app itself runs only in gunicorn.
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from bench import dataset, load

    wrk = None if args.python_client else load.find_wrk(install=not args.no_install)
    log(f"load generator: {wrk or 'Python threads'}")
    campaign = dataset.reset()
    rows = []
    surges = []
    for size in args.sizes:
        dataset.grow(campaign, size)
        connection.close()  # nothing of ours stays open while the server is measured
        server = Gunicorn(env, args.workers, work, args.worker_timeout)
        server.start()
        try:
            cases = build_cases(server, campaign)
            if args.only:
                wanted = {"ceiling", *args.only.split(",")}  # ratios need the ceiling
                cases = [case for case in cases if case.key in wanted]
            server.warm_up(WARM_UP + [case.paths[0] for case in cases if case.key == "entry"])
            rows += measure(server, wrk, cases, size, args)
            if size == args.sizes[-1] and args.surge_seconds > 0:
                surges = [
                    run_surge(server, env, work, campaign, args, delay)
                    for delay in (0.0, SLOW_SMTP_SECONDS)
                ]
        finally:
            server.stop()
    plans = explain(args.sizes[-1]) if args.explain else ""
    print(table(rows, surges, args))
    if plans:
        print(plans)


def run_surge(server, env, work, campaign, args, smtp_delay):
    """The submission surge with a job worker sending the confirmations to a local SMTP
    server that answers at once or only after `smtp_delay` seconds per message."""
    from bench import load, surge
    from tests.smtp import SMTPServer

    smtp = SMTPServer().start()
    smtp.recorder.delay = smtp_delay
    log(
        f"submission surge: {args.surge_clients} clients for {args.surge_seconds:g} s, "
        f"SMTP answering in {smtp_delay:g} s"
    )
    try:
        with JobWorker(env, smtp.url, work), load.MemorySampler(server.worker_pids) as memory:
            result = surge.run(
                server.port,
                campaign,
                args.surge_clients,
                args.surge_seconds,
                smtp_delay=smtp_delay,
                received=smtp.messages,
            )
    finally:
        smtp.stop()
    result.result.rss = memory.megabytes()
    log(
        f"surge: {result.acknowledged} acknowledged, {result.created} created, lost "
        f"{result.lost}, duplicated {result.duplicated}, {result.confirmations_sent} "
        f"confirmations sent meanwhile, {result.confirmed} confirmed"
    )
    return result


def build_cases(server, campaign) -> list:
    from bench.load import Case
    from publishing.queries import published

    ids = list(published().values_list("pk", flat=True))
    sample = random.Random(7).sample(ids, min(200, len(ids)))  # noqa: S311 - not security
    with urllib.request.urlopen(server.base_url + "/fi/entries/", timeout=300) as reply:  # noqa: S310 - loopback
        etag = reply.headers["ETag"]
    return [
        Case("ceiling", "ceiling /bench/ceiling/", ["/bench/ceiling/"]),
        Case("home", "home /fi/", ["/fi/"]),
        Case("catalogue", "catalogue /fi/entries/", ["/fi/entries/"]),
        Case("filtered", "catalogue ?theme=leisure&kind=pledge", [f"/fi/entries/?{FILTER}"]),
        Case(
            "search-fi",
            f"search ?q={SEARCH_FI}",
            [f"/fi/entries/?q={quote(SEARCH_FI)}"],
            unique=True,
            target="search",
        ),
        Case(
            "search-sv",
            f"search /sv/ ?q={SEARCH_SV}",
            [f"/sv/entries/?q={quote(SEARCH_SV)}"],
            unique=True,
            target="search",
        ),
        Case(
            "entry", f"entry page ({len(sample)} entries)", [f"/fi/entries/{pk}/" for pk in sample]
        ),
        Case(
            "cached",
            "catalogue, If-None-Match (304)",
            ["/fi/entries/"],
            headers={"If-None-Match": etag},
            expect=304,
            target="cached",
        ),
        Case(
            "open-data",
            "open data entries.json",
            ["/fi/open-data/entries.json"],
            python=True,
            concurrency=[1, 2],
        ),
    ]


def measure(server, wrk, cases, size, args) -> list:
    from bench import load

    rows = []
    alone = {}  # case → the latency of one request on an idle server
    for case in cases:
        levels = args.concurrency
        if case.concurrency:
            levels = [c for c in args.concurrency if c in case.concurrency] or [
                min(case.concurrency)
            ]
        for concurrency in levels:
            with load.MemorySampler(server.worker_pids) as memory:
                if wrk and not case.python:
                    result = load.run_wrk(wrk, server.base_url, case, concurrency, args.duration)
                else:
                    result = load.run_python(
                        server.base_url, case, concurrency, args.duration, at_least_one=case.python
                    )
            result.rss = memory.megabytes()
            settle(server, limit=max(30, 3 * args.duration))
            if result.requests == 0 and case.key not in alone:
                # Nothing finished within the run: time one request on an idle server.
                log(f"{case.name}: no response within {args.duration:g} s; timing one alone")
                single = load.run_python(server.base_url, case, 1, 0, at_least_one=True)
                alone[case.key] = single.p50 if single.requests else None
            result.alone_ms = alone.get(case.key) if result.requests == 0 else None
            rows.append((size, case, concurrency, result))
            log(
                f"{size:,} entries · {case.name} · {concurrency} clients: "
                f"{result.rate:.1f} req/s, p95 {result.p95:.1f} ms, statuses {result.statuses}"
                + (f", {result.errors} errors" if result.errors else "")
            )
    return rows


def active_queries(cancel: bool = False) -> int:
    """The app's queries still running in the benchmark database (cancelled on request)."""
    from django.db import connection

    action = "pg_cancel_backend(pid)" if cancel else "1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {action} FROM pg_stat_activity WHERE datname = current_database() "  # noqa: S608 - a constant
            "AND pid <> pg_backend_pid() AND state = 'active'"
        )
        return len(cursor.fetchall())


def settle(server, limit: float) -> None:
    """Let the server finish what a case left behind: a slow page keeps the workers busy
    with queued requests after the load generator has stopped. When that takes longer
    than `limit` seconds, gunicorn is restarted and the queries cancelled, so that every
    case starts on an idle server."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.idle() and not active_queries():
            return
    log(f"server still busy {limit:.0f} s after the case: restarting gunicorn")
    server.stop(quick=True)
    active_queries(cancel=True)
    server.start()
    server.warm_up(WARM_UP)


def _status(result, expect) -> str:
    if result.requests == 0:
        timeouts = f", {result.errors} timed out" if result.errors else ""
        alone = f"; one alone takes {result.alone_ms / 1000:.1f} s" if result.alone_ms else ""
        return f"none finished within the run{timeouts}{alone}"
    parts = [f"{code}×{n}" for code, n in sorted(result.statuses.items()) if code != expect]
    if result.errors:
        parts.append(f"{result.errors} errors")
    wrong = ", ".join(parts)
    return f"all {expect}" if not wrong else f"NOT {expect}: {wrong}"


def table(rows, surges, args) -> str:
    ceilings = {
        (size, concurrency): result.rate
        for size, case, concurrency, result in rows
        if case.key == "ceiling"
    }
    header = (
        "entries",
        "case",
        "clients",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "×ceiling",
        "worker peak RSS MB",
        "responses",
        "target (not asserted)",
    )
    lines = []
    for size, case, concurrency, result in rows:
        ceiling = ceilings.get((size, concurrency))
        ratio = result.rate / ceiling if ceiling else None
        notes = [_status(result, case.expect)]
        if case.python and result.requests:
            notes.append(f"{result.bytes / result.requests / 2**20:.1f} MB each")
            if result.p99 > GUNICORN_DEFAULT_TIMEOUT * 1000:
                notes.append(f"slower than gunicorn's default {GUNICORN_DEFAULT_TIMEOUT} s timeout")
        target = ""
        if case.target == "search":
            met = result.requests and not result.errors and result.p95 < SEARCH_TARGET_MS
            target = f"p95 < {SEARCH_TARGET_MS} ms: {'met' if met else 'MISSED'}"
            if (size, concurrency) != (SEARCH_TARGET_SIZE, SEARCH_TARGET_CONCURRENCY):
                target += (
                    f" (the target is for {SEARCH_TARGET_CONCURRENCY} clients at "
                    f"{SEARCH_TARGET_SIZE:,})"
                )
        elif case.target == "cached" and ratio is not None:
            met = ratio >= CACHED_TARGET
            target = f"≥ {CACHED_TARGET:.0%} of ceiling: {'met' if met else 'MISSED'}"
        lines.append(
            (
                f"{size:,}",
                case.name,
                str(concurrency),
                f"{result.rate:.1f}",
                *(
                    (f"{result.p50:.1f}", f"{result.p95:.1f}", f"{result.p99:.1f}")
                    if result.requests
                    else ("–", "–", "–")
                ),
                f"{ratio:.2f}" if ratio is not None else "",
                " / ".join(f"{mb:.0f}" for mb in result.rss),
                "; ".join(notes),
                target,
            )
        )
    fast_p95 = surges[0].result.p95 if surges else None
    for s in surges:
        ok = (
            s.lost == 0
            and s.duplicated == 0
            and s.created == s.acknowledged
            and s.one_confirmation_each
            and s.gap_free
            and s.references_unique
        )
        others = ", ".join(
            f"{code}×{n}" for code, n in sorted(s.result.statuses.items()) if code != 302
        )
        responses = (
            f"{s.acknowledged} acknowledged, {s.created} new entries; lost {s.lost}, "
            f"duplicated {s.duplicated}; one confirmation e-mail each "
            f"{'yes' if s.one_confirmation_each else 'NO'} ({s.confirmations_sent} sent "
            f"meanwhile); {s.confirmed} confirmed at once, numbers gap-free "
            f"{'yes' if s.gap_free else 'NO'}, references unique "
            f"{'yes' if s.references_unique else 'NO'}"
            + (f"; also {others}" if others else "")
            + (
                f"; stored unacknowledged {s.stored_unacknowledged}"
                if s.stored_unacknowledged
                else ""
            )
            + (f"; {s.result.errors} failed, e.g. {s.problems[0]}" if s.problems else "")
            + f"; form GET p95 {s.form_p95:.0f} ms"
        )
        target = f"zero lost or duplicated: {'met' if ok else 'MISSED'}"
        if s is not surges[0] and fast_p95:
            # The web never talks to SMTP: a slow server must not slow the form down.
            same = s.result.p95 <= fast_p95 * 1.25 + 10
            target += (
                f"; POST p95 {s.result.p95:.0f} vs {fast_p95:.0f} ms with a fast SMTP server: "
                f"{'met' if same else 'MISSED'}"
            )
        lines.append(
            (
                f"{args.sizes[-1]:,}",
                f"submission surge (POST), SMTP {s.smtp_delay:g} s per message",
                str(args.surge_clients),
                f"{s.result.rate:.1f}",
                f"{s.result.p50:.1f}",
                f"{s.result.p95:.1f}",
                f"{s.result.p99:.1f}",
                "",
                " / ".join(f"{mb:.0f}" for mb in s.result.rss),
                responses,
                target,
            )
        )
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 6, 7}

    def render(row):
        cells = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return " | ".join(cells).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    title = (
        f"Kotolupaus load benchmark: gunicorn {args.workers} workers, {os.cpu_count()} CPUs, "
        f"{args.duration:g} s per case; req/s and latency per case, ×ceiling = req/s ÷ the "
        "bare /bench/ceiling/ page at the same concurrency"
    )
    return "\n".join([title, "", render(header), rule, *(render(line) for line in lines)])


def explain(size) -> str:
    """EXPLAIN ANALYZE of the slowest queries of a plain and a search catalogue page, and
    every query each page runs with its time (in this process, same settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    out = [f"\nQuery plans at {size:,} entries"]
    client.get("/fi/entries/")  # warm caches (the search shares them): a steady state
    for label, path in [
        ("plain catalogue", "/fi/entries/"),
        (f"catalogue search '{SEARCH_FI}'", f"/fi/entries/?q={SEARCH_FI}"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        timings = [(float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries]
        out.append(
            f"\n== {label}: GET {path} → {response.status_code}, {len(timings)} queries, "
            f"{sum(t for t, _ in timings):.1f} ms in the database"
        )
        for ms, sql in timings:
            out.append(f"  {ms:8.1f} ms  {' '.join(sql.split())[:150]}")
        for ms, sql in sorted(timings, reverse=True)[:3]:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join("    " + row[0] for row in cursor.fetchall())
            out.append(f"\n  -- {ms:.1f} ms: {' '.join(sql.split())[:300]}\n{plan}")
    return "\n".join(out)


if __name__ == "__main__":
    main()
