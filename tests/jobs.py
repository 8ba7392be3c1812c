"""Running queued jobs inside a test, in the test's own transaction.

A procrastinate worker runs each job on a connection of its own, so it cannot see what
a test has not committed. `run_jobs()` does what a worker does — fetch the next due job
with procrastinate's own SQL, run its task, record success, a retry or a failure — on
the test's connection. Tests that need a real worker process use
`@pytest.mark.django_db(transaction=True)` and start one (see test_mail_delivery.py).
"""

import inspect
import json

from asgiref.sync import async_to_sync
from django.db import connection
from procrastinate import jobs, sql
from procrastinate.contrib.django import app


def _query(name, **arguments):
    with connection.cursor() as cursor:
        cursor.execute(sql.queries[name], arguments)
        if cursor.description is None:
            return None
        columns = [column.name for column in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
        # Django's connection leaves jsonb as text; procrastinate expects it decoded.
        if isinstance(row.get("args"), str):
            row["args"] = json.loads(row["args"])
        return row


class JobContext:
    """What a task with pass_context=True receives from a worker (the parts ours use)."""

    def __init__(self, job):
        self.job = job
        self.app = app


def due_now(*, retries_only=True):
    """Retries scheduled for later (or, with retries_only=False, every job scheduled for
    later) become due now: a test does not wait for them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET scheduled_at = NULL WHERE status = 'todo' "
            "AND (attempts > 0 OR NOT %s)",
            [retries_only],
        )


def run_jobs(*, include_retries=False, limit=1000) -> list[tuple[str, str]]:
    """Run every job that is due, in order; returns (task name, outcome) pairs where the
    outcome is "succeeded", "retry" or "failed"."""
    if include_retries:
        due_now()
    worker_id = _query("register_worker")["worker_id"]
    done = []
    try:
        for _ in range(limit):
            row = _query("fetch_job", queues=None, worker_id=worker_id)
            if row["id"] is None:
                break
            job = jobs.Job.from_row(row)
            task = app.tasks[job.task_name]
            arguments = dict(job.task_kwargs)
            args = (JobContext(job),) if task.pass_context else ()
            function = task.func
            if inspect.iscoroutinefunction(function):
                function = async_to_sync(function)
            try:
                function(*args, **arguments)
            except Exception as error:
                retry = task.get_retry_exception(exception=error, job=job)
                if retry is not None:
                    decision = retry.retry_decision
                    _query(
                        "retry_job",
                        job_id=job.id,
                        retry_at=decision.retry_at,
                        new_priority=decision.priority,
                        new_queue_name=decision.queue,
                        new_lock=decision.lock,
                    )
                    done.append((job.task_name, "retry"))
                    continue
                _query("finish_job", job_id=job.id, status="failed", delete_job=False)
                done.append((job.task_name, "failed"))
            else:
                _query("finish_job", job_id=job.id, status="succeeded", delete_job=True)
                done.append((job.task_name, "succeeded"))
    finally:
        _query("unregister_worker", worker_id=worker_id)
    return done


def run_all_jobs() -> list[tuple[str, str]]:
    """Every waiting job, also those scheduled for later (a rebuild of the public files
    due in a few minutes, a retry): what a worker will have done by then."""
    due_now(retries_only=False)
    return run_jobs()
