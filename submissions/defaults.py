"""Default themes and target groups (from the 2015 press release), as msgids.

The English text is the msgid: `make messages` puts every name into the .po files, so
translators review them like any other string (locale/TERMS.md). The seeding migration
(0003) carries a frozen copy of the texts of its day; later wording changes reach the
database through a data migration, and tests/test_translations.py checks that the rows
of a fresh database match the catalogues.
"""

from django.utils.translation import gettext_noop

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
