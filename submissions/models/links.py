"""Private links: management links, drafts and the links retired from them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..tokens import hash_token
from .campaign import Campaign
from .entries import Entry, EntryKind


class ManagementLink(models.Model):
    """A private link to an entry (only its hash is stored). "Lost your link?" and staff
    returning an entry for fixes add a link; earlier links keep working."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="management_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("private link")
        verbose_name_plural = _("private links")

    def __str__(self):
        return f"{self.entry.reference} {self.created_at:%Y-%m-%d %H:%M}"


class Draft(models.Model):
    """A form saved half-way; continued from its private link, never reviewed or published."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="drafts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    data = models.JSONField(_("form data"), default=dict)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="draft_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class RetiredLinkKind(models.TextChoices):
    DRAFT = "draft", _("draft link")
    MANAGE = "manage", _("private link to an entry")
    CONFIRM = "confirm", _("link confirming the e-mail address")
    PARTNER = "partner", _("partner organisation's invitation link")


class RetiredLinkReason(models.TextChoices):
    SENT = "sent", _("the draft was sent")
    REPLACED = "replaced", _("a newer link was issued")
    CONFIRMED = "confirmed", _("the e-mail address was confirmed")
    REMOVED = "removed", _("the partner was removed from the entry")
    EXPIRED = "expired", _("the entry was not confirmed in time and was deleted")
    ERASED = "erased", _("the entry was deleted with its contact's personal data")


class RetiredLink(models.Model):
    """A private link that no longer works, remembered by its hash only, so that whoever
    follows it is told why (HTTP 410) instead of getting a bare "not found": the draft
    was already sent, the address already confirmed, a newer invitation replaced this
    one, the partner was removed, or the unconfirmed entry was deleted."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=RetiredLinkKind.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=RetiredLinkReason.choices)
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("retired link")
        verbose_name_plural = _("retired links")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RetiredLinkKind.values), name="retiredlink_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=RetiredLinkReason.values),
                name="retiredlink_reason_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_reason_display()}"

    @classmethod
    def find(cls, token: str, kind: str):
        return (
            cls.objects.select_related("entry")
            .filter(token_hash=hash_token(token), kind=kind)
            .first()
        )
