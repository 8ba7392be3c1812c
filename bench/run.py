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

Progress goes to stderr; the result table to stdout and to var/bench/<date>.md, with the
machine it ran on; each row has its target and whether it was met (never asserted).

--compare REV1,REV2 runs the same cases against two git revisions, one after the other
in one run: each revision is checked out with `git worktree add` under var/bench/trees/
(`.` is this checkout as it is, uncommitted changes included), migrated and filled by
its own manage.py and bench/dataset.py in a database of its own, and served by its own
code; the load is this checkout's. It prints both tables and the ratio of each figure.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

if __package__ in (None, ""):  # `python bench/run.py` as well as `python -m bench.run`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import (
    BASE_DIR,
    BENCH_DATABASE,
    PYTHON,
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
CASES = (
    "ceiling,home,catalogue,catalogue-miss,filtered,search-fi,search-sv,entry,entry-miss,form,"
    "cached,open-data,surge"
)
FILTER = "theme=leisure&kind=pledge"
SEARCH_FI = "kotoutumista"
SEARCH_SV = "språkcafé"
FORM_PATH = "/fi/submit/pledge/"
GUNICORN_DEFAULT_TIMEOUT = 30
# The surge runs twice: with an SMTP server that answers at once, and with one that takes
# this long per message. Only job workers talk to it, so the form must not notice.
SLOW_SMTP_SECONDS = 2.0
REPORTS = BASE_DIR / "var" / "bench"

# What people search for: words of the benchmark's texts (bench/texts.py, publishing/
# demo.py), parts of compounds, a few misspelt, alone or with a place. Every request of a
# search case is a different query, so that nothing is answered from a cache.
SEARCH_WORDS = {
    "fi": [
        SEARCH_FI,
        "maahanmuuttajille",
        "harjoittelupaikkoja",
        "työharjoittelu",
        "kielikahvila",
        "mentorointi",
        "jalkapallokoulu",
        "kuoro",
        "uimakoulu",
        "läksykerho",
        "koodikerho",
        "saunailta",
        "luontoretki",
        "yrittäjyyskurssi",
        "työnhaku",
        "digineuvonta",
        "ikäihmiset",
        "naapurit",
        "vapaaehtoiset",
        "kotikunta",
        "pakolaisille",
        "kirjastossa",
        "tulkki",
        "harrastuksia",
        "lapsille",
        "nuorille",
        "naisille",
        "asukastupa",
        "pyöräilykurssi",
        "kokkauskerho",
        "kielikahvla",
        "maahanmuutajille",
        "harjoitelupaikkoja",
        "kotoutmista",
    ],
    "sv": [
        SEARCH_SV,
        "invandrare",
        "praktikplatser",
        "mentorskap",
        "nyanlända",
        "flyktingar",
        "fotbollsskolan",
        "kören",
        "simskolan",
        "läxklubben",
        "kodklubben",
        "bastukvällarna",
        "naturutflykterna",
        "företagarkursen",
        "jobbsökarträningen",
        "rådgivning",
        "seniorklubben",
        "grannarna",
        "frivilliga",
        "hemkommunen",
        "biblioteket",
        "tolk",
        "hobbyer",
        "barn",
        "unga",
        "kvinnor",
        "praktik",
        "invånarstugan",
        "cykelkurs",
        "matlagning",
        "invandarre",
        "språkkafe",
        "praktikplaster",
        "flyktigar",
    ],
}
PLACES = {
    "fi": [
        *("Helsinki", "Espoo", "Tampere", "Vantaa", "Oulu", "Turku", "Jyväskylä", "Lahti"),
        *("Kuopio", "Pori", "Joensuu", "Lappeenranta", "Hämeenlinna", "Vaasa", "Seinäjoki"),
        *("Rovaniemi", "Mikkeli", "Kotka", "Salo", "Porvoo"),
    ],
    "sv": [
        *("Helsingfors", "Esbo", "Tammerfors", "Vanda", "Uleåborg", "Åbo", "Jyväskylä"),
        *("Lahtis", "Kuopio", "Björneborg", "Joensuu", "Villmanstrand", "Tavastehus", "Vasa"),
        *("Seinäjoki", "Rovaniemi", "Kotka", "Salo", "Borgå", "Jakobstad"),
    ],
}


def search_queries(language: str) -> list[str]:
    """Distinct queries in a fixed order, the case's own word first."""
    words, places = SEARCH_WORDS[language], PLACES[language]
    queries = [*words[1:], *places, *(f"{w} {p}" for w in words for p in places)]
    random.Random(language).shuffle(queries)  # noqa: S311 - a fixed order, not security
    return [words[0], *queries]


# --- Targets (from the issue "Speed at 100,000 entries"), printed beside each row ---------


@dataclass(frozen=True)
class Target:
    text: str
    clients: int  # the concurrency the target is for
    met: object  # (result, ratio to the ceiling) -> bool

    def judge(self, result, ratio) -> str:
        if not result.requests:
            return f"{self.text}: MISSED"
        ok = bool(self.met(result, ratio)) and not result.errors
        return f"{self.text}: {'met' if ok else 'MISSED'}"


def p95_under(ms, clients):
    return Target(f"p95 < {ms:g} ms at {clients} clients", clients, lambda r, _x: r.p95 < ms)


def p50_at_most(ms, clients=1):
    return Target(
        f"p50 ≤ {ms:g} ms at {clients} client{'s' if clients > 1 else ''}",
        clients,
        lambda r, _x: r.p50 <= ms,
    )


def ceiling_share(share, clients=8):
    return Target(
        f"≥ {share:.0%} of the ceiling at {clients} clients",
        clients,
        lambda _r, ratio: ratio is not None and ratio >= share,
    )


SEARCH_TARGET = p95_under(50, 8)
# Pages from the page cache ("cached") must come near the ceiling; a page rendered anew
# ("miss": a new address every time, as a first visitor after a public change gets it)
# has its own per-request target.
TARGETS = {
    "home": [ceiling_share(0.80)],
    "catalogue": [ceiling_share(0.80)],
    "catalogue-miss": [p50_at_most(12)],
    "filtered": [SEARCH_TARGET],
    "search-fi": [SEARCH_TARGET],
    "search-sv": [SEARCH_TARGET],
    "entry": [ceiling_share(0.80)],
    "entry-miss": [p50_at_most(6)],
    "form": [p50_at_most(10)],
    "cached": [ceiling_share(0.80)],
    "open-data": [Target("p95 < 5 s at 1 client", 1, lambda r, _x: r.p95 < 5000)],
}
SURGE_GET_MS = 100
SURGE_POST_MS = 300


def parse(argv):
    def numbers(text):
        try:
            values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from error
        if not values or min(values) < 1:
            raise argparse.ArgumentTypeError(f"not a list of positive numbers: {text}")
        return values

    def revisions(text):
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 2 or not all(parts):
            raise argparse.ArgumentTypeError(f"two revisions, REV1,REV2: {text}")
        return parts

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
    parser.add_argument(
        "--compare",
        type=revisions,
        metavar="REV1,REV2",
        help="run the cases against two git revisions (`.` is this checkout) and print "
        "the ratio of each figure (no surge, no --explain)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    args.sizes = sorted(set(args.sizes))
    args.concurrency = sorted(set(args.concurrency))
    args.wanted = {"ceiling", *args.only.split(",")} if args.only else None
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        raise SystemExit(
            "DATABASE_URL is not set: run `make bench` (it starts the embedded PostgreSQL)"
        )
    began = time.monotonic()
    machine = Machine.now()
    work = workdir()
    try:
        if args.compare:
            report = compare(args, server_url, work)
        else:
            checkout = Checkout.here()
            run = measure_revision(args, checkout, ensure_database(server_url), work)
            report = run.tables(args) + (run.plans or "")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    machine.finish()
    print(report)
    saved = save(machine.describe(args) + "\n" + report)
    log(f"done in {time.monotonic() - began:.0f} s; the table is in {saved}")


# --- The machine and the report ------------------------------------------------------------


@dataclass
class Machine:
    load_before: tuple
    started: datetime
    load_after: tuple = ()

    @classmethod
    def now(cls):
        return cls(os.getloadavg(), datetime.now().astimezone())

    def finish(self):
        self.load_after = os.getloadavg()

    def describe(self, args) -> str:
        cpu = "unknown CPU"
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        memory = ""
        with contextlib.suppress(OSError, IndexError, ValueError):
            kilobytes = int(Path("/proc/meminfo").read_text().split()[1])
            memory = f", {kilobytes / 2**20:.0f} GB RAM"
        load = ", ".join(f"{x:.2f}" for x in self.load_before)
        after = ", ".join(f"{x:.2f}" for x in self.load_after)
        return "\n".join(
            [
                f"# Kotolupaus benchmark, {self.started:%Y-%m-%d %H:%M %Z}",
                "",
                f"- machine: {platform.node()}, {cpu}, {os.cpu_count()} CPUs{memory}, "
                f"{platform.system()} {platform.release()}",
                f"- load average (1, 5, 15 min) before: {load}; after: {after} "
                "(other work on the machine shares its CPUs)",
                f"- Python {platform.python_version()}, {postgres_version()}",
                f"- revision: {Checkout.here().describe()}",
                f'- command: make bench ARGS="{" ".join(sys.argv[1:])}"',
                "",
            ]
        )


def postgres_version() -> str:
    import psycopg

    try:
        with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        version = "(version unknown)"
    return f"PostgreSQL {version}"


def save(text: str) -> Path:
    """var/bench/<date>.md (-2, -3 … for later runs that day); var/bench/latest.md links it."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    day = datetime.now().strftime("%Y-%m-%d")
    path = REPORTS / f"{day}.md"
    number = 2
    while path.exists():
        path = REPORTS / f"{day}-{number}.md"
        number += 1
    path.write_text(text + "\n")
    latest = REPORTS / "latest.md"
    latest.unlink(missing_ok=True)
    latest.symlink_to(path.name)
    return path


def render(header, lines, numeric=frozenset()) -> str:
    """A Markdown table, its columns aligned for reading as text too."""
    cells = [[cell.replace("|", "\\|") for cell in row] for row in [header, *lines]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def row(values):
        return (
            "| "
            + " | ".join(
                v.rjust(w) if i in numeric else v.ljust(w)
                for i, (v, w) in enumerate(zip(values, widths, strict=True))
            )
            + " |"
        )

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if i in numeric else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([row(cells[0]), rule, *(row(line) for line in cells[1:])])


# --- One revision --------------------------------------------------------------------------


@dataclass
class Checkout:
    """The code that is measured: this checkout, or another revision's worktree."""

    spec: str
    path: Path
    python: str
    revision: str  # a commit, "+ changes" when the working tree has any

    @classmethod
    def here(cls):
        return cls(".", BASE_DIR, PYTHON, describe_revision(BASE_DIR))

    def describe(self) -> str:
        return self.revision

    @property
    def database(self) -> str:
        if self.path == BASE_DIR:
            return BENCH_DATABASE
        return f"{BENCH_DATABASE}_{self.revision[:12]}"

    def environment(self, database_url: str, static_root: Path) -> dict[str, str]:
        env = production_environment(database_url, static_root)
        env["PYTHONPATH"] = str(self.path)  # before the editable install of this checkout
        if self.path != BASE_DIR:
            # The editable install's finder answers for a module the other revision lacks
            # (publishing.templatetags.x) with this checkout's: a sitecustomize drops it.
            env["PYTHONPATH"] = os.pathsep.join([str(without_editable_finder()), str(self.path)])
        return env

    def python_code(self, env, code: str, *args: str) -> str:
        """Run Python in this revision (its code, its Django) and return what it printed."""
        result = subprocess.run(  # noqa: S603 - our own code
            [self.python, "-c", code, *args],
            cwd=self.path,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"{self.spec}: Python in {self.path} failed ({result.returncode})")
        return result.stdout


GIT = shutil.which("git") or "git"


def git(*args: str, cwd: Path = BASE_DIR, check: bool = False) -> str:
    return subprocess.run(  # noqa: S603 - git of this repository
        [GIT, *args], cwd=cwd, capture_output=True, text=True, check=check
    ).stdout.strip()


def describe_revision(path: Path) -> str:
    def git_here(*args):
        return git(*args, cwd=path)

    commit = git_here("rev-parse", "--short=12", "HEAD") or "unknown"
    changed = git_here("status", "--porcelain", "--untracked-files=no")
    subject = git_here("log", "-1", "--format=%s")[:60]
    return f"{commit}{' + uncommitted changes' if changed else ''} ({subject})"


# Run by each revision's own Python: its bench/dataset.py fills its database.
GROW = """
import sys, django
django.setup()
from bench import dataset
from submissions.models import Campaign
size, fresh = int(sys.argv[1]), sys.argv[2] == "reset"
campaign = dataset.reset() if fresh else Campaign.objects.get(slug=dataset.CAMPAIGN_SLUG)
dataset.grow(campaign, size)
"""
# … and names 200 published entries, by its own definition of "published".
SAMPLE = """
import json, random, django
django.setup()
try:
    from publishing.queries import published
    entries = published()
except ImportError:  # before the lifecycle refactor
    from submissions.models import Entry
    entries = Entry.objects.published()
ids = list(entries.values_list("pk", flat=True))
print(json.dumps(random.Random(7).sample(ids, min(200, len(ids)))))
"""


# … and builds its open-data files, the way the job does, when it has them (timed).
BUILD_FILES = """
import django
django.setup()
from django.core.management import call_command
call_command("build_public_files", "--open-data")
"""
OPEN_DATA_TARGET_SECONDS = 10


@dataclass
class Run:
    checkout: Checkout
    rows: list = field(default_factory=list)  # (size, case, clients, Result)
    surges: list = field(default_factory=list)
    plans: str = ""
    builds: list = field(default_factory=list)  # (size, what build_public_files said)

    def tables(self, args) -> str:
        header, lines = table(self.rows, self.surges, args)
        title = (
            f"## {self.checkout.describe()}\n\ngunicorn {args.workers} workers, "
            f"{os.cpu_count()} CPUs, {args.duration:g} s per case; ×ceiling = req/s ÷ the "
            "bare /bench/ceiling/ page at the same concurrency; targets from the issue "
            '"Speed at 100,000 entries" (printed, never asserted)'
        )
        builds = []
        for size, said, seconds in self.builds:
            verdict = "met" if seconds < OPEN_DATA_TARGET_SECONDS else "MISSED"
            said = said.removeprefix("Open data: ").rstrip(".")
            builds.append(
                f"- open-data files built (`manage.py build_public_files --open-data`) at "
                f"{size:,} entries: {said}; target under {OPEN_DATA_TARGET_SECONDS} s: {verdict}\n"
            )
        return f"{title}\n\n{render(header, lines, NUMERIC)}\n" + (
            "\n" + "".join(builds) if builds else ""
        )


def measure_revision(args, checkout: Checkout, database_url: str, work: Path) -> Run:
    """Migrate, fill and serve one revision, and load every case at every size."""
    static = work / f"static-{checkout.revision[:12]}"
    env = checkout.environment(database_url, static)
    where = {"base_dir": checkout.path, "python": checkout.python}
    log(f"{checkout.spec}: migrating {checkout.database} (production settings)")
    manage(env, "migrate", "--noinput", **where)
    log(f"{checkout.spec}: collectstatic into {static}")
    manage(env, "collectstatic", "--noinput", **where)
    from bench import load

    wrk = None if args.python_client else load.find_wrk(install=not args.no_install)
    log(f"load generator: {wrk or 'Python threads'}")
    run = Run(checkout)
    in_process = checkout.path == BASE_DIR and not args.compare
    for number, size in enumerate(args.sizes):
        checkout.python_code(env, GROW, str(size), "reset" if number == 0 else "keep")
        open_data = args.wanted is None or "open-data" in args.wanted
        if open_data and (checkout.path / "publishing" / "public_files.py").exists():
            # Served as a prebuilt file: built here as the job would, before the load.
            began = time.monotonic()
            said = checkout.python_code(env, BUILD_FILES).strip()
            took = time.monotonic() - began
            log(f"{said} ({took:.1f} s with starting Django)")
            seconds = float(re.search(r"in ([0-9.]+) s", said).group(1))
            run.builds.append((size, said, seconds))
        sample = json.loads(checkout.python_code(env, SAMPLE))
        server = Gunicorn(env, args.workers, work, args.worker_timeout, **where)
        server.start()
        try:
            cases = build_cases(server, sample)
            if args.wanted:
                cases = [case for case in cases if case.key in args.wanted]
            server.warm_up(WARM_UP + [case.paths[0] for case in cases if case.key == "entry"])
            run.rows += measure(server, wrk, cases, size, args)
            surge_wanted = args.wanted is None or "surge" in args.wanted
            if in_process and size == args.sizes[-1] and args.surge_seconds > 0 and surge_wanted:
                campaign = setup_django(env)
                run.surges = [
                    run_surge(server, env, work, campaign, args, delay)
                    for delay in (0.0, SLOW_SMTP_SECONDS)
                ]
        finally:
            server.stop()
    if in_process and args.explain:
        setup_django(env)
        run.plans = explain(args.sizes[-1])
    return run


def setup_django(env):
    """This process on the benchmark database under the same settings (the surge checks
    what it stored; --explain runs the catalogue's queries)."""
    os.environ.update(env)
    import django

    django.setup()
    from bench import dataset
    from submissions.models import Campaign

    return Campaign.objects.get(slug=dataset.CAMPAIGN_SLUG)


# --- Two revisions -------------------------------------------------------------------------

TREES = REPORTS / "trees"
VENVS = REPORTS / "venvs"


def dependencies(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    return sorted(
        [*project.get("dependencies", []), *project.get("optional-dependencies", {}).get("dev", [])]
    )


SITE = REPORTS / "site"


def without_editable_finder() -> Path:
    """A directory whose sitecustomize.py removes this checkout's editable-install finder
    from the import system, so that another revision imports only its own modules."""
    SITE.mkdir(parents=True, exist_ok=True)
    (SITE / "sitecustomize.py").write_text(
        "import sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path\n"
        "    if '__editable__' not in getattr(f, '__module__', '')\n"
        "    and '__editable__' not in type(f).__module__]\n"
    )
    return SITE


def checkout_of(spec: str) -> Checkout:
    """A worktree of the revision under var/bench/trees/ and a Python with its
    dependencies: this checkout's venv when they are the same, else a venv of its own."""
    if spec == ".":
        return Checkout.here()
    commit = git("rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if not commit:
        raise SystemExit(f"--compare: no such revision: {spec}")
    tree = TREES / commit[:12]
    if not (tree / "manage.py").exists():
        TREES.mkdir(parents=True, exist_ok=True)
        log(f"{spec}: git worktree add {tree.relative_to(BASE_DIR)} {commit[:12]}")
        git("worktree", "add", "--detach", "--force", str(tree), commit, check=True)
    wanted = dependencies(tree / "pyproject.toml")
    python = PYTHON
    if wanted != dependencies(BASE_DIR / "pyproject.toml"):
        venv = VENVS / hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:12]
        python = str(venv / "bin" / "python")
        if not Path(python).exists():
            log(f"{spec}: other dependencies, installing them into {venv.relative_to(BASE_DIR)}")
            base = getattr(sys, "_base_executable", sys.executable)
            subprocess.run([base, "-m", "venv", str(venv)], check=True)  # noqa: S603
            subprocess.run(  # noqa: S603
                [python, "-m", "pip", "install", "--quiet", *wanted], check=True
            )
    subject = git("log", "-1", "--format=%s", commit)[:60]
    return Checkout(spec, tree, python, f"{commit[:12]} ({subject})")


def remove_worktree(checkout: Checkout) -> None:
    if checkout.path != BASE_DIR:
        git("worktree", "remove", "--force", str(checkout.path))


def compare(args, server_url: str, work: Path) -> str:
    checkouts = [checkout_of(spec) for spec in args.compare]
    runs = []
    try:
        for checkout in checkouts:
            database_url = ensure_database(server_url, checkout.database)
            runs.append(measure_revision(args, checkout, database_url, work))
    finally:
        for checkout in checkouts:
            remove_worktree(checkout)
    first, second = runs
    before = {(s, c.key, n): r for s, c, n, r in first.rows}
    header = (
        "entries",
        "case",
        "clients",
        "req/s 1",
        "req/s 2",
        "req/s 2÷1",
        "p50 ms 1",
        "p50 ms 2",
        "p95 ms 1",
        "p95 ms 2",
        "p95 2÷1",
    )
    lines = []
    for size, case, clients, after in second.rows:
        old = before.get((size, case.key, clients))
        if old is None:
            continue

        def ratio(a, b):
            return f"{b / a:.2f}" if a and b == b and a == a else "–"  # NaN-safe

        def ms(result, value):
            return f"{value:.1f}" if result.requests else "–"

        lines.append(
            (
                f"{size:,}",
                case.name,
                str(clients),
                f"{old.rate:.1f}",
                f"{after.rate:.1f}",
                ratio(old.rate, after.rate),
                ms(old, old.p50),
                ms(after, after.p50),
                ms(old, old.p95),
                ms(after, after.p95),
                ratio(old.p95, after.p95) if old.requests and after.requests else "–",
            )
        )
    comparison = (
        f"## Comparison: 1 = {first.checkout.describe()}, 2 = {second.checkout.describe()}\n\n"
        "The same cases and load against each revision's own code and data (built by its "
        "own bench/dataset.py); req/s 2÷1 above 1 and p95 2÷1 below 1 are better.\n\n"
        + render(header, lines, {2, 3, 4, 5, 6, 7, 8, 9, 10})
        + "\n"
    )
    return "\n".join([comparison, first.tables(args), second.tables(args)])


# --- Cases and measuring -------------------------------------------------------------------


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


def build_cases(server, sample: list[int]) -> list:
    from bench.load import Case

    with urllib.request.urlopen(server.base_url + "/fi/entries/", timeout=300) as reply:  # noqa: S310 - loopback
        etag = reply.headers["ETag"]
    searches = {language: search_queries(language) for language in SEARCH_WORDS}
    return [
        Case("ceiling", "ceiling /bench/ceiling/", ["/bench/ceiling/"]),
        # The page cache answers these after the first request (warmed before the case).
        Case("home", "home /fi/ (cached)", ["/fi/"], warm=True),
        Case("catalogue", "catalogue /fi/entries/ (cached)", ["/fi/entries/"], warm=True),
        # A different address each time (&n=…): never in the page cache, always rendered.
        Case(
            "catalogue-miss",
            "catalogue /fi/entries/?n=… (miss)",
            ["/fi/entries/"],
            unique=True,
        ),
        Case(
            "filtered", f"catalogue ?{FILTER}&n=… (miss)", [f"/fi/entries/?{FILTER}"], unique=True
        ),
        Case(
            "search-fi",
            f"search /fi/, {len(searches['fi']):,} distinct queries "
            f"({SEARCH_FI}, kuoro Tampere, …)",
            [f"/fi/entries/?q={quote(q)}" for q in searches["fi"]],
            unique=True,
        ),
        Case(
            "search-sv",
            f"search /sv/, {len(searches['sv']):,} distinct queries ({SEARCH_SV}, kören Vasa, …)",
            [f"/sv/entries/?q={quote(q)}" for q in searches["sv"]],
            unique=True,
        ),
        Case(
            "entry",
            f"entry page, {len(sample)} entries (cached)",
            [f"/fi/entries/{pk}/" for pk in sample],
            warm=True,
        ),
        Case(
            "entry-miss",
            f"entry page, {len(sample)} entries, ?n=… (miss)",
            [f"/fi/entries/{pk}/" for pk in sample],
            unique=True,
        ),
        Case("form", f"pledge form {FORM_PATH} (never cached)", [FORM_PATH]),
        Case(
            "cached",
            "catalogue, If-None-Match (304)",
            ["/fi/entries/"],
            headers={"If-None-Match": etag} if etag else {},
            expect=304,
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
            if case.warm:  # each page in each worker's page cache (misses evict others)
                server.warm_up(case.paths, seconds=5, rounds=5)
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


def active_queries(server, cancel: bool = False) -> int:
    """The app's queries still running in the benchmark database (cancelled on request)."""
    import psycopg

    action = "pg_cancel_backend(pid)" if cancel else "1"
    with psycopg.connect(server.env["DATABASE_URL"], autocommit=True) as connection:
        return len(
            connection.execute(
                f"SELECT {action} FROM pg_stat_activity WHERE datname = current_database() "  # noqa: S608 - a constant
                "AND pid <> pg_backend_pid() AND state = 'active'"
            ).fetchall()
        )


def settle(server, limit: float) -> None:
    """Let the server finish what a case left behind: a slow page keeps the workers busy
    with queued requests after the load generator has stopped. When that takes longer
    than `limit` seconds, gunicorn is restarted and the queries cancelled, so that every
    case starts on an idle server."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.idle() and not active_queries(server):
            return
    log(f"server still busy {limit:.0f} s after the case: restarting gunicorn")
    server.stop(quick=True)
    active_queries(server, cancel=True)
    server.start()
    server.warm_up(WARM_UP)


# --- The table -----------------------------------------------------------------------------

HEADER = (
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
    "target: met or MISSED",
)
NUMERIC = frozenset({2, 3, 4, 5, 6, 7})


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


def targets_of(case_key, concurrency, result, ratio) -> str:
    if case_key == "ceiling":
        return "the reference for ×ceiling"
    targets = TARGETS.get(case_key, [])
    here = [t.judge(result, ratio) for t in targets if t.clients == concurrency]
    if here:
        return "; ".join(here)
    elsewhere = sorted({t.clients for t in targets})
    return f"(targets at {', '.join(map(str, elsewhere))} clients)" if elsewhere else ""


def table(rows, surges, args):
    ceilings = {
        (size, concurrency): result.rate
        for size, case, concurrency, result in rows
        if case.key == "ceiling"
    }
    lines = []
    for size, case, concurrency, result in rows:
        ceiling = ceilings.get((size, concurrency))
        ratio = result.rate / ceiling if ceiling else None
        notes = [_status(result, case.expect)]
        if case.python and result.requests:
            notes.append(f"{result.bytes / result.requests / 2**20:.1f} MB each")
            if result.p99 > GUNICORN_DEFAULT_TIMEOUT * 1000:
                notes.append(f"slower than gunicorn's default {GUNICORN_DEFAULT_TIMEOUT} s timeout")
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
                targets_of(case.key, concurrency, result, ratio),
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
        targets = [
            f"zero lost or duplicated: {'met' if ok else 'MISSED'}",
            f"form GET p95 ≤ {SURGE_GET_MS} ms: "
            + ("met" if s.form_p95 <= SURGE_GET_MS else "MISSED"),
            f"POST p95 ≤ {SURGE_POST_MS} ms: "
            + ("met" if s.result.p95 <= SURGE_POST_MS else "MISSED"),
        ]
        if s is not surges[0] and fast_p95:
            # The web never talks to SMTP: a slow server must not slow the form down.
            same = s.result.p95 <= fast_p95 * 1.25 + 10
            targets.append(
                f"POST p95 {s.result.p95:.0f} vs {fast_p95:.0f} ms with a fast SMTP server: "
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
                "; ".join(targets),
            )
        )
    return HEADER, lines


def explain(size) -> str:
    """EXPLAIN ANALYZE of the slowest queries of a plain and a search catalogue page, and
    every query each page runs with its time (in this process, same settings)."""
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    out = [f"\n## Query plans at {size:,} entries\n"]
    client.get("/fi/entries/")  # warm caches (the search shares them): a steady state
    for label, path in [
        ("plain catalogue", "/fi/entries/"),
        ("filtered catalogue", f"/fi/entries/?{FILTER}"),
        (f"catalogue search '{SEARCH_FI}'", f"/fi/entries/?q={SEARCH_FI}"),
        (f"catalogue search '{SEARCH_SV}'", f"/sv/entries/?q={quote(SEARCH_SV)}"),
        ("catalogue search 'kuoro Tampere'", "/fi/entries/?q=kuoro+Tampere"),
        ("catalogue search 'invandarre' (a typo)", "/sv/entries/?q=invandarre"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        timings = [(float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries]
        out.append(
            f"\n### {label}: GET {path} → {response.status_code}, {len(timings)} queries, "
            f"{sum(t for t, _ in timings):.1f} ms in the database\n\n```"
        )
        for ms, sql in timings:
            out.append(f"  {ms:8.1f} ms  {' '.join(sql.split())[:150]}")
        # A SET LOCAL before a query (the search's planner settings) applies to its plan.
        settings = {
            index + 1: sql
            for index, (_ms, sql) in enumerate(timings)
            if sql.upper().startswith("SET LOCAL")
        }
        slowest = sorted(range(len(timings)), key=lambda i: timings[i][0], reverse=True)[:2]
        for index in slowest:
            ms, sql = timings[index]
            if not re.match(r"\s*(SELECT|WITH)", sql, re.IGNORECASE):
                continue
            with transaction.atomic(), connection.cursor() as cursor:
                if index in settings:
                    cursor.execute(settings[index])
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join("    " + row[0] for row in cursor.fetchall())
            out.append(f"\n  -- {ms:.1f} ms: {' '.join(sql.split())[:300]}\n{plan}")
        out.append("```")
    return "\n".join(out)


if __name__ == "__main__":
    main()
