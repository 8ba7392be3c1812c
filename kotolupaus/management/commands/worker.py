"""`manage.py worker`: a job worker that outlives database outages.

It runs procrastinate's own worker (`manage.py procrastinate worker` does the same work)
and starts it again whenever it stops without being asked to. procrastinate stops its
worker as soon as one of its side tasks fails — the heartbeat, the listener, the
periodic deferrer — which is what a restart of PostgreSQL, a failover or a dropped
connection does, and the process then exits with status 0, so a supervisor that restarts
only failed services would leave no worker at all. Here the worker is started again in
the same process, with a fresh connection pool, after 1, 2, 4 … up to 30 seconds, until
the database answers; SIGTERM or SIGINT stop it as procrastinate's do (the jobs running
finish first).
"""

import asyncio
import contextlib
import logging
import signal
import time

from django.core.management.base import BaseCommand

log = logging.getLogger(__name__)

LONGEST_WAIT = 30.0
# A run this long was not a crash loop: the next failure waits from 1 s again.
STEADY_SECONDS = 60.0


class Command(BaseCommand):
    help = "Run a job worker that starts procrastinate's worker again after a database outage."

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency", type=int, default=1, help="jobs run at the same time (1)"
        )
        parser.add_argument(
            "--queues", default="", help="comma-separated queues to work on (default: all)"
        )
        parser.add_argument("--name", default=None, help="the worker's name in the logs")

    def handle(self, *args, concurrency, queues, name, **options):
        worker_options = {"concurrency": concurrency, "name": name}
        if queues:
            worker_options["queues"] = [queue.strip() for queue in queues.split(",")]
        asyncio.run(serve(worker_options))


async def serve(worker_options: dict) -> None:
    from procrastinate.contrib.django import app, django_connector

    # As `manage.py procrastinate worker` does: the app, and so every task deferred from
    # a job or by the periodic deferrer, on a psycopg connector with LISTEN/NOTIFY
    # (Django's own connections cannot listen, and would be left broken by an outage).
    replaced = (
        app.replace_connector(app.connector.get_worker_connector())
        if isinstance(app.connector, django_connector.DjangoConnector)
        else contextlib.nullcontext()
    )
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stopping.set)
    wait = 1.0
    with replaced:
        while not stopping.is_set():
            began = time.monotonic()
            failure = await run_once(app, worker_options, stopping)
            if stopping.is_set():
                break
            if time.monotonic() - began > STEADY_SECONDS:
                wait = 1.0
            log.warning(
                "job worker stopped (%s); starting it again in %g s",
                failure or "a side task failed, e.g. the database went away",
                wait,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), wait)
            wait = min(wait * 2, LONGEST_WAIT)
    log.info("job worker stopped")


async def run_once(app, worker_options: dict, stopping: asyncio.Event) -> str:
    """One run of procrastinate's worker, with a connection pool of its own; returns
    why it ended ("" when asked to stop, or when it stopped by itself)."""
    try:
        async with app.open_async():
            run = asyncio.create_task(
                app.run_worker_async(install_signal_handlers=False, **worker_options)
            )
            stop = asyncio.create_task(stopping.wait())
            await asyncio.wait({run, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not run.done():
                # Asked to stop: procrastinate's graceful stop (running jobs finish).
                run.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await run
                return ""
            stop.cancel()
            error = run.exception()
            return f"{type(error).__name__}: {error}".strip() if error else ""
    except Exception as error:  # opening the pool failed: the database is still away
        return f"{type(error).__name__}: {str(error).strip()[:200]}"
