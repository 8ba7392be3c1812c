"""Progress reports and their reminders."""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import extensions
from ..models import (
    Entry,
    Indicator,
    ProgressReport,
    ProgressStatus,
    ReportFigure,
)
from .entries import _store_image
from .links import link

log = logging.getLogger(__name__)


class ReportRefused(Exception):
    """A progress report that cannot be sent or changed now; the message says why."""


def _report_allowed(entry: Entry) -> None:
    if not extensions.published_entries(Entry.objects.filter(pk=entry.pk)).exists():
        raise ReportRefused(
            _(
                "Progress can be reported only on a published pledge or initiative that has "
                "not been withdrawn and whose consent to publish is in force."
            )
        )


def _apply_report(report: ProgressReport, data: dict[str, Any], language: str) -> None:
    report.status = data["status"]
    report.reason = data.get("reason", "") if data["status"] == ProgressStatus.DISCONTINUED else ""
    report.reported_on = data["reported_on"]
    previous = report.original_language
    report.original_language = language
    if previous and previous != language:
        report.translations.filter(language_code=previous).delete()
    report.set_current_language(language)
    report.text = data["text"]
    _store_image(report, "image", data.get("image"), remove=bool(data.get("image_remove")))


def _save_figures(report: ProgressReport, figures: dict[Indicator, Any]) -> None:
    """figures: {indicator: value or None}; an empty figure removes it."""
    for indicator, value in figures.items():
        if value is None:
            report.figures.filter(indicator=indicator).delete()
        else:
            ReportFigure.objects.update_or_create(
                report=report, indicator=indicator, defaults={"value": value}
            )


def add_report(entry: Entry, data: dict[str, Any], *, language: str) -> ProgressReport:
    """The submitter reports what became of a published entry (through the private link)."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        _report_allowed(entry)
        report = ProgressReport(entry=entry)
        _apply_report(report, data, language)
        report.save()
        _save_figures(report, data.get("figures") or {})
        report.contributors.set(
            entry.partnerships.confirmed().filter(
                pk__in=[p.pk for p in data.get("contributors") or []]
            )
        )
        log.info("progress report added: %s (%s)", entry.reference, report.status)
        extensions.report_changed(report, "added")
    return report


def update_report(report: ProgressReport, data: dict[str, Any], *, language: str) -> ProgressReport:
    """The submitter corrects a report while it can still be edited."""
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update().select_related("entry").get(pk=report.pk)
        )
        if not report.can_be_edited:
            raise ReportRefused(
                _("This report is part of the record now and can no longer be changed.")
            )
        _report_allowed(report.entry)
        _apply_report(report, data, language)
        report.save()
        _save_figures(report, data.get("figures") or {})
        report.contributors.set(
            report.entry.partnerships.confirmed().filter(
                pk__in=[p.pk for p in data.get("contributors") or []]
            )
        )
        log.info("progress report edited: %s", report.entry.reference)
        extensions.report_changed(report, "edited")
    return report


def open_report_for_fixes(report: ProgressReport) -> None:
    ProgressReport.objects.filter(pk=report.pk).update(open_for_fixes_since=timezone.now())


def close_report_for_fixes(report: ProgressReport) -> None:
    ProgressReport.objects.filter(pk=report.pk).update(open_for_fixes_since=None)


REMINDER_SALT = "kotolupaus.reminders.stop"


def reminders_stop_link(entry: Entry, language: str) -> str:
    """The "stop reminding me" address of an entry's reminder e-mails (signed, so only
    our e-mails carry it)."""
    from django.core import signing

    return link("submissions:reminders_stop", signing.dumps(entry.pk, salt=REMINDER_SALT), language)


def stop_reminders(entry: Entry) -> Entry:
    """The contact asked not to be reminded about this entry any more."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.reminders_stopped_at is None:
            entry.reminders_stopped_at = timezone.now()
            entry.save(update_fields=["reminders_stopped_at"])
            log.info("progress reminders stopped: %s", entry.reference)
    return entry


def resume_reminders(entry: Entry) -> Entry:
    """The contact wants the reminders again (undoing "stop reminding me")."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        if entry.reminders_stopped_at is not None:
            entry.reminders_stopped_at = None
            entry.save(update_fields=["reminders_stopped_at"])
            log.info("progress reminders resumed: %s", entry.reference)
    return entry
