"""Jobs of the review (procrastinate; a worker runs them): telling reviewers whose
reviews someone else withdrew after a conflict of interest."""

from procrastinate.contrib.django import app


@app.task(name="tell_reviewer_of_withdrawn_reviews", queue="mail")
def tell_reviewer_of_withdrawn_reviews(reviewer_id: int) -> int:
    """One e-mail listing the reviewer's withdrawn reviews (at most one a day): queued
    by review.services when a coordinator, or a change by the submitter, withdrew one."""
    from .services import tell_reviewer

    return tell_reviewer(reviewer_id)
