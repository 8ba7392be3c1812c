"""How changes made elsewhere reach publishing (see publishing/changes.py): the
submissions' and the review's signals, and the staff-maintained texts every public page
shows (campaign, themes, target groups, prizes, programme), edited in the admin."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from review.models import Award, AwardCategory, Decision
from submissions.extensions import Notice, management_notices
from submissions.models import Campaign, Entry, TargetGroup, Theme
from submissions.signals import entry_changed, partnership_changed, report_changed

from . import services
from .changes import public_change
from .models import Programme, Publication


@receiver(entry_changed, dispatch_uid="publishing.entry_changed")
def moderate_changed_entry(sender, entry, change, by=None, **kwargs):
    """A confirmed entry reaches moderation with its automatic flags; an edit sends it
    back to moderation; consent and withdrawal change what is public at once."""
    services.entry_changed(entry, change, by=by)


@receiver(report_changed, dispatch_uid="publishing.report_changed")
def moderate_changed_report(sender, report, change, **kwargs):
    """A new or edited progress report waits for moderation."""
    services.report_changed(report, change)


@receiver(partnership_changed, dispatch_uid="publishing.partnership_changed")
def partner_changed(sender, entry, **kwargs):
    """Confirmed partners are shown with the entry and found by search."""
    public_change(entry=entry)


# Saves that change nothing the public sees.
UNSEEN_FIELDS = {"last_entry_number"}


@receiver(management_notices, dispatch_uid="publishing.management_notices")
def moderation_notices(sender, entry, **kwargs):
    """What the submitter sees at the top of the management page about moderation."""
    from django.utils.translation import gettext as _

    from .models import PublicationStatus

    publication = Publication.objects.filter(entry=entry).first()
    if publication is None or entry.is_withdrawn:
        return []
    pledge = entry.is_pledge
    if publication.status == PublicationStatus.RETURNED:
        return [
            Notice(
                "warning",
                _("The ministry's staff ask you to change something"),
                _(
                    "Edit the pledge as the comment below asks and save it: the staff then "
                    "look at it again. You can edit it also after the deadline until it is "
                    "published."
                )
                if pledge
                else _(
                    "Edit the initiative as the comment below asks and save it: the staff "
                    "then look at it again. You can edit it also after the deadline until it "
                    "is published."
                ),
                quote=publication.returned_comment,
            )
        ]
    if publication.status == PublicationStatus.FIXED:
        return [
            Notice(
                "info",
                _("Thank you: your changes are waiting for the staff"),
                _(
                    "The staff will look at the pledge again. You can still edit it until "
                    "it is published. What they asked:"
                )
                if pledge
                else _(
                    "The staff will look at the initiative again. You can still edit it "
                    "until it is published. What they asked:"
                ),
                quote=publication.returned_comment,
            )
        ]
    if publication.status == PublicationStatus.APPROVED and entry.consent_publish:
        return [
            Notice(
                "success",
                _("Published"),
                _("The pledge is shown on the campaign website.")
                if pledge
                else _("The initiative is shown on the campaign website."),
            )
        ]
    return []


def _public_text_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= UNSEEN_FIELDS:
        return  # a campaign counting its entries
    public_change(entry=_entry_of(sender, instance))


def _entry_of(sender, instance):
    """The entry a prize (or its citation) belongs to, if any."""
    if sender is Award:
        return Entry.objects.filter(pk=instance.entry_id).first()
    if sender is Award._parler_meta.root_model:
        return Entry.objects.filter(awards=instance.master_id).first()
    return None


def _watch(*models):
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                _public_text_changed,
                sender=model,
                dispatch_uid=f"publishing.public.{signal is post_save}.{model._meta.label}",
            )
        translations = getattr(model, "_parler_meta", None)
        if translations is not None:
            _watch(translations.root_model)


# Texts every public page shows, and what decides what is in the programme and prized.
_watch(Campaign, Theme, TargetGroup, Programme, AwardCategory, Award, Decision)
