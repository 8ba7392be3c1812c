from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from submissions.models import Entry
from submissions.signals import entry_changed

from . import services


@receiver(post_save, sender=Entry, dispatch_uid="publishing.new_entry")
def moderate_new_entry(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        # The entry's text is saved right after the entry row: check it at commit.
        transaction.on_commit(lambda: services.check_entry(instance))


@receiver(entry_changed, dispatch_uid="publishing.entry_changed")
def moderate_changed_entry(sender, entry, change, **kwargs):
    services.entry_changed(entry, change)
