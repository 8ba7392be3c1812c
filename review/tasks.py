"""Jobs of the review (procrastinate; a worker runs them): telling reviewers whose
reviews someone else withdrew after a conflict of interest."""

from procrastinate.contrib.django import app


@app.task(name="tell_reviewer_of_withdrawn_reviews", queue="mail")
def tell_reviewer_of_withdrawn_reviews(reviewer_id: int) -> int:
    """One e-mail listing the reviewer's withdrawn reviews (at most one a day): queued
    by review.services when a coordinator, or a change by the submitter, withdrew one."""
    from .services import tell_reviewer

    return tell_reviewer(reviewer_id)


@app.periodic(cron="0 7 * * *")
@app.task(name="remind_reviewers", queue="mail")
def remind_reviewers(timestamp: int) -> int:
    """Each morning: reviewers with unscored assignments are reminded before the
    campaign's review deadline (review/notifications.py)."""
    from . import notifications

    return notifications.remind()


@app.periodic(cron="10 7 * * *")
@app.task(name="tell_reviewers_of_changes", queue="mail")
def tell_reviewers_of_changes(timestamp: int) -> int:
    """Each morning, where the review settings ask for it: reviewers whose scored
    entries changed are told, one e-mail a day at most (review/notifications.py)."""
    from . import notifications

    return notifications.tell_changes()
