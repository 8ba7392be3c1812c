"""Default themes and target groups (from the 2015 press release), as msgids.

The English text is the msgid: `make messages` puts every name into the .po files, so
translators review them like any other string (locale/TERMS.md). The seeding migration
(0003) carries a frozen copy of the texts of its day; later wording changes reach the
database through a data migration, and tests/test_translations.py checks that the rows
of a fresh database match the catalogues.
"""

from django.utils.translation import gettext_noop, pgettext_lazy

# (slug, name)
THEMES = [
    ("working-life", gettext_noop("Working life and jobs")),
    ("training-language", gettext_noop("Training and language learning")),
    ("leisure", gettext_noop("Hobbies and leisure")),
    ("everyday-advice", gettext_noop("Everyday advice and services")),
    ("positive-atmosphere", gettext_noop("Positive atmosphere and anti-racism")),
    ("settling-in", gettext_noop("Settling in and housing")),
    ("health-wellbeing", gettext_noop("Health and wellbeing")),
]

TARGET_GROUPS = [
    ("newly-arrived", gettext_noop("Newly arrived immigrants")),
    ("refugees-asylum-seekers", gettext_noop("Refugees and asylum seekers")),
    ("job-seekers", gettext_noop("Job seekers with an immigrant background")),
    ("children-youth", gettext_noop("Children and young people")),
    ("parents-at-home", gettext_noop("Parents at home with children")),
    ("older-people", gettext_noop("Older immigrants")),
    ("all-immigrants", gettext_noop("All immigrants")),
    ("receiving-communities", gettext_noop("Workplaces and local residents")),
]

# Indicators every new campaign starts with (staff may change, add or remove them):
# (slug, name, unit, largest sensible figure)
INDICATORS = [
    (
        "people-reached",
        gettext_noop("People reached"),
        pgettext_lazy("indicator unit", "people"),
        1_000_000,
    ),
    (
        "partners-involved",
        gettext_noop("Partner organisations involved"),
        pgettext_lazy("indicator unit", "organisations"),
        1_000,
    ),
    (
        "events-held",
        gettext_noop("Events held"),
        pgettext_lazy("indicator unit", "events"),
        10_000,
    ),
    (
        "jobs-offered",
        gettext_noop("Jobs or traineeships offered"),
        pgettext_lazy("indicator unit", "places"),
        100_000,
    ),
]


def create_default_indicators(campaign, indicator_model):
    """The default indicators, named in fi, sv and en from the catalogues (a unit
    follows a number: "65 ihmistä", "65 personer")."""
    from django.utils.translation import gettext, override

    if indicator_model.objects.filter(campaign=campaign).exists():
        return
    for position, (slug, name, unit, maximum) in enumerate(INDICATORS, start=1):
        indicator = indicator_model(
            campaign=campaign, slug=slug, position=position, maximum=maximum
        )
        for language in ("fi", "sv", "en"):
            with override(language):
                indicator.set_current_language(language)
                indicator.name = gettext(name)
                indicator.unit = str(unit)
        indicator.save()
