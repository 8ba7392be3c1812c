"""What the submitter sees at the top of the private management page about moderation
(submissions asks through submissions.extensions)."""

from django.utils.translation import gettext as _

from submissions.extensions import Notice

from .models import Publication, PublicationStatus


def _by_kind(entry, pledge, initiative):
    return pledge if entry.is_pledge else initiative


def management_notices(entry) -> list[Notice]:
    publication = Publication.objects.filter(entry=entry).first()
    if publication is None or entry.is_withdrawn:
        return []
    public = publication.approved_version_id is not None and entry.consent_publish
    if publication.status == PublicationStatus.RETURNED:
        return [
            Notice(
                "warning",
                _("The ministry's staff ask you to change something"),
                _by_kind(
                    entry,
                    _(
                        "Edit the pledge as the comment below asks and save it: the staff then "
                        "look at it again. You can edit it also after the deadline until it is "
                        "published."
                    ),
                    _(
                        "Edit the initiative as the comment below asks and save it: the staff "
                        "then look at it again. You can edit it also after the deadline until it "
                        "is published."
                    ),
                ),
                quote=publication.returned_comment,
            )
        ]
    if publication.status == PublicationStatus.FIXED:
        return [
            Notice(
                "info",
                _("Thank you: your changes are waiting for the staff"),
                _by_kind(
                    entry,
                    _(
                        "The staff will look at the pledge again. You can still edit it until "
                        "it is published. What they asked:"
                    ),
                    _(
                        "The staff will look at the initiative again. You can still edit it "
                        "until it is published. What they asked:"
                    ),
                ),
                quote=publication.returned_comment,
            )
        ]
    if publication.status == PublicationStatus.PENDING and public:
        return [
            Notice(
                "info",
                _("Your changes are waiting for the staff"),
                _by_kind(
                    entry,
                    _(
                        "Your changes are shown after the campaign's staff have checked "
                        "them. Until then the published version of the pledge stays on the "
                        "website."
                    ),
                    _(
                        "Your changes are shown after the campaign's staff have checked "
                        "them. Until then the published version of the initiative stays on "
                        "the website."
                    ),
                ),
            )
        ]
    if publication.status == PublicationStatus.REJECTED and public:
        return [
            Notice(
                "warning",
                _("Your latest changes were not accepted"),
                _by_kind(
                    entry,
                    _(
                        "The campaign's staff did not accept your latest changes. The "
                        "pledge is shown on the website as it was published earlier."
                    ),
                    _(
                        "The campaign's staff did not accept your latest changes. The "
                        "initiative is shown on the website as it was published earlier."
                    ),
                ),
            )
        ]
    if publication.status == PublicationStatus.APPROVED and entry.consent_publish:
        return [
            Notice(
                "success",
                _("Published"),
                _by_kind(
                    entry,
                    _("The pledge is shown on the campaign website."),
                    _("The initiative is shown on the campaign website."),
                ),
            )
        ]
    return []
