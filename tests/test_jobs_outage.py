"""Jobs through a database outage: a message whose delivery met a database that had gone
away (PostgreSQL restarted, a failover) is tried again like one the SMTP server did not
take; without that its job failed for good and the message stayed queued forever (the
fleet drill found three such messages in a run)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, InterfaceError, OperationalError
from procrastinate.jobs import Job

from kotolupaus import mail
from kotolupaus.tasks import send_message


def job(attempts):
    return Job(
        id=1, queue="mail", lock=None, queueing_lock=None, task_name="send_message",
        attempts=attempts, task_kwargs={"message_id": 1},
    )  # fmt: skip


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("terminating connection due to administrator command"),
        InterfaceError("connection already closed"),
        mail.TemporaryFailure("421 try again later"),
    ],
)
def test_a_delivery_that_met_an_outage_is_tried_again(error):
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        decision = send_message.retry_strategy.get_retry_decision(exception=error, job=job(1))

    assert decision.retry_at == now + timedelta(seconds=4)  # 2 ** (attempts + 1)


def test_other_errors_are_not_retried():
    decision = send_message.retry_strategy.get_retry_decision(
        exception=IntegrityError("a bug, not an outage"), job=job(1)
    )

    assert decision is None
