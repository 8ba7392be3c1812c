from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from parler.managers import TranslatableQuerySet
from parler.models import TranslatableModel, TranslatedFields

hashtag_validator = RegexValidator(
    r"^#\w{2,60}$",
    _("Enter a hashtag: # followed by letters, digits or underscores, e.g. #kotolupaus."),
)


class CampaignQuerySet(TranslatableQuerySet):
    def open_at(self, moment: datetime):
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)

    def current(self):
        """The campaign the site is about: the open one, otherwise the latest one.

        Several campaigns may exist (the historical 2015 one, a new one); when two are
        open at once the one opened most recently wins.
        """
        now = timezone.now()
        return (
            self.annotate(
                is_open_now=Case(
                    When(Q(opens_at__lte=now, closes_at__gt=now), then=Value(True)),
                    default=Value(False),
                )
            )
            .order_by(F("is_open_now").desc(), "-opens_at")
            .prefetch_related("translations")
            .first()
        )


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

    translations = TranslatedFields(
        name=models.CharField(_("name"), max_length=200),
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
