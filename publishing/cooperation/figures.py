"""Cooperation in figures (issue 25, point 4): aggregates only, never a name or an
address, for the statistics page, the coordinator's dashboard, the ministry's report
and the open data — counted the same way everywhere, in three queries whatever the
number of entries:

- public entries, and the joint ones among them (at least one confirmed partner) with
  their share (per cent, one decimal);
- partner organisations per public entry (confirmed partners over public entries, one
  decimal);
- requests to join sent to the campaign's entries, by their state (JoinRequest.status:
  waiting, accepted, declined, expired, closed, and "relayed" for those passed on by
  e-mail before requests were answered in the service);
- partnerships across sectors: the confirmed partnerships of public entries by the pair
  (lead organisation's kind, partner's kind) when both are known and differ, as "Company +
  Religious community: 3" (the pair in the order of OrganisationType, whichever leads);
  those between two organisations of the same kind, and those where a kind is unknown,
  are counted apart."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from submissions.models import OrganisationType, Partnership

from ..models import JoinRequest, JoinRequestStatus, PublicEntry

TYPE_ORDER = {value: index for index, value in enumerate(OrganisationType.values)}
# The states of requests in the order shown; "sent" is all of them.
REQUEST_STATES = ("waiting", "accepted", "declined", "expired", "closed", "relayed")


def one_decimal(numerator: int, denominator: int, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    value = Decimal(numerator * scale) / Decimal(denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Pair:
    first: str  # OrganisationType values, first <= second in TYPE_ORDER
    second: str
    count: int

    @property
    def label(self) -> str:
        labels = dict(OrganisationType.choices)
        return f"{labels[self.first]} + {labels[self.second]}"


@dataclass
class Figures:
    public: int
    joint: int
    partners: int  # confirmed partner organisations of public entries
    requests: dict  # {state: count}
    pairs: list[Pair] = field(default_factory=list)
    same_kind: int = 0  # partnerships between organisations of the same kind
    unknown_kind: int = 0  # partnerships where either kind is unknown

    @property
    def joint_share(self) -> Decimal | None:
        """Per cent of public entries that are joint, one decimal."""
        return one_decimal(self.joint, self.public, 100)

    @property
    def partners_per_entry(self) -> Decimal | None:
        return one_decimal(self.partners, self.public)

    @property
    def requests_sent(self) -> int:
        return sum(self.requests.values())

    def request_rows(self) -> list[tuple[str, str, int]]:
        """(state, its name in the page's language, count), "sent" first."""
        # The states' own names, as the management page and the admin say them.
        names = dict(JoinRequestStatus.choices)
        return [("sent", _("sent"), self.requests_sent)] + [
            (state, str(names.get(state, state)), self.requests[state]) for state in REQUEST_STATES
        ]

    def as_data(self) -> dict:
        """The figures as plain values (the open data's `cooperation` object)."""
        return {
            "public_entries": self.public,
            "joint_entries": self.joint,
            "joint_share_percent": _number(self.joint_share),
            "partner_organisations": self.partners,
            "partner_organisations_per_entry": _number(self.partners_per_entry),
            "join_requests": {"sent": self.requests_sent, **self.requests},
            "partnerships_across_sectors": [
                {"types": [pair.first, pair.second], "label": pair.label, "count": pair.count}
                for pair in self.pairs
            ],
            "partnerships_within_a_sector": self.same_kind,
            "partnerships_kind_unknown": self.unknown_kind,
        }


def _number(value):
    return None if value is None else float(value)


def _pair_counts(public) -> dict:
    """{campaign id: {(lead kind, partner kind): confirmed partnerships}} of public entries."""
    lead = PublicEntry.objects.filter(entry_id=OuterRef("entry_id")).values("organisation_type")
    rows = (
        Partnership.objects.confirmed()
        .filter(entry_id__in=public.values("entry_id"))
        .annotate(lead=Subquery(lead))
        .order_by()
        .values_list("entry__campaign_id", "lead", "organisation__type")
        .annotate(n=Count("pk"))
    )
    counted: dict = {}
    for campaign, lead_type, partner_type, n in rows:
        kinds = counted.setdefault(campaign, {})
        kinds[(lead_type or "", partner_type or "")] = n
    return counted


def _figures(found: dict, states: dict, kinds: dict) -> Figures:
    """Figures from counts: `found` {"public", "joint", "partners"}, `states` {state: n},
    `kinds` {(lead kind, partner kind): n}."""
    counted: dict = {}
    same = unknown = 0
    for (lead_type, partner_type), n in kinds.items():
        if not lead_type or not partner_type:
            unknown += n
        elif lead_type == partner_type:
            same += n
        else:
            key = tuple(sorted((lead_type, partner_type), key=TYPE_ORDER.__getitem__))
            counted[key] = counted.get(key, 0) + n
    pairs = [Pair(first, second, n) for (first, second), n in counted.items()]
    pairs.sort(key=lambda pair: (-pair.count, TYPE_ORDER[pair.first], TYPE_ORDER[pair.second]))
    return Figures(
        public=found.get("public", 0),
        joint=found.get("joint", 0),
        partners=found.get("partners", 0),
        requests={state: states.get(state, 0) for state in REQUEST_STATES},
        pairs=pairs,
        same_kind=same,
        unknown_kind=unknown,
    )


def _counts(campaign=None) -> tuple[dict, dict, dict]:
    """({campaign id: public counts}, {campaign id: {state: n}}, {campaign id: kinds}),
    in three queries."""
    public = PublicEntry.objects.all()
    requests = JoinRequest.objects.all()
    if campaign is not None:
        public = public.filter(campaign=campaign)
        requests = requests.filter(entry__campaign=campaign)
    partners = Func(F("partners"), function="jsonb_array_length", output_field=IntegerField())
    found = {
        campaign_id: {"public": n, "joint": joint, "partners": total}
        for campaign_id, n, joint, total in public.order_by()
        .values("campaign_id")
        .annotate(
            n=Count("pk"),
            joint=Count("pk", filter=~Q(partners=[])),
            total=Coalesce(Sum(partners), 0),
        )
        .values_list("campaign_id", "n", "joint", "total")
    }
    states: dict = {}
    for campaign_id, state, n in (
        requests.order_by().values_list("entry__campaign_id", "status").annotate(n=Count("pk"))
    ):
        states.setdefault(campaign_id, {})[state] = n
    return found, states, _pair_counts(public)


def _summed(dicts) -> dict:
    total: dict = {}
    for counts in dicts:
        for key, n in counts.items():
            total[key] = total.get(key, 0) + n
    return total


def figures_by_campaign() -> tuple[Figures, dict]:
    """(the figures of every campaign together, {campaign id: its figures}) for the
    campaigns with public entries or requests to join, in three queries."""
    found, states, kinds = _counts()
    each = {
        pk: _figures(found.get(pk, {}), states.get(pk, {}), kinds.get(pk, {}))
        for pk in {*found, *states, *kinds}
    }
    total = _figures(_summed(found.values()), _summed(states.values()), _summed(kinds.values()))
    return total, each


def cooperation_figures(campaign=None) -> Figures:
    """The figures of `campaign`, or of every campaign together when None (three
    queries)."""
    found, states, kinds = _counts(campaign)
    return _figures(_summed(found.values()), _summed(states.values()), _summed(kinds.values()))


def report_rows(figures: Figures) -> list[tuple[str, str, list[tuple[str, list]]]]:
    """The figures as the ministry's report's tables: [(key, title, rows)], a number per
    row (publishing/campaign_report.py)."""

    def shown(value):
        return "–" if value is None else value

    return [
        ("cooperation_figures", _("Cooperation in figures"), [
            (_("Joint entries (with at least one confirmed partner organisation)"),
             [figures.joint]),
            (_("Share of joint entries (per cent)"), [shown(figures.joint_share)]),
            (_("Partner organisations per published entry"), [shown(figures.partners_per_entry)]),
        ]),
        ("join_requests", _("Requests to join"), [
            (str(label).capitalize(), [count]) for _state, label, count in figures.request_rows()
        ]),
        ("sectors", _("Partnerships across sectors"), [
            *((pair.label, [pair.count]) for pair in figures.pairs),
            (_("Within one sector"), [figures.same_kind]),
            (_("Kind of organisation unknown"), [figures.unknown_kind]),
        ]),
    ]  # fmt: skip


def dashboard_sections(campaign) -> list:
    """The figures on the coordinator's dashboard (review/dashboard_parts.py)."""
    from submissions.extensions import Section

    return [
        Section(
            "publishing/cooperation/dashboard_figures.html",
            {"figures": cooperation_figures(campaign)},
        )
    ]


# --- The open data (publishing/open_data.py writes it as cooperation.json) ----------------


def for_open_data():
    """The figures of all campaigns together and of each with published entries, with
    those campaigns: five queries, once for every language's file."""
    from submissions.models import Campaign

    total, each = figures_by_campaign()
    campaigns = Campaign.objects.filter(
        pk__in=[pk for pk, figures in each.items() if figures.public]
    ).prefetch_related("translations")
    return total, [(c, each[c.pk]) for c in campaigns.order_by("opens_at", "pk")]


def open_data_json(cooperation, language, head: dict) -> str:
    """The cooperation file in `language` after `head` (the licence, the publisher):
    aggregates only, the labels in the language."""
    import json

    from django.utils.translation import override

    total, campaigns = cooperation
    with override(language):
        data = {
            **head,
            "cooperation": total.as_data(),
            "campaigns": [
                {
                    "campaign": campaign.slug,
                    "name": campaign.safe_translation_getter(
                        "name", language_code=language, any_language=True
                    ),
                    "cooperation": figures.as_data(),
                }
                for campaign, figures in campaigns
            ],
        }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
