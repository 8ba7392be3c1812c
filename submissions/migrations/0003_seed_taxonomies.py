"""Themes and target groups from the 2015 press release, and the municipalities of Finland.

Frozen data: the texts below are those of the day this migration was written, and
submissions/data/municipalities.csv must keep its three columns (code, name_fi,
name_sv); later changes arrive by data migrations (0006, 0007)."""

import csv
from pathlib import Path

from django.db import migrations

THEMES = [
    ("working-life", "Työelämä ja työllistyminen", "Arbetsliv och sysselsättning",
     "Working life and jobs"),
    ("training-language", "Koulutus ja kielenoppiminen", "Utbildning och språkinlärning",
     "Training and language learning"),
    ("leisure", "Harrastukset ja vapaa-aika", "Hobbyer och fritid", "Hobbies and leisure"),
    ("everyday-advice", "Arjen neuvonta ja palvelut", "Rådgivning och tjänster i vardagen",
     "Everyday advice and services"),
    ("positive-atmosphere", "Myönteinen ilmapiiri ja rasismin vastainen työ",
     "Positiv atmosfär och arbete mot rasism", "Positive atmosphere and anti-racism"),
    ("settling-in", "Asettuminen ja asuminen", "Bosättning och boende",
     "Settling in and housing"),
    ("health-wellbeing", "Terveys ja hyvinvointi", "Hälsa och välbefinnande",
     "Health and wellbeing"),
]

TARGET_GROUPS = [
    ("newly-arrived", "Äskettäin maahan muuttaneet", "Nyanlända invandrare",
     "Newly arrived immigrants"),
    ("refugees-asylum-seekers", "Pakolaiset ja turvapaikanhakijat", "Flyktingar och asylsökande",
     "Refugees and asylum seekers"),
    ("job-seekers", "Maahanmuuttajataustaiset työnhakijat", "Arbetssökande med invandrarbakgrund",
     "Job seekers with an immigrant background"),
    ("children-youth", "Lapset ja nuoret", "Barn och unga", "Children and young people"),
    ("parents-at-home", "Kotona lapsia hoitavat vanhemmat", "Föräldrar som är hemma med barn",
     "Parents at home with children"),
    ("older-people", "Ikääntyneet maahanmuuttajat", "Äldre invandrare", "Older immigrants"),
    ("all-immigrants", "Kaikki maahanmuuttajat", "Alla invandrare", "All immigrants"),
    ("receiving-communities", "Työyhteisöt ja paikalliset asukkaat",
     "Arbetsgemenskaper och lokalbefolkning", "Workplaces and local residents"),
]


def seed(apps, schema_editor):
    for model_name, rows in [("Theme", THEMES), ("TargetGroup", TARGET_GROUPS)]:
        model = apps.get_model("submissions", model_name)
        translation = apps.get_model("submissions", f"{model_name}Translation")
        for position, (slug, fi, sv, en) in enumerate(rows, start=1):
            master, _ = model.objects.get_or_create(slug=slug, defaults={"position": position})
            for language, name in [("fi", fi), ("sv", sv), ("en", en)]:
                translation.objects.update_or_create(
                    master=master, language_code=language, defaults={"name": name}
                )

    municipality = apps.get_model("submissions", "Municipality")
    path = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"
    with path.open(encoding="utf-8") as rows:
        municipality.objects.bulk_create(
            [municipality(**row) for row in csv.DictReader(rows)], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [("submissions", "0002_entries")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
