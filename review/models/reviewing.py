"""Review settings, criteria, assignments, conflicts of interest, reviews and scores."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModel, TranslatedFields

from submissions.models import Campaign, Entry, EntryVersion, Organisation

COORDINATOR_GROUP = "coordinator"


REVIEWER_GROUP = "reviewer"


class ReviewSettings(models.Model):
    """How a campaign's review runs; created with defaults when first needed."""

    campaign = models.OneToOneField(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="review_settings",
    )
    reviews_per_entry = models.PositiveSmallIntegerField(
        _("reviews per entry"),
        default=2,
        help_text=_("Automatic assignment gives every entry this many reviewers."),
    )
    max_per_reviewer = models.PositiveSmallIntegerField(
        _("most entries per reviewer"),
        default=100,
        help_text=_("Automatic assignment never gives a reviewer more entries than this."),
    )
    min_reviews_for_normalisation = models.PositiveSmallIntegerField(
        _("reviews needed for normalised scores"),
        default=5,
        help_text=_("A reviewer's z-scores are shown once they have reviewed this many entries."),
    )
    disputed_spread = models.DecimalField(
        _("spread that marks an entry disputed"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.50"),
        help_text=_("Entries whose reviewers' totals differ by at least this much are flagged."),
    )
    agreement_flag = models.DecimalField(
        _("difference that flags a reviewer"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_(
            "A reviewer whose totals differ from the other reviewers' of the same entries "
            "by at least this much on average is flagged."
        ),
    )
    review_deadline = models.DateField(
        _("review deadline"),
        null=True,
        blank=True,
        help_text=_("Reviewers with unscored assignments are reminded before it."),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("reminder, days before the deadline"), default=3
    )
    tell_changes = models.BooleanField(
        _("e-mail reviewers when entries they scored change"),
        default=False,
        help_text=_("At most one e-mail a day, listing the entries."),
    )
    hide_names = models.BooleanField(
        _("review without names"),
        default=False,
        help_text=_(
            "Reviewers see neither the organisations' names nor the logo until they have "
            "saved their own review. Coordinators always see them."
        ),
    )
    locked_at = models.DateTimeField(
        _("review locked at"),
        null=True,
        blank=True,
        help_text=_("Once locked, reviews can no longer be changed."),
    )

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")
        permissions = [
            (
                "coordinate_review",
                _("Can coordinate the review: criteria, assignments, decisions and prizes"),
            ),
            ("score_entries", _("Can review and score entries")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviews_per_entry__gte=1), name="reviewsettings_at_least_one_review"
            ),
            models.CheckConstraint(
                condition=Q(max_per_reviewer__gte=1), name="reviewsettings_reviewer_takes_one"
            ),
            models.CheckConstraint(
                condition=Q(disputed_spread__gt=0), name="reviewsettings_spread_positive"
            ),
            models.CheckConstraint(
                condition=Q(agreement_flag__gt=0), name="reviewsettings_agreement_flag_positive"
            ),
        ]

    def __str__(self):
        return str(self.campaign)

    @classmethod
    def for_campaign(cls, campaign: models.Model) -> "ReviewSettings":
        return cls.objects.get_or_create(campaign=campaign)[0]

    @property
    def is_locked(self):
        return self.locked_at is not None


class Criterion(TranslatableModel):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="criteria"
    )
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=2, default=Decimal(1))
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    counts_toward_total = models.BooleanField(
        _("counts toward the total"),
        default=True,
        help_text=_("Untick for criteria that are recorded for information only."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    translations = TranslatedFields(
        name=models.CharField(_("name"), max_length=150),
        guidance=models.TextField(_("guidance for reviewers"), blank=True),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")), name="criterion_scale_ascending"
            ),
            models.CheckConstraint(
                condition=Q(scale_max__lte=100), name="criterion_scale_at_most_100"
            ),
        ]

    def __str__(self):
        return self.safe_translation_getter("name", any_language=True) or str(self.pk)

    @property
    def scale(self):
        return range(self.scale_min, self.scale_max + 1)


class Assignment(models.Model):
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["entry__number", "reviewer__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "reviewer"], name="assignment_one_per_reviewer_and_entry"
            ),
        ]

    def __str__(self):
        return f"{self.entry.reference} → {self.reviewer}"


class Conflict(models.Model):
    """A reviewer's declared conflict of interest with an entry or an organisation."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
        help_text=_(
            "Covers every entry in which this organisation (same business ID or "
            "name) leads or is a partner."
        ),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["-declared_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(entry__isnull=False, organisation__isnull=True)
                | Q(entry__isnull=True, organisation__isnull=False),
                name="conflict_with_entry_or_organisation",
            ),
            models.UniqueConstraint(
                fields=["reviewer", "entry"],
                condition=Q(entry__isnull=False),
                name="conflict_once_per_entry",
            ),
            models.UniqueConstraint(
                fields=["reviewer", "organisation"],
                condition=Q(organisation__isnull=False),
                name="conflict_once_per_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer}: {self.entry or self.organisation}"


class Recommendation(models.TextChoices):
    INCLUDE = "include", _("Include in the programme")
    EXCLUDE = "exclude", _("Do not include")
    PRIZE = "prize", _("Propose for a prize")


class ReviewQuerySet(models.QuerySet):
    def counting(self) -> "ReviewQuerySet":
        """The reviews that count: not withdrawn after a conflict of interest."""
        return self.filter(withdrawn_at__isnull=True)


class Review(models.Model):
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    comment = models.TextField(_("comment"), max_length=5000, blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The language of the page the reviewer last saved it on: the reviewer's language,
    # in which they are e-mailed about their reviews.
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="fi"
    )
    # A conflict of interest declared after scoring withdraws the review: it no longer
    # counts anywhere (ranking, means, z-scores, exports); the audit trail keeps it.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=500, blank=True)
    # Who recorded the conflict: the reviewer, a coordinator, or nobody when a change
    # by the submitter (a partner organisation the reviewer is conflicted with joined)
    # made the reviewer conflicted. Reviewers are e-mailed about what others withdrew.
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_told_at = models.DateTimeField(
        _("reviewer told of the withdrawal at"), null=True, blank=True
    )
    # The version of the entry the reviewer saw when they last saved it: an entry
    # changed since has scores "of an older version" (review/staleness.py).
    version = models.ForeignKey(
        EntryVersion,
        verbose_name=_("version scored"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["entry__number", "reviewer__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "reviewer"], name="review_one_per_reviewer_and_entry"
            ),
            models.CheckConstraint(
                condition=Q(recommendation__in=Recommendation.values),
                name="review_recommendation_valid",
            ),
        ]

    def __str__(self):
        return f"{self.entry.reference} / {self.reviewer}"


class Score(models.Model):
    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    value = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(condition=Q(value__lte=100), name="score_at_most_100"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"
