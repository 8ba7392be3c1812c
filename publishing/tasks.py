"""Jobs of publishing: scheduled ones (procrastinate periodic tasks; no cron needed) and
the builds of the files served to the public."""

from django.conf import settings
from django.db import transaction
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.types import TimeDeltaParams


@app.periodic(cron="30 3 * * *")
@app.task(name="purge_contact_data", queue="maintenance")
def purge_contact_data(timestamp: int) -> dict:
    """Contact data of campaigns closed longer than CONTACT_DATA_RETENTION_DAYS."""
    from .personal_data import purge_after_retention

    return purge_after_retention(settings.CONTACT_DATA_RETENTION_DAYS)


@app.periodic(cron="0 9 * * *")
@app.task(name="send_progress_reminders", queue="maintenance")
def send_progress_reminders(timestamp: int) -> int:
    """Reminders to report progress that are due today (daily at 09:00 UTC)."""
    from .reminders import send_due_reminders

    return send_due_reminders()


@app.periodic(cron="20 8 * * *")
@app.task(name="handle_join_requests", queue="maintenance")
def handle_join_requests(timestamp: int) -> dict:
    """Requests to join (daily at 08:20 UTC): the contact reminded once at half of the
    campaign's join_request_days, the request expired at the end of them, and the
    requests of entries no longer public closed (publishing/cooperation/request_jobs.py)."""
    from .cooperation.request_jobs import handle_waiting_requests

    return handle_waiting_requests()


# --- Files built for the public (publishing/public_files.py) -----------------------------------
# Each has a queueing lock: while one job of the task waits, no second one is queued, so
# a burst of public changes ends in one build, PUBLIC_FILES_REBUILD_SECONDS after the
# first of them. An entry taken down is taken out of the files at once, by a job with a
# lock of its own (a build waiting for later then finds nothing left to do). They run
# on the "files" queue (a worker for it alone keeps long builds from delaying e-mail).


@app.task(name="build_open_data", queue="files", queueing_lock="build_open_data")
def build_open_data() -> int | None:
    """The open-data files of every language (skipped when they are up to date)."""
    from .public_files import build_open_data

    return build_open_data()


@app.task(name="build_programme_pdfs", queue="files", queueing_lock="build_programme_pdfs")
def build_programme_pdfs() -> int:
    """The programme PDFs built so far, again where their content changed."""
    from .public_files import build_programme_pdfs

    return build_programme_pdfs(only_existing=True)


REBUILT_AFTER_CHANGES = (build_open_data, build_programme_pdfs)
AT_ONCE = ":at-once"


def rebuild_public_files_soon(*, at_once=False) -> None:
    """After a public change (publishing.changes): the files are built again once
    PUBLIC_FILES_REBUILD_SECONDS have passed — or at once when something was taken down —
    by a job queued in the current transaction, unless one is waiting already (which
    then builds this change in too)."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    suffix = AT_ONCE if at_once else ""
    locks = {task: f"{task.queueing_lock}{suffix}" for task in REBUILT_AFTER_CHANGES}
    waiting = set(
        ProcrastinateJob.objects.filter(
            queueing_lock__in=locks.values(), status="todo"
        ).values_list("queueing_lock", flat=True)
    )
    delay = 0 if at_once else settings.PUBLIC_FILES_REBUILD_SECONDS
    # No time at all for "now": the job is due at once, also to a worker whose clock or
    # transaction started a moment earlier.
    schedule_in: TimeDeltaParams | None = {"seconds": delay} if delay else None
    for task, lock in locks.items():
        if lock in waiting:
            continue
        try:
            # A savepoint: the queueing lock's unique violation must not break the
            # transaction of the change.
            with transaction.atomic():
                task.configure(queueing_lock=lock, schedule_in=schedule_in).defer()
        except AlreadyEnqueued:  # another process queued it a moment ago
            pass


@app.periodic(cron="17 * * * *")
@app.task(name="check_public_files", queue="files")
def check_public_files(timestamp: int) -> dict:
    """Hourly: files older than the last public change (a build that failed, a change
    made outside the app) or missing from the storage are built now; leftovers of a
    build that died are removed."""
    from .public_files import (
        build_open_data,
        build_programme_pdfs,
        forget_missing,
        remove_leftovers,
    )

    missing = forget_missing()
    return {
        "missing": missing,
        "open_data": build_open_data(),
        "pdfs": build_programme_pdfs(only_existing=True),
        "leftovers_removed": remove_leftovers(),
    }


# The monthly e-mail of suggestions of partners (issue 25), declared with its concern.
from .cooperation.tasks import send_partner_suggestions  # noqa: E402, F401
