"""Reviewing entries: criteria, assignments, conflicts, reviews with scores, decisions,
awards and the audit trail. Reads submissions; never changes what a submitter wrote."""

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
    def for_campaign(cls, campaign):
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
    def counting(self):
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


class AuditAction(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    UNASSIGNED = "unassigned", _("unassigned")
    CONFLICT_DECLARED = "conflict", _("declared a conflict of interest")
    SCORED = "scored", _("scored")
    SCORE_CHANGED = "rescored", _("changed a review")
    REVIEW_LOCKED = "locked", _("locked the review")
    REVIEW_UNLOCKED = "unlocked", _("unlocked the review")
    DECIDED = "decided", _("decided")
    DECISIONS_PUBLISHED = "published", _("published the decisions")
    NOMINATED = "nominated", _("shortlisted for a prize")
    VOTED = "voted", _("voted")
    AWARDED = "awarded", _("awarded a prize")
    PERSONAL_DATA_EXPORTED = "pd_exported", _("exported personal data")
    PERSONAL_DATA_ERASED = "pd_erased", _("erased personal data")
    RETENTION_PURGED = "retention", _("purged contact data after the retention period")
    # Security events: staff accounts, logins and sessions (review/security.py).
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOCKED_OUT = "locked_out", _("login locked after failed attempts")
    LOGIN_SLOWED = "login_slowed", _("logins for a user name slowed down after failed attempts")
    LOGIN_UNLOCKED = "login_unlock", _("opened a locked or slowed-down login")
    LOGOUT = "logout", _("logged out")
    SESSION_EXPIRED = "session_end", _("session ended automatically")
    SESSIONS_ENDED = "sessions_end", _("ended all sessions of a user")
    DEVICE_ADDED = "otp_added", _("two-factor device added")
    DEVICE_REMOVED = "otp_removed", _("two-factor device removed")
    PASSWORD_CHANGED = "password", _("password changed")
    ROLE_CHANGED = "role_changed", _("role changed")
    # Publishing and the staff-maintained texts.
    MODERATED = "moderated", _("moderated")
    ENTRY_STATUS = "entry_status", _("changed an entry's status")
    TRANSLATED = "translated", _("translated or corrected a public text")
    PROGRAMME = "programme", _("edited the programme text")
    CRITERIA = "criteria", _("changed a criterion")
    SETTINGS = "settings", _("changed the review settings")
    SCORE_WITHDRAWN = "score_wdrawn", _("review withdrawn after a conflict of interest")
    AWARD_CHANGED = "award_edit", _("changed a prize")
    AWARD_DELETED = "award_del", _("deleted a prize")
    REMINDED = "reminded", _("sent a reminder to report progress")
    INDICATOR = "indicator", _("changed a follow-up indicator")
    # Changes made in the admin panel (review/audit.py: ADMIN_ACTIONS).
    CAMPAIGN = "campaign", _("changed a campaign")
    TAXONOMY = "taxonomy", _("changed a theme or target group")
    ORGANISATION = "organisation", _("changed an organisation")
    NOTE = "note", _("changed an internal note")
    ACCOUNT = "account", _("changed a staff account")
    ADMIN_CHANGED = "admin_change", _("changed a record in the admin panel")
    ADMIN_ACTION = "admin_action", _("ran an action in the admin panel")


SECURITY_ACTIONS = (
    AuditAction.LOGIN,
    AuditAction.LOGIN_FAILED,
    AuditAction.LOCKED_OUT,
    AuditAction.LOGIN_SLOWED,
    AuditAction.LOGIN_UNLOCKED,
    AuditAction.LOGOUT,
    AuditAction.SESSION_EXPIRED,
    AuditAction.SESSIONS_ENDED,
    AuditAction.DEVICE_ADDED,
    AuditAction.DEVICE_REMOVED,
    AuditAction.PASSWORD_CHANGED,
    AuditAction.ROLE_CHANGED,
)


class AuditEvent(models.Model):
    """Who did what to which entry, and when. Rows are never changed or deleted: the
    database refuses UPDATE and DELETE on this table (see migration 0002).

    Security events (SECURITY_ACTIONS) belong to no campaign; `user` is the staff
    account concerned and `ip_address` where the request came from. Passwords and
    one-time codes are never recorded."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("what"), max_length=12, choices=AuditAction.choices)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # An event about several entries (decisions published, personal data exported …) is
    # linked to each, so that the trail filtered by an entry finds it.
    entries = models.ManyToManyField(
        Entry,
        verbose_name=_("entries"),
        through="AuditEventEntry",
        related_name="+",
        blank=True,
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(user__isnull=False),
                name="auditevent_user_recent",
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"


class AuditEventEntry(models.Model):
    """An entry an audit event is about, besides its `entry`. Append-only like the events
    (the same database trigger refuses UPDATE and DELETE)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("entry of an audit event")
        verbose_name_plural = _("entries of audit events")
        constraints = [
            models.UniqueConstraint(fields=["event", "entry"], name="auditevententry_once"),
        ]
        indexes = [models.Index(fields=["entry", "event"], name="auditevententry_by_entry")]

    def __str__(self):
        return f"{self.event_id} → {self.entry_id}"


class StaffSession(models.Model):
    """A logged-in staff session, so that a coordinator can see a user's sessions and end
    them all from one place. The session itself stays in Django's session store; this
    row only names it. Made at login, removed at logout or when ended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="staff_sessions",
    )
    session_key = models.CharField(_("session"), max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("logged in at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last active at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")
        ordering = ["user", "-last_seen_at"]

    def __str__(self):
        return f"{self.user} {self.started_at:%Y-%m-%d %H:%M}"


# The e-mails to reviewers keep their tables in a module of their own.
from .mail_models import NoticeKind, ReviewerNotice, ReviewerPreference  # noqa: E402, F401
