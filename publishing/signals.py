from django.dispatch import receiver

from submissions.signals import entry_changed

from . import services


@receiver(entry_changed, dispatch_uid="publishing.entry_changed")
def moderate_changed_entry(sender, entry, change, **kwargs):
    """A new or changed entry gets its automatic moderation flags (and, once approved, an
    edit sends it back to moderation)."""
    services.entry_changed(entry, change)
