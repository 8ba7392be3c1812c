"""The benchmark's database and app server: a database of its own on the same PostgreSQL
as DATABASE_URL, production settings in the environment, and gunicorn on loopback."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DATABASE = "kotolupaus_bench"
HOST = "127.0.0.1"


STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[bench +{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    """The same server URL with another database name (query, e.g. ?host=socket, kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def ensure_database(server_url: str, name: str = BENCH_DATABASE) -> str:
    """Create the benchmark database when missing; return its URL."""
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            log(f"creating database {name}")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(server_url, name)


def production_environment(database_url: str, static_root: Path) -> dict[str, str]:
    """What the app server gets: production settings, plain http on loopback only."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "KOTOLUPAUS_ENV": "production",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": "https://kotolupaus.example",
            "DATABASE_URL": database_url,
            "EMAIL_URL": "consolemail://",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            # Plain http on loopback only: production insists on this override for it.
            "INSECURE_COOKIES_WITHOUT_HTTPS": "true",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(static_root.parent / "media"),
            "RATELIMIT_POST_RATE": "1000000/h",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    # A shared cache would be the production setup with several servers; one server
    # with per-process caches is what this benchmark measures.
    env.pop("REDIS_URL", None)
    return env


def manage(
    env: dict[str, str],
    *args: str,
    quiet: bool = True,
    base_dir: Path = BASE_DIR,
    python: str = PYTHON,
) -> None:
    """manage.py of the checkout at `base_dir` (another revision's with --compare)."""
    command = [python, str(base_dir / "manage.py"), *args]
    result = subprocess.run(  # noqa: S603 - our own manage.py
        command, cwd=base_dir, env=env, capture_output=quiet, text=True, check=False
    )
    if result.returncode:
        if quiet:
            sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode})")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving bench.settings (the site plus /bench/ceiling/) on 127.0.0.1."""

    ready_path = "/bench/ceiling/"  # answered once the workers are up

    def __init__(
        self,
        env: dict[str, str],
        workers: int,
        workdir: Path,
        timeout: int,
        *,
        base_dir: Path = BASE_DIR,
        python: str = PYTHON,
    ):
        self.env = env
        self.base_dir = base_dir  # the checkout served (another revision's with --compare)
        self.python = python
        self.workers = workers
        self.timeout = timeout
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        gunicorn = shutil.which("gunicorn", path=str(Path(self.python).parent)) or "gunicorn"
        return [
            gunicorn,
            "kotolupaus.wsgi",
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--timeout",
            str(self.timeout),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]

    def start(self) -> None:
        self.launch()
        self.wait_until_ready()

    def launch(self) -> None:
        command = self.command()
        log(f"starting gunicorn: {self.workers} workers on {self.base_url}")
        self.log_file = self.log_path.open("a")
        self.process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn
            command,
            cwd=self.base_dir,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=5) as reply:  # noqa: S310 - loopback
                    if reply.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer in 60 s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The current workers (gunicorn replaces one that dies or times out)."""
        if self.process is None:
            return []
        import psutil

        try:
            return sorted(child.pid for child in psutil.Process(self.process.pid).children())
        except psutil.NoSuchProcess:
            return []

    def warm_up(self, paths: list[str], seconds: float = 20, rounds: int = 2) -> None:
        """Every worker imports, connects and fills its caches before anything is timed
        (`rounds` requests per page and worker, at most about `seconds` on one page)."""
        for path in paths:
            deadline = time.monotonic() + seconds
            for _round in range(self.workers * rounds):
                try:
                    with urllib.request.urlopen(self.base_url + path, timeout=600) as reply:  # noqa: S310 - loopback
                        reply.read()
                except urllib.error.URLError as error:
                    raise SystemExit(f"warm-up {path}: {error}\n{self.log_tail()}") from error
                if time.monotonic() > deadline:
                    break

    def cpu_seconds(self) -> float:
        import psutil

        total = 0.0
        for pid in self.worker_pids():
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def idle(self, window: float = 0.5) -> bool:
        """No worker used more than 5 % of a core during `window` seconds."""
        before = self.cpu_seconds()
        time.sleep(window)
        return self.cpu_seconds() - before < 0.05 * window * self.workers

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, quick: bool = False) -> None:
        """SIGTERM: gunicorn's graceful stop; quick: SIGINT, requests in progress dropped."""
        if self.process is None or self.process.poll() is not None:
            return
        pids = self.worker_pids()
        self.process.send_signal(signal.SIGINT if quick else signal.SIGTERM)
        try:
            self.process.wait(timeout=10 if quick else 40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pid in pids:  # a worker stuck in a long request can outlive a killed master
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.log_file.close()


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="kotolupaus-bench-"))


class JobWorker:
    """One procrastinate worker under the same production settings, sending e-mail to
    `email_url` (the benchmark's own SMTP server)."""

    def __init__(self, env: dict[str, str], email_url: str, workdir: Path):
        self.env = {**env, "EMAIL_URL": email_url}
        self.log_path = workdir / "worker.log"
        self.process = None

    def __enter__(self):
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [PYTHON, str(BASE_DIR / "manage.py"), "worker", "--concurrency", "1"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log_file.close()
