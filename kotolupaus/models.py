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
    JOIN_REQUEST = "join_request", _("Request to join")
    REPORT_RETURNED = "report_returned", _("Progress report returned for fixes")
    PROGRESS_REMINDER = "reminder", _("Reminder to report progress")
    # To a reviewer: reviews of theirs withdrawn by someone else (at most one a day).
    REVIEWS_WITHDRAWN = "reviews_withdrawn", _("Reviews withdrawn after a conflict of interest")
    SUBMITTER_NEWS = "news", _("News about an entry (partners' answers, publication)")
    PARTNER_REMOVED = "partner_removed", _("Partner organisation removed from an entry")
    PARTNER_WITHDRAWN = "partner_withdrawn", _("An entry with partners was withdrawn")
    # To a reviewer (review/notifications.py): entries assigned (one per batch), a reminder
    # before the review deadline, entries they scored changed (one a day at most).
    REVIEW_ASSIGNED = "review_assigned", _("Entries assigned to a reviewer")
    REVIEW_REMINDER = "review_reminder", _("Reminder before the review deadline")
    REVIEW_CHANGED = "review_changed", _("Entries a reviewer scored have changed")
    # Requests to join an entry (publishing/cooperation): to the organisation that asked,
    # declined or expired; to the entry's contact, a reminder of one waiting unanswered.
    JOIN_DECLINED = "join_declined", _("Request to join declined")
    JOIN_EXPIRED = "join_expired", _("Request to join expired without an answer")
    JOIN_REMINDER = "join_reminder", _("Reminder of a request to join")
    # To an entry's contact who asked for it: organisations they could work with (monthly).
    PARTNER_SUGGESTIONS = "partner_suggestions", _("Organisations you could work with")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    # The address had already been sent as many messages of this kind in 24 hours as
    # the per-address limit allows (kotolupaus/mail.py, ALLOWANCES): never sent.
    REFUSED = "refused", _("Not sent: limit for the address")


class Message(models.Model):
    """One e-mail to one recipient. Rendered in the reader's language when it is queued
    (in the same transaction as the change that causes it) and sent by a job."""

    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    recipient = models.EmailField(_("recipient"), max_length=254)
    # The mailbox the address reaches, as the per-address limits count it: lower case,
    # quotes and a "+tag" sub-address removed (mail.mailbox()).
    recipient_key = models.CharField(_("mailbox"), max_length=254, default="", editable=False)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    # The id of the entry a message is about (submissions.Entry), without a foreign key:
    # this layer knows no app. Erasing an entry deletes its messages (submissions).
    entry_id = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    subject = models.CharField(_("subject"), max_length=250)
    # The text carries private links: it is kept only until the message is delivered
    # (or cancelled), then emptied.
    body = models.TextField(_("text"), blank=True)
    # What the reader gets, with the private links masked (…/manage/•••/): kept after
    # sending so that coordinators can read what was sent.
    masked_body = models.TextField(_("text (private links masked)"), blank=True)
    reply_to = models.EmailField(_("reply to"), max_length=254, blank=True)
    # "Stop these e-mails" for mail programs (List-Unsubscribe, RFC 2369 / 8058).
    unsubscribe_url = models.URLField(_("unsubscribe address"), max_length=500, blank=True)
    # The same Message-ID on every attempt: a receiving server can tell a repeat.
    message_id = models.CharField(
        _("Message-ID header"), max_length=250, unique=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The procrastinate job that sends it (its row says when the next try is).
    job_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # For a refused message: how many messages of its kind the address may be sent in
    # 24 hours (the limit it met).
    limit_per_day = models.PositiveSmallIntegerField(
        _("limit per address in 24 hours"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The per-address limits count recent messages of a kind to a mailbox.
            models.Index(
                fields=["recipient_key", "kind", "created_at"], name="message_recent_to_mailbox"
            ),
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
            models.CheckConstraint(
                condition=~Q(status="refused") | Q(limit_per_day__isnull=False),
                name="message_refused_has_limit",
            ),
        ]

    def __str__(self):
        # Without the address: a message's name is shown to staff who may not see it.
        return f"{self.get_kind_display()} #{self.pk}"
