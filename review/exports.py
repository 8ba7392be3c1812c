"""The ranking and the reviews as CSV or XLSX for the coordinator."""

from django.utils.translation import gettext as _

from kotolupaus.spreadsheets import spreadsheet_response
from submissions.access import can_view_contact_data

from .models import Criterion
from .ranking import reviews_for_export


def _round(value):
    return None if value is None else round(value, 3)


def ranking_response(campaign, rows, file_format, user):
    """The ranking; with the contact persons for those who may see contact data."""
    contact = can_view_contact_data(user)
    header = [
        _("reference"),
        _("kind"),
        _("title"),
        _("organisation"),
        _("reviews"),
        _("weighted mean"),
        _("median"),
        _("spread"),
        _("normalised score"),
        _("disputed"),
        _("decision"),
        *([_("contact person"), _("contact e-mail"), _("contact telephone")] if contact else []),
    ]
    data = []
    for row in rows:
        entry = row.entry
        decision = row.decision
        data.append(
            [
                entry.reference,
                entry.get_kind_display(),
                entry.safe_translation_getter("title", any_language=True),
                entry.lead_organisation.name,
                row.count,
                _round(row.mean),
                _round(row.median),
                _round(row.spread),
                _round(row.mean_z),
                _("yes") if row.disputed else "",
                decision.get_outcome_display() if decision else "",
                *(
                    [entry.contact_name, entry.contact_email, entry.contact_phone]
                    if contact
                    else []
                ),
            ]
        )
    return spreadsheet_response(
        f"ranking-{campaign.slug}", [str(h) for h in header], data, file_format
    )


def reviews_response(campaign, file_format):
    criteria = list(Criterion.objects.filter(campaign=campaign).prefetch_related("translations"))
    header = [
        _("reference"),
        _("reviewer"),
        *[str(c) for c in criteria],
        _("recommendation"),
        _("comment"),
        _("updated at"),
    ]
    data = []
    for review in reviews_for_export(campaign):
        values = {s.criterion_id: s.value for s in review.scores.all()}
        data.append(
            [
                review.entry.reference,
                review.reviewer.username,
                *[values.get(c.pk) for c in criteria],
                review.get_recommendation_display(),
                review.comment,
                review.updated_at.strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return spreadsheet_response(
        f"reviews-{campaign.slug}",
        [str(h) for h in header],
        data,
        "xlsx" if file_format == "xlsx" else "csv",
    )
