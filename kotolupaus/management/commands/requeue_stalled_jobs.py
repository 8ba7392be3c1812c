"""Run again, now, the jobs of workers that stopped reporting (killed, machine lost).
Every worker does this by itself every 30 seconds (kotolupaus/tasks.py); the command is
for doing it by hand, e.g. right after a crash."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.management.base import BaseCommand
from procrastinate.contrib.django import app

from kotolupaus.tasks import requeue_stalled_jobs


class Command(BaseCommand):
    help = "Queue again the jobs of workers that have not reported for --seconds seconds."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=settings.JOBS_STALLED_AFTER_SECONDS)

    def handle(self, *args, seconds, **options):
        with (
            app.replace_connector(app.connector.get_worker_connector()) as worker_app,
            ThreadPoolExecutor(1) as thread,  # its own event loop, whoever calls
        ):
            count = thread.submit(asyncio.run, self._requeue(worker_app, seconds)).result()
        self.stdout.write(f"{count} stalled job(s) queued again.")

    async def _requeue(self, worker_app, seconds):
        async with worker_app.open_async():
            return await requeue_stalled_jobs(worker_app, seconds)
