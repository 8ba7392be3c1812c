"""Signals for the apps that come after submissions (review, publishing)."""

from django.dispatch import Signal

# Sent inside the transaction after an entry was submitted or its submitter changed it,
# with `entry` and `change` ("submitted", "edited", "consent", "withdrawn").
entry_changed = Signal()
