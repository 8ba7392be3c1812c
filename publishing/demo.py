"""About two hundred realistic demo entries in Finnish, Swedish and English, moderated,
reviewed, decided and awarded, so that every page has something to show."""

import random
import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, override

from review import services as review_services
from review.models import AwardCategory, Criterion, Outcome
from submissions.models import (
    Entry,
    EntryKind,
    Indicator,
    Municipality,
    ProgressReport,
    TargetGroup,
    Theme,
)
from submissions.services import add_report, confirm_address, submit_entry

from . import services
from .changes import model_changed, public_change
from .cooperation.demo import seed_partner_searches
from .models import Programme, Publication, PublicationStatus
from .queries import published

SEED = 2015

# The demo's prize categories, as msgids: their translations are reviewed in the .po
# files like every other text (locale/TERMS.md).
PRIZES = [
    gettext_noop("Best cooperation"),
    gettext_noop("Boldest new idea"),
    gettext_noop("Opening doors to working life"),
]

# (theme slug, target group slugs, pledge or initiative, {language: texts})
# Texts use {place} and {org}; each is filled with a municipality and an organisation.
TOPICS = [
    (
        "working-life",
        ["job-seekers", "newly-arrived"],
        {
            "fi": (
                "Työharjoittelua ja mentorointia {place}",
                "Tarjoamme maahanmuuttajille työharjoittelupaikkoja ja jokaiselle oman mentorin.",
                "Harjoittelu kestää kolme kuukautta, ja mentori tukee kielen ja työtapojen oppimisessa.",
            ),
            "sv": (
                "Praktik och mentorskap i {place}",
                "Vi erbjuder invandrare praktikplatser och en egen mentor.",
                "Praktiken varar tre månader och mentorn stöder inlärningen av språket och arbetssätten.",
            ),
            "en": (
                "Work placements and mentoring in {place}",
                "We offer immigrants work placements and a mentor of their own.",
                "Each placement lasts three months, and the mentor helps with the language and ways of working.",
            ),
        },
    ),
    (
        "training-language",
        ["newly-arrived", "parents-at-home"],
        {
            "fi": (
                "Kielikahvila {place}",
                "Vapaaehtoiset järjestävät viikoittaisen kielikahvilan, jossa harjoitellaan arkikieltä.",
                "Kahvila on avoinna kaikille, ja lapsille on oma leikkinurkka.",
            ),
            "sv": (
                "Språkcafé i {place}",
                "Frivilliga ordnar ett språkcafé varje vecka där man övar vardagsspråk.",
                "Caféet är öppet för alla, och barnen har ett eget lekhörn.",
            ),
            "en": (
                "Language café in {place}",
                "Volunteers run a weekly language café for practising everyday language.",
                "The café is open to everyone, with a play corner for children.",
            ),
        },
    ),
    (
        "leisure",
        ["children-youth", "refugees-asylum-seekers"],
        {
            "fi": (
                "Harrastuksia kaikille lapsille {place}",
                "Seuramme avaa ovensa vastaanottokeskusten lapsille ja maksaa heidän harrastusmaksunsa.",
                "Valmentajat ja vapaaehtoiset ohjaavat harjoituksia kahdesti viikossa.",
            ),
            "sv": (
                "Hobbyer för alla barn i {place}",
                "Vår förening öppnar dörrarna för barn på förläggningarna och betalar deras avgifter.",
                "Tränare och frivilliga leder träningarna två gånger i veckan.",
            ),
            "en": (
                "Hobbies for every child in {place}",
                "Our club opens its doors to children from reception centres and pays their fees.",
                "Coaches and volunteers run the sessions twice a week.",
            ),
        },
    ),
    (
        "everyday-advice",
        ["all-immigrants", "older-people"],
        {
            "fi": (
                "Arjen neuvontaa monella kielellä {place}",
                "Neuvomme asumisessa, terveyspalveluissa ja viranomaisasioinnissa.",
                "Neuvontapiste toimii kirjastossa, ja paikalla on tulkki useana päivänä viikossa.",
            ),
            "sv": (
                "Vardagsrådgivning på många språk i {place}",
                "Vi ger råd om boende, hälsovård och myndighetsärenden.",
                "Rådgivningen finns på biblioteket, med tolk flera dagar i veckan.",
            ),
            "en": (
                "Everyday advice in many languages in {place}",
                "We give advice on housing, health services and dealing with the authorities.",
                "The advice desk is at the library, with an interpreter several days a week.",
            ),
        },
    ),
    (
        "positive-atmosphere",
        ["receiving-communities", "all-immigrants"],
        {
            "fi": (
                "Naapurit tutuiksi {place}",
                "Järjestämme yhteisiä ruokailuja ja talkoita, joissa uudet ja vanhat asukkaat tutustuvat.",
                "Tapahtumat ovat kerran kuussa, ja niitä suunnitellaan yhdessä asukkaiden kanssa.",
            ),
            "sv": (
                "Lär känna grannarna i {place}",
                "Vi ordnar gemensamma måltider och talkon där nya och gamla invånare möts.",
                "Träffarna ordnas en gång i månaden och planeras tillsammans med invånarna.",
            ),
            "en": (
                "Getting to know the neighbours in {place}",
                "We organise shared meals and community work days where new and old residents meet.",
                "The events are monthly and planned together with the residents.",
            ),
        },
    ),
    (
        "settling-in",
        ["refugees-asylum-seekers", "newly-arrived"],
        {
            "fi": (
                "Ensiaskeleet uudessa kotikunnassa {place}",
                "Autamme kuntaan muuttaneita pakolaisia asunnon, koulun ja päivähoidon löytämisessä.",
                "Jokainen perhe saa kotikummin ensimmäiseksi vuodeksi.",
            ),
            "sv": (
                "Första stegen i den nya hemkommunen {place}",
                "Vi hjälper flyktingar som flyttat hit att hitta bostad, skola och dagvård.",
                "Varje familj får en fadder för det första året.",
            ),
            "en": (
                "First steps in a new home town: {place}",
                "We help refugees who moved here find housing, a school and day care.",
                "Every family gets a volunteer friend for the first year.",
            ),
        },
    ),
    (
        "health-wellbeing",
        ["all-immigrants", "older-people"],
        {
            "fi": (
                "Liikuntaa ja hyvinvointia {place}",
                "Tarjoamme matalan kynnyksen liikuntaryhmiä ja terveysneuvontaa.",
                "Ryhmät kokoontuvat kaksi kertaa viikossa, ja ohjaajat puhuvat useita kieliä.",
            ),
            "sv": (
                "Motion och välbefinnande i {place}",
                "Vi erbjuder motionsgrupper med låg tröskel och hälsorådgivning.",
                "Grupperna träffas två gånger i veckan, och ledarna talar flera språk.",
            ),
            "en": (
                "Exercise and wellbeing in {place}",
                "We offer easy-to-join exercise groups and health advice.",
                "The groups meet twice a week, and the leaders speak several languages.",
            ),
        },
    ),
]

PLEDGE_EXTRA = {
    "fi": (
        "Lupaamme toteuttaa tämän vuosittain vähintään kolmen vuoden ajan.",
        "Vähintään 30 osallistujaa vuodessa.",
    ),
    "sv": ("Vi lovar att genomföra detta varje år i minst tre år.", "Minst 30 deltagare per år."),
    "en": (
        "We promise to do this every year for at least three years.",
        "At least 30 participants a year.",
    ),
}
INITIATIVE_EXTRA = {
    "fi": (
        "Maahanmuuttajat löytävät paikkansa yhteisössä.",
        "Toteutamme yhdessä kunnan ja järjestöjen kanssa.",
        "Vuodet 2027–2029.",
        "Yrityksiä ja oppilaitoksia.",
    ),
    "sv": (
        "Invandrare hittar sin plats i samhället.",
        "Vi genomför det tillsammans med kommunen och organisationer.",
        "Åren 2027–2029.",
        "Företag och läroanstalter.",
    ),
    "en": (
        "Immigrants find their place in the community.",
        "We carry it out with the municipality and NGOs.",
        "2027–2029.",
        "Companies and schools.",
    ),
}
ORGANISATIONS = [
    ("Rakennus Oy Kivijalka", "company"),
    ("Kaupunginkirjasto", "municipality"),
    ("Urheiluseura Ponnistus ry", "ngo"),
    ("Föreningen Kulturbron rf", "ngo"),
    ("Seurakuntayhtymä", "religious"),
    ("Ammattiopisto Taito", "education"),
    ("Ravintola Oy Makupala", "company"),
    ("Setlementti Naapuri ry", "ngo"),
    ("Folkhögskolan Norden", "education"),
    ("Kotoutumispalvelut", "municipality"),
    ("Helsinki Tech Ltd", "company"),
    ("TE-toimisto", "state_authority"),
]
MUNICIPALITY_CODES = [
    "091",
    "049",
    "853",
    "837",
    "564",
    "179",
    "905",
    "398",
    "297",
    "167",
    "092",
    "609",
    "743",
    "405",
    "478",
]


def seed_entries(campaign, count=200):
    """Create `count` demo entries once (idempotent: skipped when the campaign has them)."""
    if Entry.objects.filter(campaign=campaign).count() >= count:
        seed_partner_searches(campaign)  # idempotent: also for demo data seeded before them
        return 0
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not security
    themes = {t.slug: t for t in Theme.objects.all()}
    groups = {g.slug: g for g in TargetGroup.objects.all()}
    places = list(Municipality.objects.filter(code__in=MUNICIPALITY_CODES))
    created = 0
    for index in range(count):
        theme, group_slugs, texts = TOPICS[index % len(TOPICS)]
        language = rng.choices(["fi", "sv", "en"], weights=[6, 2, 2])[0]
        kind = EntryKind.PLEDGE if index % 2 == 0 else EntryKind.INITIATIVE
        place = rng.choice(places)
        organisation, org_type = rng.choice(ORGANISATIONS)
        place_name = place.name_in(language)
        title, summary, description = texts[language]
        data = {
            "submission_key": uuid.uuid5(
                uuid.NAMESPACE_URL, f"kotolupaus-demo-{campaign.pk}-{index}"
            ),
            "org_name": f"{organisation} {place_name}",
            "org_business_id": "",
            "org_type": org_type,
            "org_municipality": place,
            "org_website": "",
            "themes": [themes[theme]],
            "target_groups": [groups[g] for g in group_slugs],
            "municipalities": [place],
            "whole_country": index % 17 == 0,
            "original_language": language,
            "contact_name": f"Demo Person {index}",
            "contact_email": f"demo{index}@example.org",
            "contact_phone": "",
            "consent_publish": index % 9 != 4,
            "consent_contact": True,
            "title": f"{title.format(place=place_name)} ({index + 1})",
            "summary": summary,
            "description": description,
            "pledge_deadline": date(2027, 12, 31) if kind == EntryKind.PLEDGE else None,
        }
        if kind == EntryKind.PLEDGE:
            data["promise"], data["target"] = PLEDGE_EXTRA[language]
        else:
            (data["goal"], data["plan"], data["timetable"], data["partners_sought"]) = (
                INITIATIVE_EXTRA[language]
            )
            if index % 3:
                data["partners_sought"] = ""
        with override(language):
            result = submit_entry(
                campaign=campaign, kind=kind, data=data, partners=[], language=language
            )
            confirm_address(result.entry)
        created += 1
    seed_partner_searches(campaign)
    return created


def moderate_review_and_decide(campaign, coordinator, reviewers):
    """Approve most consented entries, review some, include some in the programme, award."""
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not security
    entries = list(Entry.objects.filter(campaign=campaign).order_by("number"))
    if not entries or Programme.objects.filter(campaign=campaign).exists():
        return
    for entry in entries:
        if entry.consent_publish and entry.number % 10 != 3:
            services.approve(entry, coordinator)
    review_services.auto_assign(
        campaign, coordinator, reviewers, per_entry=2, max_per_reviewer=len(entries)
    )
    criteria = list(Criterion.objects.filter(campaign=campaign))
    for entry in entries[:80]:
        for reviewer in reviewers[:2]:
            if review_services.is_conflicted(reviewer, entry):
                continue
            review_services.save_review(
                reviewer,
                entry,
                scores={c.pk: rng.randint(c.scale_min, c.scale_max) for c in criteria},
                comment="",
                recommendation=rng.choice(["include", "include", "exclude", "prize"]),
            )
    for entry in entries[:60]:
        included = entry.number % 3 != 0
        review_services.record_decision(
            entry,
            Outcome.INCLUDED if included else Outcome.NOT_INCLUDED,
            "Konkreettinen ja toteuttamiskelpoinen." if included else "Ei riittävän konkreettinen.",
            coordinator,
        )
    review_services.publish_decisions(campaign, coordinator)
    winners = [e for e in entries[:60] if e.number % 3 != 0 and e.consent_publish][:3]
    for position, (name, winner) in enumerate(zip(PRIZES, winners, strict=False), start=1):
        category = AwardCategory(campaign=campaign, position=position)
        for language in ("fi", "sv", "en"):
            category.set_current_language(language)
            with override(language):
                category.name = gettext(name)
        category.save()
        review_services.nominate(category, winner, coordinator)
        review_services.award(
            category,
            winner,
            {
                "fi": "Esimerkillinen tapa tuoda ihmiset yhteen.",
                "sv": "Ett föredömligt sätt att föra människor samman.",
                "en": "An exemplary way of bringing people together.",
            },
            coordinator,
        )
    programme = Programme(campaign=campaign)
    for language, title, introduction in [
        (
            "fi",
            "Yhteistyöohjelma kotoutumisen edistämiseksi",
            "Tähän ohjelmaan on koottu kampanjassa valitut lupaukset ja aloitteet. Ne näyttävät, "
            "miten yritykset, kunnat, järjestöt ja yhteisöt voivat yhdessä auttaa maahanmuuttajia "
            "kotoutumaan.",
        ),
        (
            "sv",
            "Samarbetsprogram för integrationsfrämjande",
            "I programmet har de löften och initiativ som valdes i kampanjen samlats. De visar hur "
            "företag, kommuner, organisationer och samfund tillsammans kan hjälpa invandrare att "
            "integreras.",
        ),
        (
            "en",
            "Cooperation programme for the promotion of integration",
            "This programme gathers the pledges and initiatives selected in the campaign. They show "
            "how companies, municipalities, NGOs and communities can together help immigrants "
            "integrate.",
        ),
    ]:
        programme.set_current_language(language)
        programme.title = title
        programme.introduction = introduction
    programme.save()
    # Prize categories and the programme's texts are seen on public pages.
    model_changed(programme, *AwardCategory.objects.filter(campaign=campaign))


# Progress reports, by status and language: what the demo's submitters report.
REPORT_TEXTS = {
    "not_started": {
        "fi": "Suunnittelu on aloitettu ja yhteistyökumppaneita on kutsuttu mukaan. "
        "Ensimmäiset tapaamiset pidetään ensi kuussa.",
        "sv": "Planeringen har börjat och partnerorganisationer har bjudits in. De första "
        "träffarna hålls nästa månad.",
        "en": "Planning has begun and partners have been invited. The first meetings take "
        "place next month.",
    },
    "under_way": {
        "fi": "Toiminta on käynnissä. Olemme pitäneet tapaamisia joka viikko, ja "
        "osallistujia on tullut enemmän kuin odotimme.",
        "sv": "Verksamheten är i gång. Vi har haft träffar varje vecka och fler deltagare "
        "har kommit än vi väntade oss.",
        "en": "The work is under way. We have met every week, and more people have taken "
        "part than we expected.",
    },
    "achieved": {
        "fi": "Lupauksemme on toteutunut: tavoite saavutettiin, ja jatkamme toimintaa "
        "ensi vuonna yhdessä kumppaneiden kanssa.",
        "sv": "Vi har hållit vad vi lovade: målet nåddes och vi fortsätter verksamheten "
        "nästa år tillsammans med våra partner.",
        "en": "We have done what we set out to do: the target was reached, and we carry on "
        "next year with our partners.",
    },
    "discontinued": {
        "fi": "Jouduimme keskeyttämään toiminnan.",
        "sv": "Vi var tvungna att avbryta verksamheten.",
        "en": "We had to stop the work.",
    },
}
DISCONTINUED_REASON = {
    "fi": "Hankkeen rahoitus päättyi ennen aiottua.",
    "sv": "Projektets finansiering tog slut tidigare än planerat.",
    "en": "The project's funding ended earlier than planned.",
}


def seed_progress_reports(campaign, coordinator):
    """Progress reports on about four in ten published entries (one to three each, most
    approved, a few awaiting moderation), so that the timeline, the filters, the
    statistics and the follow-up page have something to show. Idempotent."""
    if ProgressReport.objects.filter(entry__campaign=campaign).exists():
        return 0
    rng = random.Random(SEED + 1)  # noqa: S311 - repeatable demo data, not security
    indicators = list(Indicator.objects.filter(campaign=campaign))
    today = timezone.localdate()
    start = today - timedelta(days=12)
    created = 0
    for entry in published().filter(campaign=campaign).order_by("number"):
        if entry.number % 5 not in (0, 2):
            continue
        # The demo entries were sent today; these ones are dated back to the campaign's start.
        back_then = timezone.make_aware(datetime.combine(start, time(9)))
        Entry.objects.filter(pk=entry.pk).update(submitted_at=back_then)
        Publication.objects.filter(entry=entry).update(first_published_at=back_then)
        path = rng.choice(
            [
                ["not_started", "under_way", "achieved"],
                ["under_way", "achieved"],
                ["under_way"],
                ["not_started", "under_way"],
                ["under_way", "discontinued"],
                ["achieved"],
            ]
        )
        language = entry.original_language
        for step, status in enumerate(path):
            report = add_report(
                entry,
                {
                    "status": status,
                    "reason": DISCONTINUED_REASON[language] if status == "discontinued" else "",
                    "reported_on": start + timedelta(days=2 + step * 4),
                    "text": REPORT_TEXTS[status][language],
                    "figures": {
                        indicator: rng.randint(1, 12) * (10 if indicator.position == 1 else 1)
                        for indicator in indicators
                        if status != "not_started" and rng.random() < 0.7
                    },
                    "contributors": [],
                },
                language=language,
            )
            last = step == len(path) - 1
            if not (last and entry.number % 4 == 0):  # a few wait for moderation
                services.moderate_report(report, PublicationStatus.APPROVED, by=coordinator)
            created += 1
        public_change(entry=entry)  # published earlier, as dated back above
    return created
