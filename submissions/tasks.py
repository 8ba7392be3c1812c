"""Scheduled jobs of the submissions (procrastinate periodic tasks; no cron needed)."""

from procrastinate.contrib.django import app

from . import images, services


@app.periodic(cron="15 3 * * *")
@app.task(name="purge_pending_uploads", queue="maintenance")
def purge_pending_uploads(timestamp: int) -> int:
    """Images kept between form steps but never sent, after 48 hours."""
    return images.purge_pending(hours=48)


@app.periodic(cron="5 * * * *")
@app.task(name="remove_unconfirmed_entries", queue="maintenance")
def remove_unconfirmed_entries(timestamp: int) -> int:
    """Entries whose contact did not confirm the e-mail address in time."""
    return services.remove_unconfirmed()


@app.task(name="send_submitter_news", queue="mail")
def send_submitter_news(entry_id: int) -> int:
    """The news of an entry for its contact (submissions/news.py); queued with a
    queueing lock per entry by news.tell()."""
    from . import news

    return news.send(entry_id)
