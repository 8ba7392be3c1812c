"""The default progress indicators for campaigns that exist already (new campaigns get
them from submissions.defaults when created). Frozen here with their fi/sv/en texts, as
reviewed when this migration was written."""

from django.db import migrations

# (slug, position, largest sensible figure, {language: (name, unit)})
INDICATORS = [
    (
        "people-reached",
        1,
        1_000_000,
        {
            "fi": ("Tavoitettuja ihmisiä", "ihmistä"),
            "sv": ("Nådda personer", "personer"),
            "en": ("People reached", "people"),
        },
    ),
    (
        "partners-involved",
        2,
        1_000,
        {
            "fi": ("Mukana olleita kumppaniorganisaatioita", "organisaatiota"),
            "sv": ("Deltagande partnerorganisationer", "organisationer"),
            "en": ("Partner organisations involved", "organisations"),
        },
    ),
    (
        "events-held",
        3,
        10_000,
        {
            "fi": ("Pidettyjä tapahtumia", "tapahtumaa"),
            "sv": ("Ordnade evenemang", "evenemang"),
            "en": ("Events held", "events"),
        },
    ),
    (
        "jobs-offered",
        4,
        100_000,
        {
            "fi": ("Tarjottuja työ- tai harjoittelupaikkoja", "paikkaa"),
            "sv": ("Erbjudna arbets- eller praktikplatser", "platser"),
            "en": ("Jobs or traineeships offered", "places"),
        },
    ),
]


def create(apps, schema_editor):
    Campaign = apps.get_model("submissions", "Campaign")
    Indicator = apps.get_model("submissions", "Indicator")
    Translation = apps.get_model("submissions", "IndicatorTranslation")
    for campaign in Campaign.objects.all():
        if Indicator.objects.filter(campaign=campaign).exists():
            continue
        for slug, position, maximum, texts in INDICATORS:
            indicator = Indicator.objects.create(
                campaign=campaign, slug=slug, position=position, maximum=maximum
            )
            for language, (name, unit) in texts.items():
                Translation.objects.create(
                    master=indicator, language_code=language, name=name, unit=unit
                )


class Migration(migrations.Migration):
    dependencies = [("submissions", "0011_follow_up")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
