"""Each municipality's majority language, so that English pages can name it in that
language (Mariehamn, Jakobstad, Närpes; but Helsinki, Porvoo, Loviisa).

Frozen data: the 31 municipalities whose majority language is Swedish under the
Government decree on the linguistic status of municipalities for 2023–2032
(Valtioneuvoston asetus kuntien kielellisestä asemasta vuosina 2023–2032 /
Statsrådets förordning om kommunernas språkliga ställning åren 2023–2032), which left
the classification of 2013–2022 unchanged:

- the 16 municipalities of Åland, unilingually Swedish (the language act does not
  apply there);
- the 15 bilingual municipalities with a Swedish-speaking majority: Ingå, Kimitoön,
  Korsholm, Korsnäs, Kristinestad, Kronoby, Larsmo, Malax, Nykarleby, Närpes, Pargas,
  Pedersöre, Jakobstad, Raseborg, Vörå.

Every other municipality has a Finnish-speaking majority, including the bilingual
Espoo, Hanko, Helsinki, Kaskinen, Kauniainen, Kirkkonummi, Kokkola, Lapinjärvi, Lohja,
Loviisa, Myrskylä, Porvoo, Pyhtää, Sipoo, Siuntio, Turku, Vaasa and Vantaa.

Sources, checked in November 2026:
- Statistics Finland, classification "Kielisuhde 2023 / Språklig indelning 2023"
  (stat.fi/fi/luokitukset/kielisuhde/kielisuhde_1_20230101): no changes on 1.1.2023;
  Närpes bilingual with a Swedish majority since 2016, Korsnäs and Larsmo since 2015;
- Association of Finnish Municipalities, "Kaksikieliset kunnat ja kaksikielisyys"
  (kuntaliitto.fi): 15 bilingual municipalities with a Swedish majority, 18 with a
  Finnish majority and 16 Swedish-speaking ones for 2023–2032;
- Kotus, "Suomen ruotsinkieliset kuntien nimet" (kotus.fi) for the Swedish names;
  the codes are Statistics Finland's municipality codes, as in
  submissions/data/municipalities.csv.
"""

from django.db import migrations, models

SWEDISH_MAJORITY = {
    # Åland: Brändö, Eckerö, Finström, Föglö, Geta, Hammarland, Jomala, Kumlinge,
    # Kökar, Lemland, Lumparland, Mariehamn, Saltvik, Sottunga, Sund, Vårdö.
    "035", "043", "060", "062", "065", "076", "170", "295",
    "318", "417", "438", "478", "736", "766", "771", "941",
    # Bilingual, Swedish majority: Ingå, Korsnäs, Kristinestad, Kronoby, Kimitoön,
    # Larsmo, Pargas, Malax, Korsholm, Närpes, Jakobstad, Pedersöre, Raseborg,
    # Nykarleby, Vörå.
    "149", "280", "287", "288", "322", "440", "445", "475",
    "499", "545", "598", "599", "710", "893", "946",
}


def set_majority_language(apps, schema_editor):
    municipality = apps.get_model("submissions", "Municipality")
    municipality.objects.filter(code__in=SWEDISH_MAJORITY).update(majority_language="sv")


def unset(apps, schema_editor):
    apps.get_model("submissions", "Municipality").objects.update(majority_language="fi")


class Migration(migrations.Migration):
    dependencies = [("submissions", "0007_contact_data_permission")]

    operations = [
        migrations.AddField(
            model_name="municipality",
            name="majority_language",
            field=models.CharField(
                choices=[("fi", "Finnish"), ("sv", "Swedish")],
                default="fi",
                help_text=(
                    "The language of the majority of the inhabitants, as set by the "
                    "Government decree on the linguistic status of municipalities. English "
                    "pages use the name in this language."
                ),
                max_length=2,
                verbose_name="majority language",
            ),
        ),
        migrations.AddConstraint(
            model_name="municipality",
            constraint=models.CheckConstraint(
                condition=models.Q(("majority_language__in", ["fi", "sv"])),
                name="municipality_majority_language_valid",
            ),
        ),
        migrations.RunPython(set_majority_language, unset),
    ]
