from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from parler.managers import TranslatableQuerySet
from parler.models import TranslatableModel, TranslatedFields

from .tokens import hash_token
from .validators import validate_business_id

reminder_months_validator = RegexValidator(
    r"^(|[1-9][0-9]?(,[1-9][0-9]?)*)$",
    _("Enter whole months from 1 to 99 separated by commas, e.g. 6,12."),
)

hashtag_validator = RegexValidator(
    r"^#\w{2,60}$",
    _("Enter a hashtag: # followed by letters, digits or underscores, e.g. #kotolupaus."),
)


class CampaignQuerySet(TranslatableQuerySet):
    def open_at(self, moment: datetime):
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)

    def current(self, *, names=True):
        """The campaign the site is about: the open one, otherwise the latest one (with
        its translated names unless names=False).

        Several campaigns may exist (the historical 2015 one, a new one); when two are
        open at once the one opened most recently wins.
        """
        now = timezone.now()
        campaigns = self.annotate(
            is_open_now=Case(
                When(Q(opens_at__lte=now, closes_at__gt=now), then=Value(True)),
                default=Value(False),
            )
        ).order_by(F("is_open_now").desc(), "-opens_at")
        return (campaigns.prefetch_related("translations") if names else campaigns).first()


class Campaign(TranslatableModel):
    """One round of the cooperation campaign, with its submission window."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    opens_at = models.DateTimeField(
        _("opens at"), help_text=_("Submissions are accepted from this moment (Helsinki time).")
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        help_text=_(
            "Submissions are refused from this moment on (Helsinki time). To accept "
            "submissions through 16 November, enter 17 November 00:00."
        ),
    )
    hashtag = models.CharField(
        _("hashtag"), max_length=61, default="#kotolupaus", validators=[hashtag_validator]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The last entry number given out; bumped in the submitting transaction, so numbers
    # are gap-free and unique even under concurrent submits.
    last_entry_number = models.PositiveIntegerField(default=0, editable=False)

    # Follow-up: when the contacts of published entries are reminded to report progress.
    reminder_months = models.CharField(
        _("reminders, months after publication"),
        max_length=40,
        blank=True,
        default="6,12",
        validators=[reminder_months_validator],
        help_text=_(
            "Months after an entry's publication when its contact is reminded to report "
            "progress, separated by commas, e.g. 6,12. Empty: no reminders after publication."
        ),
    )
    programme_ends_on = models.DateField(
        _("the programme ends on"),
        null=True,
        blank=True,
        help_text=_(
            "The last day of the cooperation programme. Contacts are also reminded a month "
            "before it."
        ),
    )

    translations = TranslatedFields(
        name=models.CharField(_("name"), max_length=200),
        short_name=models.CharField(
            _("short name"),
            max_length=40,
            blank=True,
            help_text=_(
                "For e-mail subjects and signatures, e.g. “Kotolupaus 2027”. Empty: the name."
            ),
        ),
        intro=models.TextField(
            _("introduction"), blank=True, help_text=_("Shown on the home page.")
        ),
        contact=models.TextField(
            _("contact information"),
            blank=True,
            help_text=_("Who to contact about the campaign; shown at the foot of every page."),
        ),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="campaign_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(hashtag__regex=r"^#\w{2,60}$"), name="campaign_hashtag_format"
            ),
        ]

    def __str__(self):
        return self.safe_translation_getter("name", any_language=True) or self.slug

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The campaign must close after it opens.")})

    @property
    def reminder_month_list(self) -> list[int]:
        return sorted({int(m) for m in self.reminder_months.split(",") if m.strip()})

    def is_open(self, moment: datetime | None = None) -> bool:
        """Open from `opens_at` (inclusive) until `closes_at` (exclusive), to the second."""
        moment = moment or timezone.now()
        return self.opens_at <= moment < self.closes_at

    def has_not_opened(self, moment: datetime | None = None) -> bool:
        return (moment or timezone.now()) < self.opens_at

    @property
    def last_day(self):
        """The last calendar day (Helsinki time) on which submissions are accepted."""
        return timezone.localtime(self.closes_at - timedelta(microseconds=1)).date()


# --- Taxonomies -----------------------------------------------------------------------------


class Theme(TranslatableModel):
    """What an entry is about (working life, training, leisure …), seeded by a migration."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    translations = TranslatedFields(
        name=models.CharField(_("name"), max_length=120),
        description=models.CharField(_("description"), max_length=300, blank=True),
    )

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.safe_translation_getter("name", any_language=True) or self.slug


class TargetGroup(TranslatableModel):
    """Who an entry helps (newly arrived immigrants, refugees …), seeded by a migration."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    translations = TranslatedFields(
        name=models.CharField(_("name"), max_length=120),
    )

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.safe_translation_getter("name", any_language=True) or self.slug


class MunicipalityQuerySet(models.QuerySet):
    def in_name_order(self, language=None):
        """Alphabetical by the name shown in `language` (the page's by default)."""
        language = language or get_language()
        if language == "sv":
            return self.order_by("name_sv", "code")
        if language == "en":
            shown = Case(
                When(majority_language="sv", then=F("name_sv")),
                default=F("name_fi"),
                output_field=models.CharField(),
            )
            return self.annotate(name_shown=shown).order_by("name_shown", "code")
        return self.order_by("name_fi", "code")


class Municipality(models.Model):
    """A municipality of Finland (Statistics Finland's classification), named in fi and sv.

    Finnish pages show the Finnish name, Swedish pages the Swedish one, and English pages
    the name in the municipality's majority language (Mariehamn, Jakobstad, Närpes, but
    Helsinki and Porvoo), as the Government decree on the linguistic status of
    municipalities sets it (see migration 0006 for the sources).
    """

    code = models.CharField(_("code"), max_length=3, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=80)
    name_sv = models.CharField(_("name in Swedish"), max_length=80)
    majority_language = models.CharField(
        _("majority language"),
        max_length=2,
        choices=[("fi", _("Finnish")), ("sv", _("Swedish"))],
        default="fi",
        help_text=_(
            "The language of the majority of the inhabitants, as set by the Government "
            "decree on the linguistic status of municipalities. English pages use the "
            "name in this language."
        ),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_fi"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{3}$"), name="municipality_code_three_digits"
            ),
            models.CheckConstraint(
                condition=Q(majority_language__in=["fi", "sv"]),
                name="municipality_majority_language_valid",
            ),
        ]

    def __str__(self):
        return self.name_in(get_language())

    def name_in(self, language):
        """The name a reader of a page in `language` expects."""
        if language == "sv":
            return self.name_sv
        if language == "en":
            return self.name_sv if self.majority_language == "sv" else self.name_fi
        return self.name_fi


# --- Organisations and entries -----------------------------------------------------------


class OrganisationType(models.TextChoices):
    COMPANY = "company", _("Company")
    MUNICIPALITY = "municipality", _("Municipality or joint municipal authority")
    STATE_AUTHORITY = "state_authority", _("State authority")
    NGO = "ngo", _("Association, foundation or other NGO")
    RELIGIOUS = "religious", _("Religious community")
    EDUCATION = "education", _("Educational institution")
    OTHER = "other", _("Other organisation or informal group")


class Organisation(models.Model):
    """A lead or partner organisation, as the submitter described it."""

    name = models.CharField(_("name"), max_length=200)
    business_id = models.CharField(
        _("business ID"),
        max_length=9,
        blank=True,
        validators=[validate_business_id],
        help_text=_(
            "Finnish business ID (Y-tunnus), e.g. 1234567-1. Optional for informal groups."
        ),
    )
    type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(business_id="") | Q(business_id__regex=r"^[0-9]{7}-[0-9]$"),
                name="organisation_business_id_format",
            ),
            models.CheckConstraint(
                condition=Q(type="") | Q(type__in=OrganisationType.values),
                name="organisation_type_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="organisation_has_name"),
        ]

    def __str__(self):
        return self.name


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


def consent_wording(kind):
    """The consent to publish as shown on the form for this kind of entry."""
    return CONSENT_TO_PUBLISH_WORDING[kind]


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
                    # and plan; never a mixture.
                    condition=(
                        ~Q(promise="") & ~Q(target="") & Q(goal="", plan="", partners_sought="")
                    )
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


class ManagementLink(models.Model):
    """A private link to an entry (only its hash is stored). "Lost your link?" and staff
    returning an entry for fixes add a link; earlier links keep working."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="management_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("private link")
        verbose_name_plural = _("private links")

    def __str__(self):
        return f"{self.entry.reference} {self.created_at:%Y-%m-%d %H:%M}"


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


class Draft(models.Model):
    """A form saved half-way; continued from its private link, never reviewed or published."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="drafts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    data = models.JSONField(_("form data"), default=dict)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="draft_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class RetiredLinkKind(models.TextChoices):
    DRAFT = "draft", _("draft link")
    MANAGE = "manage", _("private link to an entry")
    CONFIRM = "confirm", _("link confirming the e-mail address")
    PARTNER = "partner", _("partner organisation's invitation link")


class RetiredLinkReason(models.TextChoices):
    SENT = "sent", _("the draft was sent")
    REPLACED = "replaced", _("a newer link was issued")
    CONFIRMED = "confirmed", _("the e-mail address was confirmed")
    REMOVED = "removed", _("the partner was removed from the entry")
    EXPIRED = "expired", _("the entry was not confirmed in time and was deleted")
    ERASED = "erased", _("the entry was deleted with its contact's personal data")


class RetiredLink(models.Model):
    """A private link that no longer works, remembered by its hash only, so that whoever
    follows it is told why (HTTP 410) instead of getting a bare "not found": the draft
    was already sent, the address already confirmed, a newer invitation replaced this
    one, the partner was removed, or the unconfirmed entry was deleted."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=RetiredLinkKind.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=RetiredLinkReason.choices)
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("retired link")
        verbose_name_plural = _("retired links")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RetiredLinkKind.values), name="retiredlink_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason__in=RetiredLinkReason.values),
                name="retiredlink_reason_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_reason_display()}"

    @classmethod
    def find(cls, token: str, kind: str):
        return (
            cls.objects.select_related("entry")
            .filter(token_hash=hash_token(token), kind=kind)
            .first()
        )


# --- Follow-up: progress reports -----------------------------------------------------------


class Indicator(TranslatableModel):
    """A figure a campaign asks progress reports for (people reached, events held …),
    defined by staff with names and units in fi, sv and en."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="indicators"
    )
    slug = models.SlugField(_("slug"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    maximum = models.PositiveIntegerField(
        _("largest sensible figure"),
        default=100_000,
        help_text=_("A report with a larger figure is refused as a likely typing error."),
    )
    translations = TranslatedFields(
        name=models.CharField(_("name"), max_length=120),
        unit=models.CharField(_("unit"), max_length=40, blank=True),
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["campaign", "position", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "slug"], name="indicator_unique_slug_per_campaign"
            ),
            models.CheckConstraint(condition=Q(maximum__gte=1), name="indicator_maximum_positive"),
        ]

    def __str__(self):
        return self.safe_translation_getter("name", any_language=True) or self.slug


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    UNDER_WAY = "under_way", _("Under way")
    ACHIEVED = "achieved", _("Achieved")
    DISCONTINUED = "discontinued", _("Discontinued")


class ProgressReport(TranslatableModel):
    """What became of a published pledge or initiative, reported by its submitter
    through the private link: a dated status, a text, figures and who took part.
    Public once moderated (publishing.ReportPublication)."""

    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        related_name="progress_reports",
    )
    status = models.CharField(_("status"), max_length=12, choices=ProgressStatus.choices)
    reason = models.TextField(_("why it was discontinued"), max_length=1000, blank=True)
    reported_on = models.DateField(_("date of the report"), default=timezone.localdate)
    original_language = models.CharField(
        _("language written in"), max_length=2, choices=settings.LANGUAGES
    )
    image = models.ImageField(_("image"), upload_to="reports/", blank=True)
    contributors = models.ManyToManyField(
        Partnership,
        verbose_name=_("partner organisations who took part"),
        related_name="progress_reports",
        blank=True,
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Staff returned the report to its submitter: editable again until moderated.
    open_for_fixes_since = models.DateTimeField(
        _("returned for fixes at"), null=True, blank=True, editable=False
    )

    translations = TranslatedFields(
        text=models.TextField(_("what has been done"), max_length=3000),
    )

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProgressStatus.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ProgressStatus.DISCONTINUED) | ~Q(reason=""),
                name="report_discontinued_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(original_language__in=LANGUAGE_CODES),
                name="report_language_valid",
            ),
        ]

    def __str__(self):
        return f"{self.entry.reference} {self.reported_on:%Y-%m-%d} {self.get_status_display()}"

    def get_fallback_languages(self):
        if self.original_language and self.original_language != self._current_language:
            return [self.original_language]
        return []

    def text_in(self, language=None):
        language = language or get_language()
        texts = {t.language_code: t.text for t in self.translations.all()}
        return texts.get(language) or texts.get(self.original_language) or ""

    @property
    def edit_window_ends(self):
        return self.created_at + timedelta(hours=settings.REPORT_EDIT_HOURS)

    @property
    def can_be_edited(self):
        """For a short while after sending, or while staff have returned it for fixes;
        after that it is part of the record."""
        return self.open_for_fixes_since is not None or timezone.now() < self.edit_window_ends


class ReportFigure(models.Model):
    """One indicator's figure in a progress report."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="figures"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="figures"
    )
    value = models.PositiveIntegerField(_("figure"))

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["indicator__position", "indicator__slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="figure_once_per_indicator"
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"


class ReminderSent(models.Model):
    """A progress reminder that went (or was due and skipped): never twice for one due
    date of one entry."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="reminders"
    )
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    by_hand = models.BooleanField(_("sent by staff"), default=False)
    # False: due, but not mailed (the contact had just reported, or a later one was due).
    mailed = models.BooleanField(_("e-mailed"), default=True)

    class Meta:
        verbose_name = _("progress reminder")
        verbose_name_plural = _("progress reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "due_on"],
                condition=Q(by_hand=False),
                name="reminder_once_per_due_date",
            ),
        ]

    def __str__(self):
        return f"{self.entry.reference} {self.due_on}"
