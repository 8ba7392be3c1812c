"""Every e-mail the service sends, as a record: who it went to, in which language, about
which entry, and whether it was delivered. kotolupaus/mail.py creates and sends them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    CONFIRM_ADDRESS = "confirm_address", _("Confirm the e-mail address")
    MANAGEMENT_LINKS = "management_links", _("Private links, asked for again")
    DRAFT_LINK = "draft_link", _("Link to a saved draft")
    PARTNER_INVITATION = "partner_invitation", _("Invitation to a partner organisation")
    WITHDRAWN = "withdrawn", _("Withdrawal confirmed")
    RETURNED = "returned", _("Returned for fixes")
    EDIT_REJECTED = "edit_rejected", _("Changes not accepted")
    DECISION = "decision", _("Decision")
    JOIN_REQUEST = "join_request", _("Request to join an initiative")
    REPORT_RETURNED = "report_returned", _("Progress report returned for fixes")
    PROGRESS_REMINDER = "reminder", _("Reminder to report progress")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Message(models.Model):
    """One e-mail to one recipient. Rendered in the reader's language when it is queued
    (in the same transaction as the change that causes it) and sent by a job."""

    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    recipient = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    entry = models.ForeignKey(
        "submissions.Entry",
        verbose_name=_("entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    subject = models.CharField(_("subject"), max_length=250)
    # The text carries private links: it is kept only until the message is delivered
    # (or cancelled), then emptied.
    body = models.TextField(_("text"), blank=True)
    reply_to = models.EmailField(_("reply to"), max_length=254, blank=True)
    # "Stop these e-mails" for mail programs (List-Unsubscribe, RFC 2369 / 8058).
    unsubscribe_url = models.URLField(_("unsubscribe address"), max_length=500, blank=True)
    # The same Message-ID on every attempt: a receiving server can tell a repeat.
    message_id = models.CharField(max_length=250, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # "Lost your link?" counts recent messages to an address.
            models.Index(fields=["recipient", "kind", "created_at"], name="message_recent_to"),
            models.Index(
                fields=["status", "created_at"],
                condition=~Q(status="sent"),
                name="message_not_sent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values), name="message_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="message_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=["fi", "sv", "en"]), name="message_language_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"
