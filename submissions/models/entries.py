"""Entries (pledges and initiatives), their states and their versions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from parler.managers import TranslatableQuerySet
from parler.models import TranslatableModel, TranslatedFields

from ..tokens import hash_token
from .campaign import Campaign, Municipality, TargetGroup, Theme
from .organisations import Organisation


class EntryKind(models.TextChoices):
    PLEDGE = "pledge", _("Pledge")
    INITIATIVE = "initiative", _("Initiative")


class EntryStatus(models.TextChoices):
    """An entry's life (drafts are not entries; see Draft):

    unconfirmed → submitted → withdrawn

    Sent through the form, an entry waits for its contact to confirm the e-mail address;
    confirmed, it gets its reference and reaches staff; the submitter (or erasure of the
    contact's personal data) may withdraw it. Unconfirmed entries that are not confirmed
    in time are deleted, not withdrawn. Every change goes through
    submissions.services.change_status, which obeys ENTRY_TRANSITIONS.
    """

    UNCONFIRMED = "unconfirmed", _("Waiting for the e-mail address to be confirmed")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ENTRY_TRANSITIONS = {
    EntryStatus.UNCONFIRMED: frozenset({EntryStatus.SUBMITTED}),
    EntryStatus.SUBMITTED: frozenset({EntryStatus.WITHDRAWN}),
    EntryStatus.WITHDRAWN: frozenset(),
}


LANGUAGE_CODES = ["fi", "sv", "en"]


# The text a submitter agrees to when consenting to publication; stored with each entry
# in the language it was shown in, so the record shows exactly what was agreed to.
CONSENT_TO_PUBLISH_WORDING = {
    EntryKind.PLEDGE: _(
        "I agree that the ministry may publish this pledge (its title, texts, organisations, "
        "themes, region and image, but not the contact person's details) on the campaign "
        "website and in its open data, and share it on social media. I can withdraw this "
        "consent at any time with the private link."
    ),
    EntryKind.INITIATIVE: _(
        "I agree that the ministry may publish this initiative (its title, texts, organisations, "
        "themes, region and image, but not the contact person's details) on the campaign "
        "website and in its open data, and share it on social media. I can withdraw this "
        "consent at any time with the private link."
    ),
}


def consent_wording(kind: str) -> str | Promise:
    """The consent to publish as shown on the form for this kind of entry."""
    return CONSENT_TO_PUBLISH_WORDING[EntryKind(kind)]


# The entry's public text (translated with parler), in reading order.
ENTRY_TEXT_FIELDS = (
    "title",
    "summary",
    "description",
    "promise",
    "target",
    "goal",
    "plan",
    "timetable",
    "partners_sought",
)


class EntryQuerySet(TranslatableQuerySet):
    def submitted(self):
        return self.filter(status=EntryStatus.SUBMITTED)

    def unconfirmed(self):
        return self.filter(status=EntryStatus.UNCONFIRMED)

    def by_token(self, token: str):
        """The entry of a private management link (any of its links)."""
        return self.filter(management_links__token_hash=hash_token(token))

    def by_confirmation_token(self, token: str):
        return self.filter(status=EntryStatus.UNCONFIRMED, confirm_token_hash=hash_token(token))


class Entry(TranslatableModel):
    """A pledge or an initiative, as submitted by an organisation (with partners)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED
    )
    # Given when the contact confirms the address, so that references stay gap-free.
    number = models.PositiveIntegerField(_("number"), null=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20, blank=True, editable=False)
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="led_entries",
    )
    original_language = models.CharField(
        _("language written in"), max_length=2, choices=settings.LANGUAGES
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="entries")
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), related_name="entries"
    )
    municipalities = models.ManyToManyField(
        Municipality, verbose_name=_("municipalities"), related_name="entries", blank=True
    )
    whole_country = models.BooleanField(_("all of Finland"), default=False)
    pledge_deadline = models.DateField(_("to be fulfilled by"), null=True, blank=True)
    image = models.ImageField(_("image"), upload_to="images/", blank=True)
    challenge_of = models.ForeignKey(
        "self",
        verbose_name=_("takes up the challenge of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenge_takers",
        help_text=_("A published pledge this pledge answers as a challenge."),
    )
    open_for_fixes_since = models.DateTimeField(
        _("returned for fixes at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Staff returned the entry to its submitter, who may edit it even after "
            "the deadline until staff approve it again."
        ),
    )

    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"), max_length=254)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    contact_language = models.CharField(
        _("language of correspondence"), max_length=2, choices=settings.LANGUAGES
    )

    consent_publish = models.BooleanField(_("consent to publish"), default=False)
    consent_publish_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_wording = models.TextField(_("consent wording shown"), blank=True)
    consent_contact = models.BooleanField(_("consent to be contacted later"), default=False)
    reminders_stopped_at = models.DateTimeField(
        _("progress reminders stopped at"), null=True, blank=True, editable=False
    )
    authorised = models.BooleanField(_("authorised to submit for the organisation"))

    # The one-time link that confirms the contact's e-mail address (its hash; emptied
    # once used).
    confirm_token_hash = models.CharField(  # noqa: DJ001 - NULL (not "") once used: unique
        max_length=64, unique=True, null=True, editable=False
    )
    submission_key = models.UUIDField(unique=True, editable=False)
    # The time of sending: it is what meets the deadline, also when confirmed later.
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(
        _("e-mail address confirmed at"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)

    translations = TranslatedFields(
        title=models.CharField(_("title"), max_length=150),
        summary=models.CharField(_("summary"), max_length=500),
        description=models.TextField(_("description"), max_length=5000),
        promise=models.TextField(_("what we promise"), max_length=2000, blank=True),
        target=models.TextField(_("measurable target"), max_length=1000, blank=True),
        goal=models.TextField(_("goal"), max_length=2000, blank=True),
        plan=models.TextField(_("how it is carried out"), max_length=4000, blank=True),
        timetable=models.TextField(_("timetable"), max_length=1000, blank=True),
        partners_sought=models.TextField(_("partners sought"), max_length=1000, blank=True),
        meta={
            "constraints": [
                models.CheckConstraint(
                    condition=~Q(title="") & ~Q(summary="") & ~Q(description=""),
                    name="entry_text_has_title_summary_description",
                ),
                models.CheckConstraint(
                    # A pledge's text has its promise and target, an initiative's its goal
                    # and plan; never a mixture. Both may say what partners they seek.
                    condition=(~Q(promise="") & ~Q(target="") & Q(goal="", plan=""))
                    | (~Q(goal="") & ~Q(plan="") & Q(promise="", target="")),
                    name="entry_text_has_fields_of_one_kind",
                ),
            ]
        },
    )

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-submitted_at"]
        permissions = [
            (
                "view_contact_data",
                _("Can see contact persons' names, e-mail addresses and telephone numbers"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"], name="entry_unique_number_per_campaign"
            ),
            models.UniqueConstraint(
                fields=["campaign", "reference"],
                condition=~Q(reference=""),
                name="entry_unique_reference_per_campaign",
            ),
            models.CheckConstraint(
                # An entry gets its number and reference when its address is confirmed.
                condition=Q(status=EntryStatus.UNCONFIRMED, number__isnull=True, reference="")
                | (
                    ~Q(status=EntryStatus.UNCONFIRMED)
                    & Q(number__isnull=False, reference__regex=r"^KL-[0-9]{4}-[0-9]{4,}$")
                ),
                name="entry_reference_format",
            ),
            models.CheckConstraint(
                condition=Q(status=EntryStatus.UNCONFIRMED) | Q(confirm_token_hash__isnull=True),
                name="entry_confirmation_link_only_while_unconfirmed",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="entry_number_positive"),
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="entry_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=EntryStatus.values), name="entry_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(original_language__in=LANGUAGE_CODES)
                & Q(contact_language__in=LANGUAGE_CODES),
                name="entry_languages_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.INITIATIVE) | Q(pledge_deadline__isnull=False),
                name="entry_pledge_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.PLEDGE) | Q(pledge_deadline__isnull=True),
                name="entry_initiative_has_no_pledge_deadline",
            ),
            models.CheckConstraint(
                condition=Q(consent_publish=False) | Q(consent_publish_at__isnull=False),
                name="entry_consent_time_set_when_consented",
            ),
            models.CheckConstraint(
                condition=Q(consent_publish=False) | ~Q(consent_wording=""),
                name="entry_consent_wording_stored_when_consented",
            ),
            models.CheckConstraint(
                condition=Q(status=EntryStatus.WITHDRAWN, withdrawn_at__isnull=False)
                | (~Q(status=EntryStatus.WITHDRAWN) & Q(withdrawn_at__isnull=True)),
                name="entry_withdrawal_time_set_when_withdrawn",
            ),
            models.CheckConstraint(condition=Q(authorised=True), name="entry_authorised"),
        ]

    def __str__(self):
        return f"{self.reference} {self.text_in('title')}".strip()

    def get_fallback_languages(self):
        """A text missing in the active language is shown in the language the entry was
        written in (never in another translation, never blank)."""
        if self.original_language and self.original_language != self._current_language:
            return [self.original_language]
        return []

    def _get_translated_model(
        self, language_code=None, use_fallback=False, auto_create=False, meta=None
    ):
        # django-parler falls back to the site-wide fallback languages (fi, en); an entry
        # falls back to its own language instead, so entry.title on a Finnish page of a
        # Swedish entry is its Swedish title, wherever it is shown (tests pin this).
        try:
            return super()._get_translated_model(
                language_code, use_fallback=False, auto_create=auto_create, meta=meta
            )
        except (meta or self._parler_meta.root).model.DoesNotExist:
            original = self.original_language
            if not use_fallback or auto_create or not original or language_code == original:
                raise
            return super()._get_translated_model(original, use_fallback=False, meta=meta)

    def original_text(self, field):
        """A public text field in the language the submitter wrote it in."""
        return self.safe_translation_getter(field, language_code=self.original_language)

    def text_in(self, field, language=None):
        """A public text field in `language` (the active one by default), or else in the
        language the entry was written in — never blank while the entry has the text."""
        language = language or get_language()
        texts = {t.language_code: getattr(t, field) for t in self.translations.all()}
        return texts.get(language) or texts.get(self.original_language) or ""

    @property
    def display_title(self):
        """The title in the active language, or else in the entry's own language."""
        return self.text_in("title")

    @property
    def is_unconfirmed(self):
        return self.status == EntryStatus.UNCONFIRMED

    @property
    def is_withdrawn(self):
        return self.status == EntryStatus.WITHDRAWN

    @property
    def is_pledge(self):
        return self.kind == EntryKind.PLEDGE

    @property
    def can_be_edited(self):
        if self.is_withdrawn:
            return False
        return self.campaign.is_open() or self.open_for_fixes_since is not None

    def region_names(self):
        names = [str(m) for m in self.municipalities.all()]
        return ([str(_("All of Finland"))] if self.whole_country else []) + names


class VersionSource(models.TextChoices):
    """Who made a version of an entry (EntryVersion)."""

    SUBMITTER = "submitter", _("the submitter")
    TRANSLATION = "translation", _("a staff translation")
    CORRECTION = "correction", _("a staff correction")
    APPROVAL = "approval", _("a moderator's approval")


class EntryVersion(models.Model):
    """A snapshot of what a reviewer or the public sees of an entry: its texts in every
    language, its organisation as described, its partners (names and roles), places,
    themes, target groups and image — never contact data (no contact person, no
    invitation address). Made by submissions.versions.record() when the entry reaches
    staff and whenever that changes afterwards (the submitter's edits and partners, a
    staff translation or correction), and when a moderator approves it: the public read
    model is built from the version its publication approved
    (publishing.Publication.approved_version); a review can record the version it
    scored. Versions are never changed."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    source = models.CharField(_("made by"), max_length=12, choices=VersionSource.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    # What differs from the previous version: "organisation", "themes" … and
    # "texts.<language>.<field>" for the texts.
    changed = models.JSONField(_("changed fields"), default=list, blank=True)
    content = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["entry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="entry_version_unique"),
            models.CheckConstraint(
                condition=Q(source__in=VersionSource.values), name="entry_version_source_valid"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="entry_version_positive"),
        ]

    def __str__(self):
        return f"{self.entry.reference} v{self.number}"


def entry_reference(entry_id: models.Expression | models.F) -> models.Subquery:
    """The reference of the entry with the id `entry_id` (an OuterRef), as a subquery: how
    rows that name an entry by id only (the shared layer's e-mail messages) show it."""
    return models.Subquery(Entry.objects.filter(pk=entry_id).values("reference")[:1])
