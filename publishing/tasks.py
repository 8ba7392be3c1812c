"""Scheduled jobs of publishing (procrastinate periodic tasks; no cron needed)."""

from django.conf import settings
from procrastinate.contrib.django import app

from .personal_data import purge_after_retention


@app.periodic(cron="30 3 * * *")
@app.task(name="purge_contact_data", queue="maintenance")
def purge_contact_data(timestamp: int) -> dict:
    """Contact data of campaigns closed longer than CONTACT_DATA_RETENTION_DAYS."""
    return purge_after_retention(settings.CONTACT_DATA_RETENTION_DAYS)
