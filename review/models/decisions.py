"""Decisions on entries, award categories, nominations, ballots and awards."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModel, TranslatedFields

from submissions.models import Campaign, Entry


class Outcome(models.TextChoices):
    INCLUDED = "included", _("Included in the programme")
    NOT_INCLUDED = "not_included", _("Not included")


class Decision(models.Model):
    """The coordinator's decision on programme inclusion; provisional until published."""

    entry = models.OneToOneField(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=15, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"), max_length=5000)
    rationale_language = models.CharField(
        _("language of the rationale"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="fi",
        help_text=_("The rationale is sent as written; readers of other languages see it marked."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="decision_outcome_valid"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="decision_has_rationale"),
        ]

    def __str__(self):
        return f"{self.entry.reference}: {self.get_outcome_display()}"

    @property
    def is_provisional(self):
        return self.published_at is None


class AwardCategory(TranslatableModel):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="award_categories",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    translations = TranslatedFields(
        name=models.CharField(_("name"), max_length=150),
        description=models.TextField(_("description"), blank=True),
    )

    class Meta:
        verbose_name = _("prize category")
        verbose_name_plural = _("prize categories")
        ordering = ["campaign", "position", "pk"]

    def __str__(self):
        return self.safe_translation_getter("name", any_language=True) or str(self.pk)


class Nomination(models.Model):
    """An entry on a prize category's shortlist."""

    category = models.ForeignKey(
        AwardCategory,
        verbose_name=_("prize category"),
        on_delete=models.CASCADE,
        related_name="nominations",
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="nominations"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    nominated_at = models.DateTimeField(_("nominated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortlisted entry")
        verbose_name_plural = _("shortlist")
        ordering = ["category", "entry__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "entry"], name="nomination_once_per_category"
            ),
        ]

    def __str__(self):
        return f"{self.category}: {self.entry.reference}"


class Ballot(models.Model):
    """A coordinator's ranking of a category's shortlist (1 = best)."""

    category = models.ForeignKey(
        AwardCategory,
        verbose_name=_("prize category"),
        on_delete=models.CASCADE,
        related_name="ballots",
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ranks = models.JSONField(_("ranks"), help_text=_("Entry id → rank, 1 being the best."))
    cast_at = models.DateTimeField(_("cast at"), auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["category", "voter"], name="ballot_one_per_voter"),
        ]

    def __str__(self):
        return f"{self.category} / {self.voter}"


class Award(TranslatableModel):
    """A prize won by an entry, with a citation in each language."""

    category = models.ForeignKey(
        AwardCategory,
        verbose_name=_("prize category"),
        on_delete=models.PROTECT,
        related_name="awards",
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="awards"
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("awarded by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    awarded_at = models.DateTimeField(_("awarded at"), auto_now_add=True, db_index=True)
    translations = TranslatedFields(
        citation=models.TextField(_("citation"), max_length=3000),
    )

    class Meta:
        verbose_name = _("prize winner")
        verbose_name_plural = _("prize winners")
        ordering = ["category", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "entry"], name="award_once_per_category"),
        ]

    def __str__(self):
        return f"{self.category}: {self.entry.reference}"
