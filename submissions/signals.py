"""Signals for the apps that come after submissions (review, publishing)."""

from django.dispatch import Signal

# Sent after the submitter changed an entry (text, organisation, consent or status),
# with `entry` and `change` ("edited", "consent", "withdrawn").
entry_changed = Signal()
