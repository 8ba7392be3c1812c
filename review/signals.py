from django.db.models.signals import post_save
from django.dispatch import receiver

from submissions.models import Campaign
from submissions.signals import entry_changed, partnership_changed

from . import services
from .defaults import create_default_criteria
from .models import AuditAction, Criterion
from .services import audit


@receiver(post_save, sender=Campaign, dispatch_uid="review.default_criteria")
def give_new_campaign_default_criteria(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        create_default_criteria(instance, Criterion, Criterion._parler_meta.root_model)


@receiver(entry_changed, dispatch_uid="review.entry_status_by_staff")
def record_staff_status_change(sender, entry, change, by=None, before=None, reason="", **kwargs):
    """A staff member changed an entry's status (e.g. personal data erasure withdrew
    it): the audit trail says who, when, from what to what, and why."""
    if by is None or before is None:
        return
    audit(
        by,
        AuditAction.ENTRY_STATUS,
        entry.campaign,
        entry,
        before=before,
        after=change,
        **({"reason": reason} if reason else {}),
    )


@receiver(partnership_changed, dispatch_uid="review.partners_and_conflicts")
def partners_changed(sender, entry, **kwargs):
    """A partner organisation added, corrected or answering may be one a reviewer
    declared a conflict of interest with: their review of the entry stops counting."""
    services.withdraw_conflicted_reviews(entry)


@receiver(entry_changed, dispatch_uid="review.edited_entry_and_conflicts")
def entry_edited(sender, entry, change, **kwargs):
    """The submitter may have renamed the lead organisation (or given its business ID)
    to one a reviewer declared a conflict of interest with."""
    if change == "edited":
        services.withdraw_conflicted_reviews(entry)
