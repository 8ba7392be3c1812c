"""The ranking, the reviews and the assignments as spreadsheets for the coordinator (cells
through kotolupaus.spreadsheets: typed text inert, times in Helsinki time)."""

from django.utils.translation import gettext as _

from kotolupaus.spreadsheets import local_time_header, phone, spreadsheet_response
from submissions.access import can_view_contact_data

from .models import Assignment, Criterion
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
        _("language written in"),
        _("organisation"),
        _("reviews"),
        _("withdrawn reviews (conflict of interest)"),
        _("scores of an older version"),
        _("scores of an older version left out"),
        _("weighted mean"),
        _("median"),
        _("spread"),
        _("normalised score"),
        _("disputed"),
        _("decision"),
        local_time_header(_("decision published")),
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
                entry.display_title,
                entry.get_original_language_display(),
                entry.lead_organisation.name,
                row.count,
                row.withdrawn,
                row.stale,
                row.left_out,
                _round(row.mean),
                _round(row.median),
                _round(row.spread),
                _round(row.mean_z),
                _("yes") if row.disputed else "",
                decision.get_outcome_display() if decision else "",
                decision.published_at if decision else None,
                *(
                    [entry.contact_name, entry.contact_email, phone(entry.contact_phone)]
                    if contact
                    else []
                ),
            ]
        )
    return spreadsheet_response(f"ranking-{campaign.slug}", header, data, file_format)


def agreement_response(campaign, agreement, file_format):
    """The agreement between reviewers (review/agreement.py): Krippendorff's α of each
    criterion, then each reviewer's mean difference from the others, each with the
    number of entries it rests on; "not enough reviews yet" where there is no number."""
    header = [_("what"), _("figure"), _("entries"), _("flagged")]
    data = []
    for item in agreement.criteria:
        data.append(
            [
                _("Krippendorff's α: %(criterion)s") % {"criterion": item.criterion},
                _round(item.alpha) if item.alpha is not None else _("not enough reviews yet"),
                item.entries,
                "",
            ]
        )
    for item in agreement.reviewers:
        data.append(
            [
                item.reviewer,
                round(item.mean_difference, 2)
                if item.mean_difference is not None
                else _("not enough reviews yet"),
                item.entries,
                _("yes") if item.flagged else "",
            ]
        )
    return spreadsheet_response(f"agreement-{campaign.slug}", header, data, file_format)


def reviews_response(campaign, file_format):
    """Every review that counts (withdrawn ones are left out, as in the ranking)."""
    criteria = list(Criterion.objects.filter(campaign=campaign).prefetch_related("translations"))
    header = [
        _("reference"),
        _("reviewer"),
        *[str(c) for c in criteria],
        _("recommendation"),
        _("comment"),
        local_time_header(_("updated at")),
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
                review.updated_at,
            ]
        )
    return spreadsheet_response(f"reviews-{campaign.slug}", header, data, file_format)


# The assignments' CSV is also what the import reads: its header stays these two words.
ASSIGNMENT_COLUMNS = ["reference", "reviewer"]


def assignments_response(campaign):
    rows = Assignment.objects.filter(entry__campaign=campaign).values_list(
        "entry__reference", "reviewer__username"
    )
    return spreadsheet_response(
        f"assignments-{campaign.slug}", ASSIGNMENT_COLUMNS, [list(row) for row in rows], "csv"
    )
