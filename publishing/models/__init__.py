"""What the public sees: the moderation state of each entry, the public read model
(PublicEntry, with the search vocabulary), the cooperation programme's texts and
requests to join an entry (publishing.models.cooperation)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModel, TranslatedFields

from submissions.models import (
    ENTRY_TEXT_FIELDS,
    Campaign,
    Entry,
    EntryKind,
    EntryVersion,
    OrganisationType,
    ProgressReport,
    ProgressStatus,
)

from .cooperation import JoinRequest as JoinRequest
from .cooperation import JoinRequestStatus as JoinRequestStatus


class PublicationStatus(models.TextChoices):
    """Moderation of an entry's latest version (see PUBLICATION_TRANSITIONS):

    pending → approved | returned | not published
    returned → fixed (the submitter saved changes) | approved | not published
    fixed → approved | returned | not published
    approved → pending (the submitter edited it) | returned | not published
    not published → pending (staff reconsider, or the submitter edited it)

    What is public is the version a moderator approved last (Publication.approved_version),
    whatever waits: an edit of a published entry waits for moderation while the approved
    version stays public; approving replaces it, rejecting the edit keeps it. Only
    rejecting the approved version itself (approved → not published) takes it down.

    Every change goes through publishing.services.moderate (staff) or
    publishing.services.entry_changed (the submitter's edits), both of which call
    publishing.services.transition.
    """

    PENDING = "pending", _("Waiting for moderation")
    FIXED = "fixed", _("Fixed by the submitter – waiting for moderation")
    APPROVED = "approved", _("Approved for publication")
    RETURNED = "returned", _("Returned to the submitter for fixes")
    REJECTED = "rejected", _("Not published")


PUBLICATION_TRANSITIONS = {
    PublicationStatus.PENDING: frozenset(
        {PublicationStatus.APPROVED, PublicationStatus.RETURNED, PublicationStatus.REJECTED}
    ),
    PublicationStatus.RETURNED: frozenset(
        {PublicationStatus.FIXED, PublicationStatus.APPROVED, PublicationStatus.REJECTED}
    ),
    PublicationStatus.FIXED: frozenset(
        {PublicationStatus.APPROVED, PublicationStatus.RETURNED, PublicationStatus.REJECTED}
    ),
    PublicationStatus.APPROVED: frozenset(
        {PublicationStatus.PENDING, PublicationStatus.RETURNED, PublicationStatus.REJECTED}
    ),
    PublicationStatus.REJECTED: frozenset({PublicationStatus.PENDING}),
}
# What awaits a moderator, fixed entries first.
AWAITING_MODERATION = (PublicationStatus.FIXED, PublicationStatus.PENDING)


class Publication(models.Model):
    """Staff moderation of an entry. The entry is public while it has an approved
    version, it is not withdrawn and its submitter consents (publishing.queries.published(),
    the one definition)."""

    entry = models.OneToOneField(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="publication"
    )
    status = models.CharField(
        _("publication"),
        max_length=10,
        db_index=True,
        choices=PublicationStatus.choices,
        default=PublicationStatus.PENDING,
    )
    flags = models.JSONField(_("automatic moderation flags"), default=list, blank=True)
    note = models.TextField(_("internal note"), blank=True)
    returned_comment = models.TextField(_("comment to the submitter"), blank=True)
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    # The version the public sees (None: none was approved, or the approved one was
    # rejected). Set by publishing.services.transition; an edit waiting for moderation
    # leaves it as it is.
    approved_version = models.ForeignKey(
        EntryVersion,
        verbose_name=_("public version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_public_at = models.DateTimeField(
        _("last public at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the entry was last public (approved, consented, not withdrawn). An entry "
            "that was public once and is not any more answers with “no longer published” "
            "(HTTP 410) instead of “not found”."
        ),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    # The moderation queue's order: when the status last changed (an edit of the internal
    # note or of the flags does not move an entry to the end of the queue).
    status_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PublicationStatus.values), name="publication_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PublicationStatus.RETURNED, PublicationStatus.FIXED])
                | ~Q(returned_comment=""),
                name="publication_returned_with_comment",
            ),
            models.CheckConstraint(
                condition=~Q(status=PublicationStatus.APPROVED)
                | Q(first_published_at__isnull=False),
                name="publication_approved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(approved_version__isnull=True) | Q(first_published_at__isnull=False),
                name="publication_public_version_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.entry.reference}: {self.get_status_display()}"


SEARCH_CONFIGS = {"fi": "finnish", "sv": "swedish", "en": "english"}


def search_document():
    """A public entry's search document, computed by the database from the row's own
    columns whenever they are written: the organisation's and partners' names with the
    language-neutral `simple` configuration (weight A), and each language's title (A)
    and other texts (B) with that language's configuration. Every function in it is
    immutable, as a generated column needs."""
    vector = SearchVector(F("organisation_name"), config="simple", weight="A") + SearchVector(
        F("partners"), config="simple", weight="A"
    )
    for code, config in SEARCH_CONFIGS.items():
        rest = []
        for name in ENTRY_TEXT_FIELDS[1:]:
            rest += [KT(f"texts__{code}__{name}"), Value(" ", output_field=models.TextField())]
        vector = (
            vector
            + SearchVector(KT(f"texts__{code}__title"), config=config, weight="A")
            + SearchVector(
                Concat(*rest[:-1], output_field=models.TextField()), config=config, weight="B"
            )
        )
    return vector


class PublicEntryManager(models.Manager):
    def get_queryset(self):
        # The search document is for the database's search alone: never read into Python.
        return super().get_queryset().defer("document")


class PublicEntry(models.Model):
    """The public read model: one row per public entry, holding exactly what the public
    may see of it and nothing else (no contact column; tests/test_read_model.py checks).

    Written only by publishing.changes.public_change(), inside the transaction of the
    change, by publishing.read_model from the one definition of what is public
    (queries.published()): the texts and the rest of the version a moderator approved,
    and what staff and partners decided as it is now (confirmed partners, prizes, the
    programme, progress reports, challenges taken up by published pledges). Every public
    page, the search, the feeds, the sitemap, the statistics, the programme and the open
    data read it; `manage.py rebuild_public` recreates it from the source tables.

    Names of themes, target groups, places and prize categories are kept as ids (the
    pages take the names in their language from queries.taxonomy()); texts per language
    as `texts`, the card's title and summary with the fallback to the entry's own
    language resolved."""

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.CASCADE, related_name="public", editable=False
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=20)
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    original_language = models.CharField(max_length=2)
    # The languages the entry has a text in, and its texts: {language: {field: text}}.
    languages = ArrayField(models.CharField(max_length=2))
    texts = models.JSONField()
    # Title and summary in each page language, else in the entry's own language.
    title_fi = models.CharField(max_length=150)
    title_sv = models.CharField(max_length=150)
    title_en = models.CharField(max_length=150)
    summary_fi = models.CharField(max_length=500)
    summary_sv = models.CharField(max_length=500)
    summary_en = models.CharField(max_length=500)
    organisation_name = models.CharField(max_length=200)
    organisation_type = models.CharField(
        max_length=20, choices=OrganisationType.choices, blank=True
    )
    organisation_business_id = models.CharField(max_length=9, blank=True)
    organisation_municipality = models.CharField(max_length=3, blank=True)  # its code
    organisation_website = models.URLField(max_length=300, blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True)
    partners = models.JSONField(default=list)  # the confirmed partners' names
    theme_ids = ArrayField(models.IntegerField(), default=list)
    target_group_ids = ArrayField(models.IntegerField(), default=list)
    municipality_ids = ArrayField(models.IntegerField(), default=list)
    # The codes of its municipalities' regions (submissions.Region), in code order; an
    # entry for all of Finland belongs to every region (publishing.regions).
    region_codes = ArrayField(models.CharField(max_length=2), default=list)
    whole_country = models.BooleanField(default=False)
    pledge_deadline = models.DateField(null=True, blank=True)
    image = models.ImageField(upload_to="images/", blank=True)
    in_programme = models.BooleanField(default=False)
    # [{"category": id, "citation": {language: the citation shown on its pages}}].
    prizes = models.JSONField(default=list)
    prize_category_ids = ArrayField(models.IntegerField(), default=list)
    # The status of the newest approved progress report ("" when none), and how many.
    progress_status = models.CharField(max_length=12, choices=ProgressStatus.choices, blank=True)
    reports = models.PositiveIntegerField(default=0)
    # Published pledges that took up this pledge's challenge; the reference of the one
    # this pledge takes up (as given when sent).
    challenge_taker_ids = ArrayField(models.IntegerField(), default=list)
    challenge_of = models.CharField(max_length=20, blank=True)
    # Partners wanted (submissions.PartnerSearch, as it is now): the kinds of
    # organisation, regions (every region when anywhere in Finland) and themes sought.
    seeks_partners = models.BooleanField(default=False)
    open_to_cooperation = models.BooleanField(default=False)
    sought_types = ArrayField(models.CharField(max_length=20), default=list)
    sought_whole_country = models.BooleanField(default=False)
    sought_region_codes = ArrayField(models.CharField(max_length=2), default=list)
    sought_theme_ids = ArrayField(models.IntegerField(), default=list)
    published_at = models.DateTimeField()  # first published
    updated_at = models.DateTimeField()  # what the public sees of it last changed
    # The search document (search_document()), kept by the database.
    document = models.GeneratedField(
        expression=search_document(), output_field=SearchVectorField(), db_persist=True
    )

    objects = PublicEntryManager()

    class Meta:
        indexes = [
            # The catalogue, newest first.
            models.Index(fields=["-published_at", "-entry"], name="public_entry_newest"),
            GinIndex(fields=["document"], name="public_entry_document"),
            GinIndex(fields=["theme_ids"], name="public_entry_themes"),
            GinIndex(fields=["target_group_ids"], name="public_entry_groups"),
            GinIndex(fields=["municipality_ids"], name="public_entry_places"),
            GinIndex(fields=["region_codes"], name="public_entry_regions"),
            GinIndex(fields=["prize_category_ids"], name="public_entry_prizes"),
            models.Index(
                fields=["-published_at", "-entry"],
                condition=Q(seeks_partners=True),
                name="public_entry_seeking",
            ),
            models.Index(
                fields=["campaign", "number"],
                condition=Q(in_programme=True),
                name="public_entry_programme",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_pledge(self):
        return self.kind == EntryKind.PLEDGE

    @property
    def challenge_count(self):
        """How many published pledges took up this pledge's challenge."""
        return len(self.challenge_taker_ids)


class SearchTerm(models.Model):
    """The vocabulary of the public entries' search documents: each word of their texts
    (lower case, as written), the lexeme a document holds for it, the text search
    configuration that made it and in how many public entries it is. A query word is
    looked up here to find the compounds it is part of ("harjoittelupaikkoja" →
    "työharjoittelupaikkoja") and, when no text has it, the words one typo away; the
    documents are then searched with those lexemes through their GIN index. Kept by
    publishing.read_model with the read model: a word leaves it with the last public
    entry that had it."""

    config = models.CharField(max_length=10)
    lexeme = models.CharField(max_length=100, db_collation="C")
    word = models.CharField(max_length=100, db_collation="C")
    # The word without accents ("språkcafé" → "sprakcafe"), for typos and plain keyboards.
    plain = models.CharField(max_length=100, db_collation="C")
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index for a lexeme prefix (C collation: a plain range scan).
            models.UniqueConstraint(fields=["lexeme", "config", "word"], name="search_term_unique"),
        ]
        indexes = [
            # Parts of compounds (lexeme LIKE '%part%') and typos (similar trigrams).
            GinIndex(fields=["lexeme"], name="search_term_trigram", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["plain"], name="search_term_plain", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self):
        return f"{self.word} → {self.lexeme} ({self.config})"


class Programme(TranslatableModel):
    """The cooperation programme of a campaign: the coordinator's translated introduction."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="programme"
    )
    translations = TranslatedFields(
        title=models.CharField(_("title"), max_length=200),
        introduction=models.TextField(_("introduction")),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cooperation programme")
        verbose_name_plural = _("cooperation programmes")

    def __str__(self):
        return self.safe_translation_getter("title", any_language=True) or str(self.campaign)


class PublicText(Entry):
    """An entry seen as its public text, for staff to translate (fi, sv, en tabs)."""

    class Meta:
        proxy = True
        verbose_name = _("public text and translations")
        verbose_name_plural = _("public texts and translations")


class PublicState(models.Model):
    """One row: when anything the public sees last changed. publishing.changes moves it
    on every public change; ETag, Last-Modified (and the page cache) follow it."""

    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="public_state_one_row")]

    def __str__(self):
        return self.changed_at.isoformat()


class PublicFile(models.Model):
    """A file built in the background for the public (publishing/public_files.py): an
    open-data file in one language, or a campaign's programme PDF in one language.

    The file is written under a new name each time and this row then points at it, so a
    reader gets the whole old file or the whole new one, never half of either; the
    previous file is kept for downloads still running and removed at the next build."""

    key = models.CharField(max_length=200, unique=True)  # "open-data/fi/entries.json"
    name = models.CharField(max_length=255)  # in the storage
    previous_name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField()
    etag = models.CharField(max_length=64)  # a hash of the content
    generated_at = models.DateTimeField()
    # The last public change (PublicState.changed_at) its content includes.
    as_of = models.DateTimeField(null=True)
    # A hash of what it was made from, when that is cheaper to compare than to make the
    # file again (the programme PDF's HTML).
    source_hash = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return self.key


class ReportPublication(models.Model):
    """Moderation of a progress report: the same states and transitions as an entry's
    publication (PUBLICATION_TRANSITIONS). A report is public while it is approved and
    its entry is public."""

    report = models.OneToOneField(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.CASCADE,
        related_name="publication",
    )
    status = models.CharField(
        _("publication"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.PENDING,
        db_index=True,
    )
    flags = models.JSONField(_("automatic moderation flags"), default=list, blank=True)
    note = models.TextField(_("internal note"), blank=True)
    returned_comment = models.TextField(_("comment to the submitter"), blank=True)
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    status_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)

    class Meta:
        verbose_name = _("progress report's publication")
        verbose_name_plural = _("progress reports' publication")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PublicationStatus.values),
                name="report_publication_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PublicationStatus.RETURNED, PublicationStatus.FIXED])
                | ~Q(returned_comment=""),
                name="report_publication_returned_with_comment",
            ),
            models.CheckConstraint(
                condition=~Q(status=PublicationStatus.APPROVED)
                | Q(first_published_at__isnull=False),
                name="report_publication_approved_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.report}: {self.get_status_display()}"


class PublicReportText(ProgressReport):
    """A progress report seen as its public text, for staff to translate (fi, sv, en)."""

    class Meta:
        proxy = True
        verbose_name = _("progress report text and translations")
        verbose_name_plural = _("progress report texts and translations")
