"""The drills run in the suite, in their short variants, so that neither can rot: the
fleet drill (two web servers, one job worker, Redis stopped and started, PostgreSQL
restarted; ops/fleet.py) and the fault drill (PostgreSQL stopped under load;
ops/fault_drill.py). Each starts its own services (ops/stack.py) and prints its table;
every check must say it held."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ops.redis_server import binary

ROOT = Path(__file__).resolve().parent.parent


def run_drill(module, *args):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KOTOLUPAUS_", "TEST_", "REDIS_", "PROMETHEUS_"))
    }
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def table_rows(output: str) -> dict[str, str]:
    """{check: result} of a drill's table."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[1] in ("held", "NOT HELD", "skipped", "ok", "FAILED"):
            rows[cells[0]] = cells[1]
    return rows


@pytest.mark.skipif(
    binary() is None, reason="redis-server is not installed (Debian: apt-get install redis-server)"
)
def test_the_fleet_drill_holds():
    result = run_drill("ops.fleet", "--quick")

    rows = table_rows(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert rows == {
        "a public change through A is seen on B": "held",
        "the per-IP limit holds across both servers": "held",
        "a job worker SIGKILLed in the middle of sending, started again": "skipped",
        "Redis stopped 3 s under load: nothing fails": "held",
        "after Redis is back the page cache fills again": "held",
        "SMTP down: nothing visible, mail delivered after": "skipped",
        "PostgreSQL restarted (2 s down)": "held",
        "every acknowledged pledge stored once": "held",
        "every confirmation mail delivered once (twice only if PostgreSQL stopped mid-send)": "held",
        "the per-address limit holds across both servers": "held",
        "metrics: not public; the workers' figures added up": "held",
        "/readyz at the end": "held",
        "no 500 and no traceback, ever": "held",
    }


def test_the_fault_drill_holds():
    result = run_drill("ops.fault_drill", "--quick")

    rows = table_rows(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert rows == {
        "(a) polite 503 while the database is down": "ok",
        "(b) recovers by itself": "ok",
        "(c) acknowledged = stored once": "ok",
        "(d) stored logos are whole images": "ok",
        "drill itself worked": "ok",
    }


@pytest.mark.skipif(
    binary() is None, reason="redis-server is not installed (Debian: apt-get install redis-server)"
)
def test_the_abuse_check_sets_up_and_holds_a_check():
    """make abuse-check is not part of the suite (two minutes); one of its checks runs here
    so that its setup (the drills' PostgreSQL, two Redis servers, gunicorn, a job worker,
    an SMTP sink) cannot break unnoticed again."""
    result = run_drill("ops.abuse_check", "--only", "huge_range")

    rows = table_rows(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert rows == {"7 Range: bytes=999…(4,400 digits)-": "held"}
