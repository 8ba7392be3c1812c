"""Organisations you could work with (issue 25, point 3): for an entry, the published
entries of the same campaign whose organisation is of another kind, that share a region
(an entry for all of Finland shares every region) and a theme or a target group, and
that look for partners or are open to cooperation — never the entry itself, entries of
its own organisation (the same business ID or name), nor entries it already works with
(its partners, or entries its organisation is a partner of). Only the public read model
(PublicEntry) is searched, so unpublished, withdrawn and consent-withdrawn entries never
appear.

Ranked by a rule the page states in words (RULE): 2 points per shared theme, 1 per
shared target group, 2 if they look for the entry's kind of organisation, 1 if they
look for partners in one of the entry's regions; ties, the newest published first.
Each suggestion carries its reasons in words in the current language. A fixed number
of queries (the entry's own profile, then one for the suggestions), whatever the rows.

Shown on the management page (management_sections) and e-mailed once a month to the
contacts who asked (publishing/cooperation/tasks.py)."""

from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from submissions.extensions import Section
from submissions.models import REGION_CODES, Entry, Partnership

from ..models import JoinRequest, JoinRequestStatus, PublicEntry
from ..queries import taxonomy
from ..regions import names_of

# The kinds of organisation, as "they look for: …" names them.
SOUGHT_NAMES = {
    "company": pgettext_lazy("they look for", "companies"),
    "municipality": pgettext_lazy(
        "they look for", "municipalities and joint municipal authorities"
    ),
    "state_authority": pgettext_lazy("they look for", "state authorities"),
    "ngo": pgettext_lazy("they look for", "associations, foundations and other NGOs"),
    "religious": pgettext_lazy("they look for", "religious communities"),
    "education": pgettext_lazy("they look for", "educational institutions"),
    "other": pgettext_lazy("they look for", "other organisations and informal groups"),
}

RULE = gettext_lazy(
    "Suggested are published entries of the same campaign by other kinds of organisation "
    "that work in one of your regions (or in all of Finland), share a theme or a target "
    "group with your entry, and look for partners or are open to cooperation. Your own "
    "organisation's entries and the organisations you already work with are left out. "
    "The order: 2 points for each shared theme, 1 point for each shared target group, "
    "2 points if they look for your kind of organisation and 1 point if they look for "
    "partners in your region; with equal points, the most recently published first."
)


@dataclass
class Profile:
    """What suggestions are matched on: an entry as the public sees it, or as written."""

    pk: int
    campaign_id: int
    type: str
    name: str
    business_id: str
    themes: set = field(default_factory=set)
    groups: set = field(default_factory=set)
    regions: set = field(default_factory=set)  # every code for an entry for all of Finland
    partners: set = field(default_factory=set)  # lower-case names, confirmed or invited


@dataclass
class Suggestion:
    entry: PublicEntry
    points: int
    reasons: list[str]
    # The state of a request to join this entry's contact sent already (its name).
    request: str | None = None

    @property
    def title(self) -> str:
        return getattr(self.entry, f"title_{get_language()}", "") or self.entry.title_fi

    @property
    def url(self) -> str:
        return reverse("publishing:entry_detail", args=[self.entry.entry_id])

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


def profile(entry: Entry) -> Profile:
    """The entry's organisation, themes, target groups and regions: from its public row
    when it is public, otherwise from the entry as written."""
    partners = {
        p.organisation.name.strip().lower()
        for p in entry.partnerships.all()
        if p.declined_at is None and p.organisation_id
    }
    public = PublicEntry.objects.filter(entry_id=entry.pk).first()
    if public is not None:
        return Profile(
            entry.pk,
            public.campaign_id,
            public.organisation_type,
            public.organisation_name,
            public.organisation_business_id,
            set(public.theme_ids),
            set(public.target_group_ids),
            set(REGION_CODES) if public.whole_country else set(public.region_codes),
            partners,
        )
    organisation = entry.lead_organisation
    return Profile(
        entry.pk,
        entry.campaign_id,
        organisation.type if organisation else "",
        organisation.name if organisation else "",
        organisation.business_id if organisation else "",
        {theme.pk for theme in entry.themes.all()},
        {group.pk for group in entry.target_groups.all()},
        set(REGION_CODES)
        if entry.whole_country
        else {place.region_id for place in entry.municipalities.all()},
        partners,
    )


class Shared(Func):
    """How many items two arrays have in common."""

    template = "cardinality(ARRAY(SELECT unnest(%(expressions)s)))"
    arg_joiner = ") INTERSECT SELECT unnest("
    output_field = IntegerField()


def _array(values, base):
    return Value(sorted(values), output_field=ArrayField(base))


def candidates(me: Profile):
    """The public entries that qualify as suggestions for `me`, with their points."""
    themes, groups = _array(me.themes, IntegerField()), _array(me.groups, IntegerField())
    regions = _array(me.regions, CharField(max_length=2))
    in_region = (
        Q()
        if me.regions >= set(REGION_CODES)
        else (Q(region_codes__overlap=sorted(me.regions)) | Q(whole_country=True))
    )
    found = (
        PublicEntry.objects.filter(campaign_id=me.campaign_id)
        .exclude(entry_id=me.pk)
        .exclude(organisation_type="")
        .exclude(organisation_type=me.type)
        .filter(Q(seeks_partners=True) | Q(open_to_cooperation=True))
        .filter(in_region)
        .filter(
            Q(theme_ids__overlap=sorted(me.themes)) | Q(target_group_ids__overlap=sorted(me.groups))
        )
        .annotate(name_lower=Lower("organisation_name"))
        .exclude(name_lower=me.name.strip().lower())
        .exclude(name_lower__in=sorted(me.partners))
        # Entries this entry's organisation is a partner of (confirmed or invited).
        .exclude(
            entry_id__in=Partnership.objects.filter(declined_at__isnull=True)
            .filter(
                Q(organisation__name__iexact=me.name.strip())
                | (Q(organisation__business_id=me.business_id) if me.business_id else Q(pk=None))
            )
            .values("entry_id")
        )
    )
    if me.business_id:
        found = found.exclude(organisation_business_id=me.business_id)
    return found.annotate(
        points=Shared(F("theme_ids"), themes) * 2
        + Shared(F("target_group_ids"), groups)
        + Case(When(seeks_partners=True, sought_types__contains=[me.type], then=2), default=0)
        + Case(When(seeks_partners=True, sought_region_codes__overlap=regions, then=1), default=0)
    ).order_by("-points", "-published_at", "-entry_id")


def reasons(me: Profile, row: PublicEntry, names: dict) -> list[str]:
    """Why `row` is suggested to `me`, in words in the current language."""
    theirs = set(REGION_CODES) if row.whole_country else set(row.region_codes)
    if row.whole_country and me.regions >= set(REGION_CODES):
        place = _("All of Finland")
    else:
        place = ", ".join(names_of(theirs & me.regions))
    found = [_("same region: %(names)s") % {"names": place}]
    themes = [
        names["themes"][pk]
        for pk in sorted(set(row.theme_ids) & me.themes)
        if pk in names["themes"]
    ]
    if themes:
        found.append(_("same theme: %(names)s") % {"names": ", ".join(themes)})
    groups = [
        names["groups"][pk]
        for pk in sorted(set(row.target_group_ids) & me.groups)
        if pk in names["groups"]
    ]
    if groups:
        found.append(_("same target group: %(names)s") % {"names": ", ".join(groups)})
    shared = len(found)
    if not row.seeks_partners:  # what they sought no longer counts
        return [*found, _("open to cooperation")]
    if me.type in row.sought_types:
        found.append(_("they look for: %(kind)s") % {"kind": SOUGHT_NAMES[me.type]})
    sought_here = set(row.sought_region_codes) & me.regions
    if sought_here and not row.sought_whole_country:
        found.append(
            _("they look for partners in: %(names)s") % {"names": ", ".join(names_of(sought_here))}
        )
    elif row.sought_whole_country:
        found.append(_("they look for partners in all of Finland"))
    if len(found) == shared:  # looking, though for nothing said above
        found.append(_("they look for partners"))
    return found


def _names() -> dict:
    """{"themes": {id: name}, "groups": {id: name}} in the current language."""
    shown = taxonomy()
    ids = shown["ids"]
    return {
        "themes": {ids["theme"][slug]: name for slug, name in shown["themes"]},
        "groups": {ids["target_group"][slug]: name for slug, name in shown["target_groups"]},
    }


def suggestions_for(entry: Entry, limit: int = 5) -> list[Suggestion]:
    """Up to `limit` suggestions for the entry, best first, each with its reasons."""
    me = profile(entry)
    if not me.type or not (me.themes or me.groups) or not me.regions:
        return []
    rows = list(candidates(me)[:limit])
    if not rows:
        return []
    names = _names()
    return [Suggestion(row, row.points, reasons(me, row, names)) for row in rows]


def management_sections(entry, token) -> list:
    """This concern's part of the management page (submissions.extensions.Section): the
    suggestions with their reasons and the rule, a one-click join request for each, and
    the monthly e-mail's switch. Not for an entry withdrawn or not yet sent."""
    if entry.is_withdrawn or entry.is_unconfirmed:
        return []
    search = getattr(entry, "partner_search", None) if _has_search(entry) else None
    suggestions = suggestions_for(entry)
    _mark_requests_sent(entry, suggestions)
    return [
        Section(
            "publishing/cooperation/manage_suggestions.html",
            {
                "suggestions": suggestions,
                "rule": RULE,
                "by_email": bool(search and search.suggestions_by_email),
            },
        )
    ]


def _mark_requests_sent(entry, suggestions) -> None:
    """Each suggestion's `request`: the state of the newest request this entry's contact
    sent to it (one query), or None when none was sent."""
    if not suggestions:
        return
    sent = dict(
        JoinRequest.objects.filter(
            email__iexact=entry.contact_email,
            entry_id__in=[suggestion.entry.entry_id for suggestion in suggestions],
        )
        .order_by("entry_id", "-created_at")
        .distinct("entry_id")
        .values_list("entry_id", "status")
    )
    labels = dict(JoinRequestStatus.choices)
    for suggestion in suggestions:
        state = sent.get(suggestion.entry.entry_id)
        suggestion.request = labels[state] if state else None


def _has_search(entry) -> bool:
    from submissions.models import PartnerSearch

    try:
        entry.partner_search  # noqa: B018 - a one-to-one: missing raises
    except PartnerSearch.DoesNotExist:
        return False
    return True
