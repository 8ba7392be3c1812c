"""Private links: finding the entry behind a token, explaining retired links, "lost your link?"."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.params import as_text
from kotolupaus.views import gone

from .. import services
from ..forms import (
    LostLinkForm,
)
from ..models import (
    Entry,
    EntryKind,
    RetiredLink,
    RetiredLinkKind,
    RetiredLinkReason,
)


def _valid_email(value):
    """The address if it is a valid e-mail address, otherwise ""."""
    value = as_text(value, 254).strip()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _lost_link():
    return [(reverse("submissions:lost_link"), _("Lost the private link to your entry?"))]


def _explain_retired(retired: RetiredLink):
    """(heading, message, links) of the 410 page for a private link that worked once."""
    entry, kind, reason = retired.entry, retired.kind, retired.reason
    if kind == RetiredLinkKind.DRAFT:
        return _retired_draft(reason)
    if reason in (RetiredLinkReason.EXPIRED, RetiredLinkReason.ERASED) or entry is None:
        return _deleted_entry(reason)
    if kind == RetiredLinkKind.CONFIRM:
        return _confirmed_already(entry)
    if kind == RetiredLinkKind.PARTNER:
        return _retired_invitation(entry, reason)
    return (
        _("A newer link replaced this one"),
        _("This private link no longer works. Use the newest link we e-mailed you."),
        _lost_link(),
    )


def _retired_draft(reason):
    if reason == RetiredLinkReason.ERASED:
        return (
            _("This draft was deleted"),
            _(
                "It was deleted with the contact person's personal data, as the contact person "
                "asked. Nothing of it is kept."
            ),
            [],
        )
    if reason == RetiredLinkReason.EXPIRED:
        return (
            _("This draft was deleted"),
            _(
                "The campaign it was saved for closed long ago, and its saved drafts were "
                "deleted with the rest of its contact data."
            ),
            [],
        )
    return (
        _("This draft has already been sent"),
        _(
            "The form saved as this draft was sent, so the draft no longer exists. To "
            "read, edit or withdraw what you sent, use the private link in the "
            "confirmation e-mail that was sent to the contact person."
        ),
        _lost_link(),
    )


def _deleted_entry(reason):
    if reason == RetiredLinkReason.EXPIRED:
        return (
            _("This entry was deleted"),
            _(
                "Its e-mail address was not confirmed within %(days)s days, so the entry and "
                "everything sent with it were deleted. To take part, fill in the form again."
            )
            % {"days": settings.UNCONFIRMED_ENTRY_DAYS},
            [
                (reverse("submissions:pledge_create"), _("Make a pledge")),
                (reverse("submissions:initiative_create"), _("Propose an initiative")),
            ],
        )
    return (
        _("This entry was deleted"),
        _(
            "It was deleted with its contact person's personal data, as the contact "
            "person asked. Nothing of it is kept."
        ),
        [],
    )


def _confirmed_already(entry):
    return (
        _by_kind(
            entry,
            _("Your pledge is already confirmed"),
            _("Your initiative is already confirmed"),
        ),
        _by_kind(
            entry,
            _(
                "The e-mail address was confirmed and the pledge was sent to the ministry "
                "with the reference %(reference)s. A confirmation link works only once. To "
                "read, edit or withdraw the pledge, use the other link in the same e-mail: "
                "the private link to your pledge."
            ),
            _(
                "The e-mail address was confirmed and the initiative was sent to the "
                "ministry with the reference %(reference)s. A confirmation link works only "
                "once. To read, edit or withdraw the initiative, use the other link in the "
                "same e-mail: the private link to your initiative."
            ),
        )
        % {"reference": entry.reference},
        _lost_link(),
    )


def _retired_invitation(entry, reason):
    if reason == RetiredLinkReason.REMOVED:
        return (
            _by_kind(
                entry,
                _("Your organisation is no longer a partner in this pledge"),
                _("Your organisation is no longer a partner in this initiative"),
            ),
            _by_kind(
                entry,
                _(
                    "The organisation that sent the pledge removed your organisation from its "
                    "partners, so there is nothing to confirm any more. If you think this is a "
                    "mistake, contact that organisation."
                ),
                _(
                    "The organisation that sent the initiative removed your organisation from "
                    "its partners, so there is nothing to confirm any more. If you think this "
                    "is a mistake, contact that organisation."
                ),
            ),
            [],
        )
    return (
        _("A newer invitation replaced this one"),
        _by_kind(
            entry,
            _(
                "The organisation that sent the pledge corrected its partner's details, and "
                "we e-mailed a new invitation. Use the link in the newest invitation. If you "
                "did not get one, the pledge names another address for the partner."
            ),
            _(
                "The organisation that sent the initiative corrected its partner's details, "
                "and we e-mailed a new invitation. Use the link in the newest invitation. If "
                "you did not get one, the initiative names another address for the partner."
            ),
        ),
        [],
    )


def _dead_link(request, token, kind):
    """A private link that does not work: a 410 page saying what became of it and what
    to do, when it worked once (RetiredLink, by its hash); otherwise a plain 404."""
    retired = RetiredLink.find(token, kind)
    if retired is None:
        raise Http404
    heading, message, links = _explain_retired(retired)
    return _private_gone(request, heading=heading, message=message, links=links)


def _private_gone(request, **explanation):
    """A 410 page reached through a private link: never kept by a browser or a proxy."""
    response = gone(request, **explanation)
    response["Cache-Control"] = "no-store"
    return response


def _by_kind(entry_or_kind, pledge, initiative):
    """The pledge's wording or the initiative's, for an entry or a kind."""
    kind = getattr(entry_or_kind, "kind", entry_or_kind)
    return pledge if kind == EntryKind.PLEDGE else initiative


def _entry_for_token(token):
    entry = (
        Entry.objects.by_token(token)
        .select_related("campaign", "lead_organisation", "lead_organisation__municipality")
        .prefetch_related(
            "translations",
            "themes__translations",
            "target_groups__translations",
            "municipalities",
            "partnerships__organisation",
        )
        .first()
    )
    if entry is not None:
        # The submitter manages the text as written, in its own language.
        entry.set_current_language(entry.original_language)
    return entry


@ratelimit(key="ip", rate="10/h", method="POST", block=True)
@require_http_methods(["GET", "POST"])
def lost_link(request):
    form = LostLinkForm(request.POST or None)
    per_day = settings.MAIL_LINKS_PER_ADDRESS_PER_DAY
    if request.method == "POST" and form.is_valid():
        services.resend_management_links(form.cleaned_data["email"])
        # The same words for every address: they never tell whether it has entries or
        # has had its links for the day (kotolupaus/mail.py refuses the rest).
        messages.success(
            request,
            ngettext(
                "If entries were sent with that address, we have e-mailed private links to "
                "it. We send links to one address at most %(count)d time a day: if no "
                "e-mail arrives now, use the link in the one sent earlier today. Links you "
                "received earlier keep working.",
                "If entries were sent with that address, we have e-mailed private links to "
                "it. We send links to one address at most %(count)d times a day: if no "
                "e-mail arrives now, use a link in one sent earlier today. Links you "
                "received earlier keep working.",
                per_day,
            )
            % {"count": per_day},
        )
        return redirect("submissions:lost_link")
    return render(request, "submissions/lost_link.html", {"form": form, "per_day": per_day})
