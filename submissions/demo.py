"""Realistic demo entries for local development (used by `manage.py seed_demo`)."""

import uuid
from datetime import date

from .models import Entry, EntryKind, Municipality, TargetGroup, Theme
from .services import submit_entry

# (kind, language, organisation, type, municipality code, texts, themes, target groups)
DEMO_ENTRIES = [
    (
        EntryKind.PLEDGE,
        "fi",
        "Rakennusliike Kivijalka Oy",
        "company",
        "091",
        {
            "title": "Kymmenen työharjoittelupaikkaa rakennustyömailla",
            "summary": "Tarjoamme vuosittain kymmenen työharjoittelupaikkaa maahanmuuttajille "
            "rakennustyömaillamme pääkaupunkiseudulla.",
            "description": "Harjoittelijat saavat työmaalla nimetyn ohjaajan ja "
            "työturvallisuuskoulutuksen. Teemme yhteistyötä TE-palvelujen kanssa.",
            "promise": "Kymmenen palkallista harjoittelupaikkaa joka vuosi.",
            "target": "Vähintään puolet harjoittelijoista työllistyy alalle.",
        },
        ["working-life"],
        ["job-seekers", "newly-arrived"],
    ),
    (
        EntryKind.INITIATIVE,
        "sv",
        "Föreningen Kulturbron rf",
        "ngo",
        "049",
        {
            "title": "Språkcaféer på biblioteken i Esbo",
            "summary": "Frivilliga håller språkcaféer där nyanlända övar svenska och finska "
            "i vardagliga situationer.",
            "description": "Caféerna ordnas varje vecka på tre bibliotek. Vi söker fler "
            "frivilliga och samarbetspartner.",
            "goal": "Nyanlända vågar använda språket och får kontakter i sitt nya hem.",
            "plan": "Biblioteken ger lokalerna, föreningen utbildar frivilliga värdar.",
            "timetable": "Från januari 2027, varje tisdag och torsdag.",
            "partners_sought": "Läroanstalter och pensionärsföreningar.",
        },
        ["training-language", "leisure"],
        ["newly-arrived", "older-people"],
    ),
    (
        EntryKind.INITIATIVE,
        "en",
        "Tampere Football Club",
        "ngo",
        "837",
        {
            "title": "Football for every child in the reception centre",
            "summary": "Weekly training sessions and kit for children living in reception "
            "centres, run together with the local schools.",
            "description": "Our coaches and volunteers run sessions for children aged 7–15 and "
            "help families find a team near their new home.",
            "goal": "Children find friends and a hobby that continues after the move.",
            "plan": "Two sessions a week; the club lends equipment and pays the fees.",
            "timetable": "Spring and autumn seasons 2027.",
        },
        ["leisure"],
        ["children-youth", "refugees-asylum-seekers"],
    ),
    (
        EntryKind.PLEDGE,
        "fi",
        "Oulun kaupunki",
        "municipality",
        "564",
        {
            "title": "Neuvontapiste palvelee kaikilla kielillä",
            "summary": "Kaupungin monikielinen neuvontapiste auttaa arjen asioissa: asuminen, "
            "terveyspalvelut ja työnhaku.",
            "description": "Neuvontapiste on avoinna arkisin ja tarjoaa tulkkauksen "
            "kymmenellä kielellä.",
            "promise": "Neuvontaa suomeksi, ruotsiksi, englanniksi ja seitsemällä muulla kielellä.",
            "target": "3 000 asiakaskäyntiä vuodessa ja asiakastyytyväisyys vähintään 4/5.",
        },
        ["everyday-advice"],
        ["all-immigrants"],
    ),
    (
        EntryKind.PLEDGE,
        "sv",
        "Vasa stifts församlingar",
        "religious",
        "905",
        {
            "title": "Öppet hus och läxhjälp i församlingshemmen",
            "summary": "Församlingarna öppnar sina hus för läxhjälp och gemensamma middagar "
            "för nyanlända familjer.",
            "description": "Frivilliga ger läxhjälp två kvällar i veckan och vi ordnar "
            "gemensamma middagar en gång i månaden.",
            "promise": "Läxhjälp två kvällar i veckan i fem församlingshem.",
            "target": "100 barn och unga får regelbunden läxhjälp.",
        },
        ["positive-atmosphere", "training-language"],
        ["children-youth", "parents-at-home"],
    ),
]


def seed_entries(campaign):
    """Create the demo entries once (idempotent by title)."""
    from django.utils.translation import override

    themes = {t.slug: t for t in Theme.objects.all()}
    groups = {g.slug: g for g in TargetGroup.objects.all()}
    created = 0
    for index, (kind, language, org, org_type, code, texts, theme_slugs, group_slugs) in enumerate(
        DEMO_ENTRIES, start=1
    ):
        if Entry.objects.filter(campaign=campaign, translations__title=texts["title"]).exists():
            continue
        municipality = Municipality.objects.get(code=code)
        data = {
            "submission_key": uuid.uuid5(uuid.NAMESPACE_URL, f"kotolupaus-demo-{index}"),
            "org_name": org,
            "org_business_id": "",
            "org_type": org_type,
            "org_municipality": municipality,
            "org_website": "",
            "themes": [themes[slug] for slug in theme_slugs],
            "target_groups": [groups[slug] for slug in group_slugs],
            "municipalities": [municipality],
            "original_language": language,
            "contact_name": f"Demo Contact {index}",
            "contact_email": f"demo{index}@example.org",
            "contact_phone": "",
            "consent_publish": index != 4,
            "consent_contact": True,
            "pledge_deadline": date(2027, 12, 31) if kind == EntryKind.PLEDGE else None,
            **texts,
        }
        with override(language):
            submit_entry(campaign=campaign, kind=kind, data=data, partners=[], language=language)
        created += 1
    return created
