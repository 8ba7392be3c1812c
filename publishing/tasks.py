"""Scheduled jobs of publishing (procrastinate periodic tasks; no cron needed)."""

from django.conf import settings
from procrastinate.contrib.django import app

from .personal_data import purge_after_retention


@app.periodic(cron="30 3 * * *")
@app.task(name="purge_contact_data", queue="maintenance")
def purge_contact_data(timestamp: int) -> dict:
    """Contact data of campaigns closed longer than CONTACT_DATA_RETENTION_DAYS."""
    return purge_after_retention(settings.CONTACT_DATA_RETENTION_DAYS)


@app.periodic(cron="0 9 * * *")
@app.task(name="send_progress_reminders", queue="maintenance")
def send_progress_reminders(timestamp: int) -> int:
    """Reminders to report progress that are due today (daily at 09:00 UTC)."""
    from .reminders import send_due_reminders

    return send_due_reminders()
