"""Requests to join an entry: an organisation asks through the entry's public page, the
entry's contact answers on the management page (publishing.cooperation.requests)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from submissions.models import Entry, OrganisationType, Partnership


class JoinRequestStatus(models.TextChoices):
    """waiting → accepted | declined | expired | closed. Accepting invites the requesting
    organisation as a partner through the partner flow; a request nobody answers
    expires after the campaign's `join_request_days`; one whose entry is no longer
    public or open to partners is closed."""

    WAITING = "waiting", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired without an answer")
    CLOSED = "closed", _("Closed: the entry no longer takes partners")
    # Sent before requests were answered in the service: the contact answered by e-mail.
    RELAYED = "relayed", _("Passed on by e-mail and answered outside the service")


class JoinRequest(models.Model):
    """A message from an organisation that wants to join an entry, relayed by e-mail to
    the entry's contact person (whose address the sender never sees until accepted)."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="join_requests"
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    organisation_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), max_length=254)
    message = models.TextField(_("message"), max_length=3000)
    # Every e-mail to the requester is in this language (the page's when sent).
    language = models.CharField(
        _("language of the requester's e-mails"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="fi",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    status = models.CharField(
        _("state"),
        max_length=10,
        choices=JoinRequestStatus.choices,
        default=JoinRequestStatus.WAITING,
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("contact reminded at"), null=True, blank=True)
    # The contact's optional sentence to a declined requester.
    note = models.CharField(_("note to the requester"), max_length=300, blank=True)
    # The partnership an accepted request became (gone if the submitter removed it).
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JoinRequestStatus.values), name="join_request_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=JoinRequestStatus.WAITING) | Q(answered_at__isnull=False),
                name="join_request_answered_has_time",
            ),
            # One waiting request per entry and sender: a second click, a second tab.
            models.UniqueConstraint(
                "entry",
                Lower("email"),
                condition=Q(status="waiting"),
                name="join_request_one_waiting_per_sender",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.entry.reference}"
