"""Follow-up: indicators, progress reports, their figures and reminders."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from parler.models import TranslatableModel, TranslatedFields

from .campaign import Campaign
from .entries import LANGUAGE_CODES, Entry
from .partners import Partnership


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
