"""The ministry's campaign report at scale (issue 26): `make bench-report`
(options: `make bench-report ARGS="--size 10000"`).

The benchmark's own database (`kotolupaus_bench_report`, on the server of DATABASE_URL)
is filled as `make bench` fills it (bench/dataset.py: bulk SQL, then the app's rebuild of
the public read model), and the report of its campaign is made in this process under
production settings: the figures (what the page shows), the XLSX and the tagged PDF, each
timed over a few runs. Target: the figures in under a second at 10,000 entries. Prints
a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import BASE_DIR, PYTHON, ensure_database, log, manage, production_environment

DATABASE = "kotolupaus_bench_report"
TARGET_SECONDS = 1.0
RUNS = 5

FILL = """
import sys, django
django.setup()
from bench import dataset
campaign = dataset.reset()
dataset.grow(campaign, int(sys.argv[1]))
"""

TIME = """
import sys, time, django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override
from bench import dataset
from publishing import campaign_report
from publishing.models import PublicEntry
from submissions.models import Campaign

campaign = Campaign.objects.get(slug=dataset.CAMPAIGN_SLUG)
runs = int(sys.argv[1])
print(f"published\\t{PublicEntry.objects.filter(campaign=campaign).count()}")


def best(make):
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        make()
        times.append(time.perf_counter() - start)
    return min(times), sorted(times)[len(times) // 2]


with override("fi"):
    with CaptureQueriesContext(connection) as queries:
        made = campaign_report.report(campaign)
    print(f"queries\\t{len(queries.captured_queries)}")
    for name, make in (
        ("figures", lambda: campaign_report.report(campaign)),
        ("xlsx", lambda: campaign_report.spreadsheet_rows(campaign_report.report(campaign))),
        ("pdf", lambda: campaign_report.pdf(campaign_report.report(campaign), "fi")),
    ):
        low, median = best(make)
        print(f"{name}\\t{low:.3f}\\t{median:.3f}")
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="published entries")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--keep", action="store_true", help="time the entries already there")
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL")
    if not server:
        raise SystemExit("DATABASE_URL names the PostgreSQL server to use")
    static_root = BASE_DIR / "var" / "bench" / "report-static"
    static_root.mkdir(parents=True, exist_ok=True)
    env = production_environment(ensure_database(server, DATABASE), static_root)
    log("migrating")
    manage(env, "migrate", "--no-input")
    if not args.keep:
        log(f"filling {args.size} entries")
        started = time.perf_counter()
        subprocess.run([PYTHON, "-c", FILL, str(args.size)], cwd=BASE_DIR, env=env, check=True)  # noqa: S603
        log(f"filled in {time.perf_counter() - started:.0f} s")
    log("timing the report")
    out = subprocess.run(  # noqa: S603 - our own code
        [PYTHON, "-c", TIME, str(args.runs)],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    rows = [line.split("\t") for line in out.splitlines() if "\t" in line]
    print(f"| campaign report, {args.size} entries | best (s) | median (s) | target |")
    print("|---|---|---|---|")
    for row in rows:
        if len(row) == 3:
            target = ""
            if row[0] == "figures":
                met = float(row[2]) < TARGET_SECONDS
                target = f"< {TARGET_SECONDS:g} s: {'met' if met else 'MISSED'}"
            print(f"| {row[0]} | {row[1]} | {row[2]} | {target} |")
        else:
            print(f"| {row[0]} | {row[1]} | | |")


if __name__ == "__main__":
    main()
