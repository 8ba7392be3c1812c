"""The submission form, with preview and drafts."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from kotolupaus.access import post_rate
from kotolupaus.params import as_id, as_text

from .. import images, services
from ..extensions import (
    public_summary,
    similar_titles,
)
from ..forms import (
    MAX_PARTNERS,
    BasePartnerFormSet,
    PartnerFormSet,
    SubmissionForm,
    form_initial_from_data,
)
from ..models import (
    Campaign,
    Draft,
    Entry,
    EntryKind,
    RetiredLinkKind,
)
from ..tokens import hash_token
from .private_links import _dead_link, _valid_email

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


@dataclass
class _Post:
    """A POST of the submission form, bound and validated, handed to one action."""

    request: HttpRequest
    campaign: Campaign
    kind: str
    draft: Draft | None
    form: SubmissionForm
    partners: BasePartnerFormSet
    valid: bool
    rows: list
    show: Callable[..., HttpResponse]


def _handle_form(request, *, campaign, kind, draft=None):
    """GET shows the form; POST previews, submits, saves a draft or adds a partner row."""
    if campaign is None or not campaign.is_open():
        return _closed(request, campaign, status=403 if request.method == "POST" else 200)
    show = partial(_show_form, request, campaign=campaign, kind=kind, draft=draft)
    if request.method != "POST":
        return _fresh_form(request, kind, draft, show)
    form = SubmissionForm(request.POST, request.FILES, kind=kind)
    partners = PartnerFormSet(request.POST, prefix="partners")
    valid = form.is_valid()  # also keeps checked images for the next step
    valid = partners.is_valid() and valid
    post = _Post(
        request, campaign, kind, draft, form, partners, valid, _partner_rows(request.POST), show
    )
    action = request.POST.get("action", "preview")
    return FORM_ACTIONS.get(action, _preview)(post)


def _fresh_form(request, kind, draft, show):
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


def _edit_rows(post, *, add_row=False):
    form, partners = _unbound(post.kind, post.form, post.form.data, post.rows, add_row=add_row)
    return post.show(form=form, partners=partners, focus_partner=add_row)


def _save_draft(post):
    request, form, draft = post.request, post.form, post.draft
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
        partners = _unbound(post.kind, form, form.data, post.rows)[1]
        return post.show(form=form, partners=partners)
    # PostgreSQL's jsonb cannot hold NUL characters: drop them from what is kept.
    data = {
        as_text(key, 100): [as_text(value, 10_000) for value in values]
        for key, values in form.data.lists()
        if key not in NOT_SAVED_IN_DRAFT
    }
    draft, token = services.save_draft(
        campaign=post.campaign, kind=post.kind, data=data, language=get_language(), draft=draft
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


def _preview(post):
    if not post.valid:
        return post.show(form=post.form, partners=post.partners)
    return render(
        post.request,
        "submissions/preview.html",
        {
            "campaign": post.campaign,
            "kind": post.kind,
            "form": post.form,
            "partners": post.partners,
            "partner_rows": post.partners.partners(),
            "similar": similar_entries(post.campaign, post.form.cleaned_data["title"]),
            "draft": post.draft,
        },
    )


def _submit(post):
    if not post.valid:
        return post.show(form=post.form, partners=post.partners)
    try:
        result = services.submit_entry(
            campaign=post.campaign,
            kind=post.kind,
            data=post.form.cleaned_data,
            partners=post.partners.partners(),
            language=get_language(),
            draft=post.draft,
            challenge_of=post.form.cleaned_data.get("challenge_of"),
        )
    except services.CampaignClosed:
        return _closed(post.request, post.campaign, status=403)
    # The private link is never shown here: it reaches the contact by e-mail, which
    # proves the address before anything is sent to a partner or to staff.
    post.request.session["submitted"] = {"entry": result.entry.pk, "duplicate": result.duplicate}
    return redirect("submissions:submitted")


FORM_ACTIONS = {
    "add_partner": partial(_edit_rows, add_row=True),
    "edit": _edit_rows,
    "draft": _save_draft,
    "submit": _submit,
}


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
