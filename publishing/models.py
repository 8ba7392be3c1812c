"""What the public sees: the moderation state of each entry, the search index, the
cooperation programme's texts and messages relayed to initiatives seeking partners."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModel, TranslatedFields

from submissions.models import Campaign, Entry, ProgressReport, ProgressStatus


class PublicationStatus(models.TextChoices):
    """Moderation of an entry's public text (see PUBLICATION_TRANSITIONS):

    pending → approved | returned | not published
    returned → fixed (the submitter saved changes) | approved | not published
    fixed → approved | returned | not published
    approved → pending (the submitter edited it) | returned | not published
    not published → pending (staff reconsider, or the submitter edited it)

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
    """Staff moderation of an entry. The entry is public only while this is approved,
    the entry is not withdrawn and its submitter consents (Entry.objects.published())."""

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
    # The status of the newest approved progress report (kept by publishing.changes),
    # for the catalogue's "achieved" / "under way" filter.
    progress_status = models.CharField(
        _("progress"), max_length=12, choices=ProgressStatus.choices, blank=True, db_index=True
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [
            # The catalogue lists approved entries newest first.
            models.Index(
                fields=["-first_published_at"],
                condition=Q(status=PublicationStatus.APPROVED),
                name="publication_public_order",
            ),
            # A search puts up to a thousand matches in date order from this alone.
            models.Index(
                fields=["entry"],
                include=["first_published_at"],
                condition=Q(status=PublicationStatus.APPROVED),
                name="publication_public_entry",
            ),
        ]
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
        ]

    def __str__(self):
        return f"{self.entry.reference}: {self.get_status_display()}"


class SearchDocument(models.Model):
    """The entry's public text in every language it has, for full-text search with each
    language's own dictionary (finnish, swedish, english); the organisations' names with
    the language-neutral `simple` one. Kept up to date by publishing.search.index_entry()."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="search_document")
    document = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["document"], name="search_document_gin")]

    def __str__(self):
        return self.entry.reference


class SearchTerm(models.Model):
    """The vocabulary of the search documents: each word of the indexed texts (lower case,
    as written), the lexeme a document holds for it and the text search configuration that
    made it. A query word is looked up here to find the compounds it is part of
    ("harjoittelupaikkoja" → "työharjoittelupaikkoja") and, when no text has it, the words
    one typo away; the documents are then searched with those lexemes through their GIN
    index. Grows with publishing.search.index_entry(); a lexeme no public document holds
    any more only widens a query by a word that matches nothing."""

    config = models.CharField(max_length=10)
    lexeme = models.CharField(max_length=100, db_collation="C")
    word = models.CharField(max_length=100, db_collation="C")
    # The word without accents ("språkcafé" → "sprakcafe"), for typos and plain keyboards.
    plain = models.CharField(max_length=100, db_collation="C")

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


class JoinRequest(models.Model):
    """A message from an organisation that wants to join an initiative, relayed by e-mail
    to the initiative's contact person (whose address the sender never sees)."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="join_requests"
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), max_length=254)
    message = models.TextField(_("message"), max_length=3000)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organisation} → {self.entry.reference}"


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
