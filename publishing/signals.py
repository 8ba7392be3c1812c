from django.db.models.signals import post_save
from django.dispatch import receiver

from submissions.models import Entry
from submissions.signals import entry_changed

from . import services


@receiver(entry_changed, dispatch_uid="publishing.entry_changed")
def moderate_changed_entry(sender, entry, change, **kwargs):
    """A new or changed entry gets its automatic moderation flags (and, once approved, an
    edit sends it back to moderation)."""
    services.entry_changed(entry, change)


def forget_last_change(**kwargs):
    """Anything public changed: the next page view looks the time up again."""
    from django.core.cache import cache

    cache.delete("publishing:last-change")


def _watch_public_changes():
    from django.db.models.signals import post_delete

    from review.models import Award, Decision
    from submissions.models import Campaign, Partnership

    from .models import Programme, Publication

    for model in (Entry, Publication, Partnership, Decision, Award, Programme, Campaign):
        post_save.connect(
            forget_last_change,
            sender=model,
            dispatch_uid=f"publishing.last_change.save.{model.__name__}",
        )
        post_delete.connect(
            forget_last_change,
            sender=model,
            dispatch_uid=f"publishing.last_change.delete.{model.__name__}",
        )


_watch_public_changes()
