"""Public views: the submission form (with preview and drafts), the private management
link, partner confirmation and the "lost your link?" form. Views parse, call a service
in services.py and render."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate
from kotolupaus.params import as_id, as_text
from kotolupaus.views import gone

from . import images, services
from .extensions import (
    notices_for,
    public_summary,
    published_entries,
    report_states,
    similar_titles,
)
from .forms import (
    MAX_PARTNERS,
    LostLinkForm,
    PartnerDetailsForm,
    PartnerForm,
    PartnerFormSet,
    ProgressReportForm,
    SubmissionForm,
    form_initial_from_data,
)
from .models import (
    ENTRY_TEXT_FIELDS,
    Campaign,
    Draft,
    Entry,
    EntryKind,
    Partnership,
    RetiredLink,
    RetiredLinkKind,
    RetiredLinkReason,
    consent_wording,
)
from .tokens import hash_token

NOT_SAVED_IN_DRAFT = {"csrfmiddlewaretoken", "action", "org_logo", "image"}


def _closed(request, campaign, status=200):
    return render(
        request,
        "submissions/closed.html",
        {"message": services.closed_message(campaign), "campaign": campaign},
        status=status,
    )


def _partner_rows(data):
    """The partner rows as posted, without the empty ones."""
    try:
        total = min(int(data.get("partners-TOTAL_FORMS", 0)), MAX_PARTNERS)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        row = {
            key: data.get(f"partners-{index}-{key}", "").strip()
            for key in ("name", "email", "role", "language")
        }
        # A row with only the language (always sent: it is a list) is empty.
        if row["name"] or row["email"] or row["role"]:
            rows.append(row)
    return rows


def _show_form(request, *, campaign, kind, form, partners, status=200, **extra):
    challenge = as_id(form["challenge_of"].value()) if "challenge_of" in form.fields else None
    if challenge is not None:
        extra["challenge"] = public_summary(challenge, EntryKind.PLEDGE)
    return render(
        request,
        "submissions/entry_form.html",
        {
            "campaign": campaign,
            "kind": kind,
            "form": form,
            "partners": partners,
            "max_partners": MAX_PARTNERS,
            **extra,
        },
        status=status,
    )


def _unbound(kind, form, data, rows, *, add_row=False):
    """The posted values shown again without error messages (and one more partner row
    when asked for)."""
    fresh = SubmissionForm(initial=form_initial_from_data(form, data), kind=kind)
    try:
        shown = int(data.get("partners-TOTAL_FORMS") or 0)
    except ValueError:
        shown = 0
    wanted = max(shown, len(rows), 1) + (1 if add_row else 0)
    partners = PartnerFormSet(prefix="partners", initial=rows)
    partners.extra = max(min(wanted, MAX_PARTNERS) - len(rows), 0)
    return fresh, partners


def _challenge_initial(request, kind):
    """`?challenge=<id>` of a published pledge: the new pledge takes it up."""
    challenge = as_id(request.GET.get("challenge"))
    if kind != EntryKind.PLEDGE or challenge is None:
        return {}
    original = public_summary(challenge, EntryKind.PLEDGE)
    if original is None:
        return {}
    return {
        "challenge_of": original["pk"],
        "themes": original["theme_ids"],
        "target_groups": original["target_group_ids"],
    }


def _handle_form(request, *, campaign, kind, draft=None):
    """GET shows the form; POST previews, submits, saves a draft or adds a partner row."""
    if campaign is None or not campaign.is_open():
        return _closed(request, campaign, status=403 if request.method == "POST" else 200)
    show = partial(_show_form, request, campaign=campaign, kind=kind, draft=draft)

    if request.method != "POST":
        blank = False  # a new form with nothing filled in (see entry_form.html)
        if draft is not None:
            saved = QueryDict(mutable=True)
            for key, values in draft.data.items():
                saved.setlist(key, values)
            form, partners = _unbound(kind, SubmissionForm(kind=kind), saved, _partner_rows(saved))
        else:
            initial = _challenge_initial(request, kind)
            blank = not initial
            form = SubmissionForm(kind=kind, initial=initial)
            partners = PartnerFormSet(prefix="partners")
            partners.extra = 2 if kind == EntryKind.INITIATIVE else 1
        return show(form=form, partners=partners, blank_form=blank)

    action = request.POST.get("action", "preview")
    form = SubmissionForm(request.POST, request.FILES, kind=kind)
    partners = PartnerFormSet(request.POST, prefix="partners")
    valid = form.is_valid()  # also keeps checked images for the next step
    valid = partners.is_valid() and valid
    rows = _partner_rows(request.POST)

    if action in ("add_partner", "edit"):
        form, partners = _unbound(kind, form, form.data, rows, add_row=action == "add_partner")
        return show(form=form, partners=partners, focus_partner=action == "add_partner")

    if action == "draft":
        contact = _valid_email(form.data.get("contact_email"))
        if draft is None and not contact:
            # A new draft's link is e-mailed to the contact person: without an address
            # the link would go nowhere, so nothing is saved and the form says why.
            form._errors = ErrorDict()
            form.add_error(
                "contact_email",
                ValidationError(
                    _(
                        "To save a draft, enter the contact person's e-mail address: the link "
                        "for continuing the draft is sent there."
                    ),
                    code="draft_needs_email",
                ),
            )
            partners = _unbound(kind, form, form.data, rows)[1]
            return show(form=form, partners=partners)
        # PostgreSQL's jsonb cannot hold NUL characters: drop them from what is kept.
        data = {
            as_text(key, 100): [as_text(value, 10_000) for value in values]
            for key, values in form.data.lists()
            if key not in NOT_SAVED_IN_DRAFT
        }
        draft, token = services.save_draft(
            campaign=campaign, kind=kind, data=data, language=get_language(), draft=draft
        )
        if token:
            messages.success(
                request,
                _(
                    "Your draft was saved. We e-mailed a link for continuing it to %(email)s. "
                    "You can also bookmark this page."
                )
                % {"email": contact},
            )
            return redirect("submissions:draft", token=token)
        messages.success(
            request,
            _(
                "Your draft was saved. Continue it later from this page's address: bookmark it, "
                "or use the link we e-mailed when you first saved the draft."
            ),
        )
        return redirect(request.path)

    if not valid:
        return show(form=form, partners=partners)

    if action != "submit":
        return render(
            request,
            "submissions/preview.html",
            {
                "campaign": campaign,
                "kind": kind,
                "form": form,
                "partners": partners,
                "partner_rows": partners.partners(),
                "similar": similar_entries(campaign, form.cleaned_data["title"]),
                "draft": draft,
            },
        )

    try:
        result = services.submit_entry(
            campaign=campaign,
            kind=kind,
            data=form.cleaned_data,
            partners=partners.partners(),
            language=get_language(),
            draft=draft,
            challenge_of=form.cleaned_data.get("challenge_of"),
        )
    except services.CampaignClosed:
        return _closed(request, campaign, status=403)
    # The private link is never shown here: it reaches the contact by e-mail, which
    # proves the address before anything is sent to a partner or to staff.
    request.session["submitted"] = {"entry": result.entry.pk, "duplicate": result.duplicate}
    return redirect("submissions:submitted")


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def pledge_create(request):
    return _handle_form(request, campaign=Campaign.objects.current(), kind=EntryKind.PLEDGE)


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def initiative_create(request):
    return _handle_form(request, campaign=Campaign.objects.current(), kind=EntryKind.INITIATIVE)


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def draft(request, token):
    draft = Draft.objects.select_related("campaign").filter(token_hash=hash_token(token)).first()
    if draft is None:
        return _dead_link(request, token, RetiredLinkKind.DRAFT)
    return _handle_form(request, campaign=draft.campaign, kind=draft.kind, draft=draft)


@require_GET
def submitted(request):
    remembered = request.session.get("submitted")
    if not remembered:
        return redirect("home")
    entry = Entry.objects.select_related("campaign").filter(pk=remembered["entry"]).first()
    if entry is None:
        return redirect("home")
    return render(
        request,
        "submissions/submitted.html",
        {
            "entry": entry,
            "duplicate": remembered.get("duplicate"),
            "confirm_by": services.confirmation_deadline(entry),
            "lost_link_url": reverse("submissions:lost_link"),
        },
    )


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The one-time link in the first e-mail: confirming sends the entry to staff.

    A GET only shows the entry and a button (link checkers in mail systems open links);
    the POST confirms. A used link says the entry is confirmed, the link of an entry
    deleted unconfirmed says so (410, without a way to the entry); a forged one is a
    plain 404."""
    entry = (
        Entry.objects.by_confirmation_token(token)
        .select_related("campaign", "lead_organisation")
        .prefetch_related("translations")
        .first()
    )
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.CONFIRM)
    if request.method == "POST":
        entry = services.confirm_address(entry)
        request.session["confirmed"] = entry.pk
        return redirect("submissions:confirmed")
    return render(request, "submissions/confirm.html", {"entry": entry})


@require_GET
def confirmed(request):
    entry = Entry.objects.submitted().filter(pk=request.session.get("confirmed") or 0).first()
    if entry is None:
        return redirect("home")
    return render(request, "submissions/confirmed.html", {"entry": entry})


def similar_entries(campaign, title, limit=5):
    """Published entries of the same campaign with a similar title (PostgreSQL trigram
    similarity), as the public sees them: only their title and kind are shown."""
    title = as_text(title, 150).strip()
    if len(title) < 4 or campaign is None:
        return []
    return similar_titles(campaign, title, limit)


@ratelimit(key="ip", rate="120/m", method="GET", block=True)
@require_GET
def kept_image(request, reference):
    """An image kept between form steps, shown back in the form and the preview. Only
    whoever holds the signed reference (the person filling in the form) can see it."""
    name = images.pending_name(reference)
    if name is None:
        raise Http404
    with default_storage.open(name) as stored:  # at most a few megabytes, re-encoded
        response = HttpResponse(stored.read(), content_type=images.content_type(name))
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def similar(request):
    found = similar_entries(Campaign.objects.current(), request.GET.get("title"))
    return JsonResponse({"similar": [{**row, "kind": str(row["kind"])} for row in found]})


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
    if kind == RetiredLinkKind.DRAFT and reason == RetiredLinkReason.ERASED:
        return (
            _("This draft was deleted"),
            _(
                "It was deleted with the contact person's personal data, as the contact person "
                "asked. Nothing of it is kept."
            ),
            [],
        )
    if kind == RetiredLinkKind.DRAFT and reason == RetiredLinkReason.EXPIRED:
        return (
            _("This draft was deleted"),
            _(
                "The campaign it was saved for closed long ago, and its saved drafts were "
                "deleted with the rest of its contact data."
            ),
            [],
        )
    if kind == RetiredLinkKind.DRAFT:
        return (
            _("This draft has already been sent"),
            _(
                "The form saved as this draft was sent, so the draft no longer exists. To "
                "read, edit or withdraw what you sent, use the private link in the "
                "confirmation e-mail that was sent to the contact person."
            ),
            _lost_link(),
        )
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
    if reason == RetiredLinkReason.ERASED or entry is None:
        return (
            _("This entry was deleted"),
            _(
                "It was deleted with its contact person's personal data, as the contact "
                "person asked. Nothing of it is kept."
            ),
            [],
        )
    if kind == RetiredLinkKind.CONFIRM:
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
    if kind == RetiredLinkKind.PARTNER and reason == RetiredLinkReason.REMOVED:
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
    if kind == RetiredLinkKind.PARTNER:
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
    return (
        _("A newer link replaced this one"),
        _("This private link no longer works. Use the newest link we e-mailed you."),
        _lost_link(),
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


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def manage(request, token):
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm_address" and entry.is_unconfirmed:
            entry = services.confirm_address(entry)
            messages.success(
                request,
                _(
                    "Your e-mail address is confirmed and the entry was sent to the ministry. "
                    "Its reference is %(reference)s."
                )
                % {"reference": entry.reference},
            )
        elif action == "withdraw_consent":
            services.set_consent(entry, False)
            messages.success(
                request,
                _by_kind(
                    entry,
                    _("Your consent to publish was withdrawn. The pledge is not shown publicly."),
                    _(
                        "Your consent to publish was withdrawn. The initiative is not shown "
                        "publicly."
                    ),
                ),
            )
        elif action == "resume_reminders":
            services.resume_reminders(entry)
            messages.success(
                request,
                _by_kind(
                    entry,
                    _("The reminders are on again for this pledge."),
                    _("The reminders are on again for this initiative."),
                ),
            )
        elif action == "give_consent":
            services.set_consent(entry, True)
            messages.success(
                request,
                _by_kind(
                    entry,
                    _("Thank you: you allowed the pledge to be published."),
                    _("Thank you: you allowed the initiative to be published."),
                ),
            )
        elif action == "withdraw_entry" and entry.is_unconfirmed:
            pass  # an entry that was never sent is deleted when not confirmed in time
        elif action == "withdraw_entry" and request.POST.get("confirm") == "yes":
            services.withdraw_entry(entry)
            messages.success(
                request,
                _by_kind(
                    entry,
                    _("The pledge was withdrawn. It will not be reviewed or published."),
                    _("The initiative was withdrawn. It will not be reviewed or published."),
                ),
            )
        elif action == "withdraw_entry":
            messages.error(
                request,
                _by_kind(
                    entry,
                    _("Tick the box to confirm that you want to withdraw the pledge."),
                    _("Tick the box to confirm that you want to withdraw the initiative."),
                ),
            )
        return redirect("submissions:manage", token=token)
    return render(
        request,
        "submissions/manage.html",
        {
            "entry": entry,
            "token": token,
            "partnerships": entry.partnerships.all(),
            "consent_wording": consent_wording(entry.kind),
            "confirm_by": services.confirmation_deadline(entry),
            "notices": notices_for(entry),
            **_progress_context(entry),
        },
    )


def _initial_from_entry(entry):
    organisation = entry.lead_organisation
    initial = {
        "org_name": organisation.name,
        "org_business_id": organisation.business_id,
        "org_type": organisation.type,
        "org_municipality": organisation.municipality_id,
        "org_website": organisation.website,
        "themes": [t.pk for t in entry.themes.all()],
        "target_groups": [t.pk for t in entry.target_groups.all()],
        "municipalities": [m.pk for m in entry.municipalities.all()],
        "whole_country": entry.whole_country,
        "original_language": entry.original_language,
        "pledge_deadline": entry.pledge_deadline,
        "contact_name": entry.contact_name,
        "contact_email": entry.contact_email,
        "contact_phone": entry.contact_phone,
        "consent_publish": entry.consent_publish,
        "consent_contact": entry.consent_contact,
        "authorised": entry.authorised,
        "challenge_of": entry.challenge_of_id,
        "submission_key": entry.submission_key,
    }
    for name in ENTRY_TEXT_FIELDS:
        initial[name] = entry.original_text(name) or ""
    return initial


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def manage_edit(request, token):
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    status = 403 if request.method == "POST" else 200
    if entry.is_withdrawn:
        return _private_gone(
            request,
            heading=_by_kind(
                entry, _("This pledge was withdrawn"), _("This initiative was withdrawn")
            ),
            message=_by_kind(
                entry,
                _("A withdrawn pledge can no longer be edited."),
                _("A withdrawn initiative can no longer be edited."),
            ),
            links=[(reverse("submissions:manage", args=[token]), _("Back to the private page"))],
        )
    if not entry.can_be_edited:
        return _closed(request, entry.campaign, status=status)
    # A published entry's changes wait for the staff; the published version stays up.
    public = published_entries(Entry.objects.filter(pk=entry.pk)).exists()
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, kind=entry.kind)
        if form.is_valid():
            try:
                services.update_entry(entry, form.cleaned_data)
            except services.CampaignClosed:
                return _closed(request, entry.campaign, status=403)
            if public:
                messages.success(
                    request,
                    _by_kind(
                        entry,
                        _(
                            "Your changes were saved. They are shown after the campaign's "
                            "staff have checked them; until then the published version of "
                            "the pledge stays on the website."
                        ),
                        _(
                            "Your changes were saved. They are shown after the campaign's "
                            "staff have checked them; until then the published version of "
                            "the initiative stays on the website."
                        ),
                    ),
                )
            else:
                messages.success(request, _("Your changes were saved."))
            return redirect("submissions:manage", token=token)
    else:
        form = SubmissionForm(initial=_initial_from_entry(entry), kind=entry.kind)
    return render(
        request,
        "submissions/entry_form.html",
        {
            "campaign": entry.campaign,
            "kind": entry.kind,
            "form": form,
            "entry": entry,
            "token": token,
            # What the staff asked when they returned it, above the form.
            "notices": [notice for notice in notices_for(entry) if notice.quote],
            "published_now": public,
        },
    )


CORRECTED = {
    services.PartnerCorrected.ADDRESS: _lazy(
        "The address was corrected and the partner invited again."
    ),
    services.PartnerCorrected.LANGUAGE_INVITED_AGAIN: _lazy(
        "The language was changed and the invitation sent again in it."
    ),
    services.PartnerCorrected.LANGUAGE: _lazy(
        "The language was changed: our next e-mails to the partner are in it."
    ),
}


def _removed(entry, partnership, name):
    """What the page says after removing a partner (which was told by e-mail when it had
    been invited and had not declined: services.remove_partner)."""
    if not entry.is_unconfirmed and partnership.declined_at is None:
        return _("%(name)s was removed from the partners and told by e-mail.") % {"name": name}
    return _by_kind(
        entry,
        _("The partner was removed from the pledge."),
        _("The partner was removed from the initiative."),
    )


def _form_errors(form, error):
    """A service's ValidationError shown next to the form's fields (or above them)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for each in errors:
                form.add_error(field if field in form.fields else None, each)
    else:
        for each in error.messages:
            form.add_error(None, each)


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def manage_partners(request, token):
    """The submitter sees each partner's answer and, while the entry can be edited,
    corrects an address or a language (a new invitation), adds or removes a partner
    (a confirmed one only after a confirmation step: partner_remove)."""
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    add_form = PartnerForm(prefix="add")
    detail_forms = {}
    if request.method == "POST" and not entry.is_withdrawn:
        action = request.POST.get("action")
        partnership = entry.partnerships.filter(pk=as_id(request.POST.get("partnership"))).first()
        form = None
        try:
            if action == "add":
                form = add_form = PartnerForm(request.POST, prefix="add")
                if add_form.is_valid():
                    services.add_partner(entry, **add_form.cleaned_data)
                    messages.success(request, _("The partner was added and asked to confirm."))
                    return redirect("submissions:manage_partners", token=token)
            elif action == "correct" and partnership is not None:
                form = PartnerDetailsForm(request.POST, prefix=f"p{partnership.pk}")
                detail_forms[partnership.pk] = form
                if form.is_valid():
                    done = services.correct_partner(partnership, **form.cleaned_data)
                    if done in CORRECTED:
                        messages.success(request, CORRECTED[done])
                    return redirect("submissions:manage_partners", token=token)
            elif action == "remove" and partnership is not None:
                if partnership.confirmed_at:
                    # A confirmed partner is removed only after the confirmation step.
                    return redirect(
                        "submissions:partner_remove", token=token, partnership_id=partnership.pk
                    )
                name = partnership.organisation.name
                services.remove_partner(partnership)
                messages.success(request, _removed(entry, partnership, name))
                return redirect("submissions:manage_partners", token=token)
        except ValidationError as error:
            if form is not None:
                _form_errors(form, error)
            else:
                messages.error(request, " ".join(error.messages))
    partnerships = list(entry.partnerships.select_related("organisation"))
    for partnership in partnerships:
        name = {"name": partnership.organisation.name}
        partnership.details_form = detail_forms.get(partnership.pk) or PartnerDetailsForm(
            prefix=f"p{partnership.pk}",
            initial={"email": partnership.invited_email, "language": partnership.language},
        )
        # Each field names its partner (screen readers list the labels).
        fields = partnership.details_form.fields
        fields["email"].label = _("E-mail address of %(name)s") % name
        fields["language"].label = _("Language of our e-mails to %(name)s") % name
    return render(
        request,
        "submissions/manage_partners.html",
        {
            "entry": entry,
            "token": token,
            "partnerships": partnerships,
            "add_form": add_form,
            "can_change": entry.can_be_edited and not entry.is_withdrawn,
            "max_partners": services.MAX_PARTNERS,
        },
    )


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def partner_remove(request, token, partnership_id):
    """Removing a partner, asked first: the page says what follows (the partner is told
    by e-mail, is no longer shown with the entry), a button removes it, a link goes back.
    Works without JavaScript."""
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    partnership = get_object_or_404(
        entry.partnerships.select_related("organisation"), pk=partnership_id
    )
    if not entry.can_be_edited or entry.is_withdrawn:
        return redirect("submissions:manage_partners", token=token)
    if request.method == "POST":
        try:
            services.remove_partner(partnership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _removed(entry, partnership, partnership.organisation.name))
        return redirect("submissions:manage_partners", token=token)
    response = render(
        request,
        "submissions/partner_remove.html",
        {"entry": entry, "token": token, "partnership": partnership},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Follow-up: progress reports --------------------------------------------------------


def _progress_context(entry):
    """The management page's follow-up section: the reports and whether more can be sent."""
    reports = list(entry.progress_reports.prefetch_related("translations"))
    states = report_states(reports)
    for report in reports:
        report.state = states.get(report.pk, "")
    return {
        "reports": reports,
        "can_report": published_entries(Entry.objects.filter(pk=entry.pk)).exists(),
    }


def _report_page(request, *, entry, token, form, report=None, refusal=None, status=200):
    return render(
        request,
        "submissions/report_form.html",
        {
            "entry": entry,
            "token": token,
            "form": form,
            "report": report,
            "refusal": refusal,
            "form_hours": settings.REPORT_EDIT_HOURS,
        },
        status=status,
    )


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def report_new(request, token):
    """The submitter reports what became of a published pledge or initiative."""
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    indicators = entry.campaign.indicators.prefetch_related("translations")
    if not published_entries(Entry.objects.filter(pk=entry.pk)).exists():
        return _report_page(
            request,
            entry=entry,
            token=token,
            form=None,
            refusal=_(
                "Progress can be reported once the entry has been published, and only while "
                "it is published."
            ),
            status=403 if request.method == "POST" else 200,
        )
    form = ProgressReportForm(
        request.POST or None, request.FILES or None, entry=entry, indicators=indicators
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_report(entry, form.cleaned_data, language=form.cleaned_data["language"])
        except services.ReportRefused as refusal:
            return _report_page(
                request, entry=entry, token=token, form=form, refusal=str(refusal), status=403
            )
        messages.success(
            request,
            _("Thank you for the report. It is published once the campaign's staff have read it."),
        )
        return redirect("submissions:manage", token=token)
    return _report_page(request, entry=entry, token=token, form=form)


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def report_edit(request, token, report_id):
    entry = _entry_for_token(token)
    if entry is None:
        return _dead_link(request, token, RetiredLinkKind.MANAGE)
    report = get_object_or_404(
        entry.progress_reports.prefetch_related("translations", "figures", "contributors"),
        pk=report_id,
    )
    if not report.can_be_edited:
        return _report_page(
            request,
            entry=entry,
            token=token,
            form=None,
            report=report,
            refusal=_("This report is part of the record now and can no longer be changed."),
            status=403 if request.method == "POST" else 200,
        )
    indicators = entry.campaign.indicators.prefetch_related("translations")
    figures = {f.indicator_id: f.value for f in report.figures.all()}
    initial = {
        "status": report.status,
        "reason": report.reason,
        "reported_on": report.reported_on,
        "text": report.text_in(report.original_language),
        "language": report.original_language,
        "contributors": list(report.contributors.all()),
        **{f"figure_{i.slug}": figures.get(i.pk) for i in indicators},
    }
    form = ProgressReportForm(
        request.POST or None,
        request.FILES or None,
        entry=entry,
        indicators=indicators,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_report(
                report, form.cleaned_data, language=form.cleaned_data["language"]
            )
        except services.ReportRefused as refusal:
            return _report_page(
                request,
                entry=entry,
                token=token,
                form=form,
                report=report,
                refusal=str(refusal),
                status=403,
            )
        messages.success(request, _("Your changes to the report were saved."))
        return redirect("submissions:manage", token=token)
    return _report_page(request, entry=entry, token=token, form=form, report=report)


@csrf_exempt  # RFC 8058 one-click: mail programs POST here without a form
@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def reminders_stop(request, signature):
    """The "stop reminding me" link of a reminder e-mail: a page with one button (link
    checkers open links), and the one-click unsubscribe mail programs offer."""
    try:
        entry_id = signing.loads(signature, salt=services.REMINDER_SALT)
    except signing.BadSignature:
        raise Http404 from None
    entry = get_object_or_404(Entry.objects.select_related("campaign"), pk=entry_id)
    if request.method == "POST" and request.POST.get("action") == "resume":
        services.resume_reminders(entry)
        messages.success(
            request,
            _by_kind(
                entry,
                _("The reminders are on again for this pledge."),
                _("The reminders are on again for this initiative."),
            ),
        )
        return redirect("submissions:reminders_stop", signature=signature)
    if request.method == "POST":
        # The page's button, or a mail program's one-click POST (which sends
        # "List-Unsubscribe=One-Click" and wants a 200, not a redirect).
        entry = services.stop_reminders(entry)
    response = render(request, "submissions/reminders_stop.html", {"entry": entry})
    response["Cache-Control"] = "no-store"
    return response


@ratelimit(key="ip", rate=post_rate, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def partner_confirm(request, token):
    partnership = (
        Partnership.objects.by_token(token)
        .select_related("entry", "entry__campaign", "entry__lead_organisation", "organisation")
        .first()
    )
    if partnership is None:
        return _dead_link(request, token, RetiredLinkKind.PARTNER)
    if partnership.entry.is_withdrawn:
        return _private_gone(
            request,
            heading=_by_kind(
                partnership.entry,
                _("This pledge was withdrawn"),
                _("This initiative was withdrawn"),
            ),
            message=_(
                "The organisation that sent it has withdrawn it, so there is nothing to confirm "
                "any more. Thank you all the same."
            ),
        )
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer in ("confirm", "decline"):
            services.answer_partnership(partnership, confirm=answer == "confirm")
            if answer == "confirm":
                messages.success(
                    request, _("Thank you: your organisation is now a confirmed partner.")
                )
            else:
                messages.success(
                    request,
                    _by_kind(
                        partnership.entry,
                        _("You declined. Your organisation will not be shown with the pledge."),
                        _("You declined. Your organisation will not be shown with the initiative."),
                    ),
                )
        return redirect("submissions:partner_confirm", token=token)
    return render(
        request,
        "submissions/partner_confirm.html",
        {"partnership": partnership, "entry": partnership.entry},
    )


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
