"""The campaign, its taxonomies (themes, target groups) and the municipalities."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from parler.managers import TranslatableQuerySet
from parler.models import TranslatableModel, TranslatedFields

from .regions import Region

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
    join_request_days = models.PositiveSmallIntegerField(
        _("requests to join expire after, days"),
        default=21,
        validators=[MinValueValidator(4), MaxValueValidator(90)],
        help_text=_(
            "A request to join an entry that its contact has not answered in this many days "
            "expires, and the organisation that sent it is told. The contact is reminded "
            "once, halfway."
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

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="municipalities"
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
