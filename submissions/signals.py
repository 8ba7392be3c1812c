"""Signals for the apps that come after submissions (review, publishing), which must not
be imported from here (data flows one way)."""

from django.dispatch import Signal

# Sent inside the transaction after an entry changed, with `entry`, `change` and `by`:
# change is the new status ("submitted", "withdrawn"; then also `before`, the old one,
# and `reason`), "edited" (the submitter changed the text) or "consent" (the submitter
# gave or withdrew consent to publish). `by` is the staff member who made the change, or
# None for the submitter.
entry_changed = Signal()

# Sent inside the transaction after a partner organisation answered or a submitter
# added, corrected or removed a partner: `entry`, `partnership`, `change`.
partnership_changed = Signal()


def give_new_campaign_default_indicators(sender, instance, created, raw=False, **kwargs):
    """A new campaign asks progress reports for the default indicators."""
    if created and not raw:
        from .defaults import create_default_indicators
        from .models import Indicator

        create_default_indicators(instance, Indicator)


# Sent inside the transaction after a submitter added or edited a progress report:
# `report`, `change` ("added" or "edited").
report_changed = Signal()
