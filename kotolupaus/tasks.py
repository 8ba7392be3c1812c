"""Jobs of the whole service (procrastinate, in PostgreSQL): sending e-mail, and keeping
the queue itself healthy. Each app's own scheduled jobs are in its tasks.py.

A worker runs them: `python manage.py worker` (`make run` starts one; it is
procrastinate's worker, started again after a database outage).
Jobs take ids, never model instances, and are safe to run twice.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from . import mail

log = logging.getLogger(__name__)


@app.task(
    name="send_message",
    queue="mail",
    pass_context=True,
    # 2, 4, 8 … seconds between attempts: about 18 hours in all with 15 attempts. Also
    # when the database went away in the middle (PostgreSQL restarted, a failover): the
    # message is still queued then, and without a retry its job would be failed for good
    # while the message waited forever (make fleet found it).
    retry=RetryStrategy(
        max_attempts=settings.MAIL_MAX_ATTEMPTS,
        exponential_wait=2,
        retry_exceptions={mail.TemporaryFailure, OperationalError, InterfaceError},
    ),
)
def send_message(context, message_id: int) -> str:
    return mail.deliver(message_id, last_attempt=context.job.attempts >= settings.MAIL_MAX_ATTEMPTS)


@app.periodic(cron="* * * * * */30")
@app.task(name="retry_stalled_jobs", queue="maintenance", pass_context=True)
async def retry_stalled_jobs(context, timestamp: int) -> int:
    """Jobs of a worker that died (killed, machine lost) run again on a live worker."""
    return await requeue_stalled_jobs(context.app, settings.JOBS_STALLED_AFTER_SECONDS)


async def requeue_stalled_jobs(procrastinate_app, seconds: float) -> int:
    stalled = await procrastinate_app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds)
    for job in stalled:
        log.warning("job %s (%s) of a stalled worker runs again", job.id, job.task_name)
        await procrastinate_app.job_manager.retry_job(job)
    return len(stalled)


@app.periodic(cron="40 3 * * *")
@app.task(name="remove_old_jobs", queue="maintenance", pass_context=True)
async def remove_old_jobs(context, timestamp: int) -> None:
    """Failed and cancelled jobs are kept for 30 days to look into, then removed (the
    Message rows keep the history of every e-mail)."""
    await context.app.job_manager.delete_old_jobs(
        nb_hours=30 * 24, include_failed=True, include_cancelled=True
    )


@app.periodic(cron="25 * * * *")
@app.task(name="purge_expired_counters", queue="maintenance")
def purge_expired_counters(timestamp: int) -> int:
    """Rate-limit counters whose time is up leave their table (kotolupaus/cache.py);
    live ones are never removed, however many there are."""
    from django.core.cache import caches

    from .cache import PostgresCache

    shared = caches["shared"]
    assert isinstance(shared, PostgresCache)
    return shared.purge_expired()
