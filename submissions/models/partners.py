"""Partnerships between entries and organisations, and the news submitters receive."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..tokens import hash_token
from .entries import LANGUAGE_CODES, Entry
from .organisations import Organisation

# How many partner organisations one entry may name.
MAX_PARTNERS = 10


class PartnershipQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False, declined_at__isnull=True)

    def by_token(self, token: str):
        return self.filter(token_hash=hash_token(token))


class Partnership(models.Model):
    """A partner organisation named in an entry; shown publicly only once it confirms."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="partnerships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    role = models.CharField(_("role"), max_length=150, blank=True)
    invited_email = models.EmailField(_("contact e-mail"), max_length=254)
    # Every e-mail to the partner is in this language; the form offers the submitter's.
    language = models.CharField(
        _("language of the partner's e-mails"), max_length=2, choices=settings.LANGUAGES
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True, editable=False)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(declined_at__isnull=True),
                name="partnership_not_both_confirmed_and_declined",
            ),
            models.UniqueConstraint(
                "entry", Lower("invited_email"), name="partnership_one_invitation_per_email"
            ),
            models.CheckConstraint(
                condition=Q(language__in=LANGUAGE_CODES), name="partnership_language_valid"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.entry.reference})"

    @property
    def has_answered(self):
        return self.confirmed_at is not None or self.declined_at is not None

    @property
    def state(self):
        if self.confirmed_at:
            return _("confirmed")
        if self.declined_at:
            return _("declined")
        return _("waiting for confirmation")


class NewsKind(models.TextChoices):
    PARTNER_CONFIRMED = "partner_confirmed", _("a partner organisation confirmed taking part")
    PARTNER_DECLINED = "partner_declined", _("a partner organisation declined")
    PUBLISHED = "published", _("the entry was published")
    REPUBLISHED = "republished", _("the changed entry was published")


class SubmitterNews(models.Model):
    """Something an entry's contact is told in the next news e-mail about the entry:
    a partner's answer, a publication. The e-mail gathers everything not told yet and
    goes at most once a day (submissions.news)."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="news"
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=NewsKind.choices)
    # The partner who answered (gone if the submitter removed it since: not told then).
    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("partnership"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    happened_at = models.DateTimeField(_("happened at"), default=timezone.now)
    told_at = models.DateTimeField(_("told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("news for a submitter")
        verbose_name_plural = _("news for submitters")
        ordering = ["happened_at", "pk"]
        indexes = [
            models.Index(fields=["entry"], condition=Q(told_at__isnull=True), name="news_not_told"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NewsKind.values), name="news_kind_valid"),
        ]

    def __str__(self):
        return f"{self.entry.reference}: {self.get_kind_display()}"
