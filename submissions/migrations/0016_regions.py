"""Finland's 19 regions (maakunnat / landskap) and every municipality's region.

Frozen data: Statistics Finland's classification of municipalities into regions in force
(Tilastokeskus, "Kuntien maakuntajako / Kommunernas landskapsindelning", classification
kunta_1_20260101 → maakunta_1_20260101, stat.fi/fi/luokitukset; unchanged since
1.1.2021, when Iitti moved from Kymenlaakso to Päijät-Häme, Heinävesi from South Savo
to North Karelia, Joroinen from South Savo to North Savo, Kuhmoinen from Central
Finland to Pirkanmaa and Isokyrö from Ostrobothnia to South Ostrobothnia). The Swedish
names are Statistics Finland's, the English ones those the Regional Councils and
Statistics Finland use (Southwest Finland for Varsinais-Suomi). The municipality codes
are those of submissions/data/municipalities.csv (migration 0003).

The migration fails loudly, changing nothing, if a municipality is left without a region
or a code is not one of the 19 (see check()).
"""

import django.db.models.deletion
from django.db import migrations, models

REGIONS = [
    ("01", "Uusimaa", "Nyland", "Uusimaa"),
    ("02", "Varsinais-Suomi", "Egentliga Finland", "Southwest Finland"),
    ("04", "Satakunta", "Satakunta", "Satakunta"),
    ("05", "Kanta-Häme", "Egentliga Tavastland", "Kanta-Häme"),
    ("06", "Pirkanmaa", "Birkaland", "Pirkanmaa"),
    ("07", "Päijät-Häme", "Päijänne-Tavastland", "Päijät-Häme"),
    ("08", "Kymenlaakso", "Kymmenedalen", "Kymenlaakso"),
    ("09", "Etelä-Karjala", "Södra Karelen", "South Karelia"),
    ("10", "Etelä-Savo", "Södra Savolax", "South Savo"),
    ("11", "Pohjois-Savo", "Norra Savolax", "North Savo"),
    ("12", "Pohjois-Karjala", "Norra Karelen", "North Karelia"),
    ("13", "Keski-Suomi", "Mellersta Finland", "Central Finland"),
    ("14", "Etelä-Pohjanmaa", "Södra Österbotten", "South Ostrobothnia"),
    ("15", "Pohjanmaa", "Österbotten", "Ostrobothnia"),
    ("16", "Keski-Pohjanmaa", "Mellersta Österbotten", "Central Ostrobothnia"),
    ("17", "Pohjois-Pohjanmaa", "Norra Österbotten", "North Ostrobothnia"),
    ("18", "Kainuu", "Kajanaland", "Kainuu"),
    ("19", "Lappi", "Lappland", "Lapland"),
    ("21", "Ahvenanmaa", "Åland", "Åland"),
]

# Region code → the codes of its municipalities.
# fmt: off
MUNICIPALITIES = {
    "01": [
        "018", "049", "078", "091", "092", "106", "149", "186", "224", "235", "245", "257",
        "407", "434", "444", "504", "505", "543", "611", "616", "638", "710", "753", "755",
        "858", "927",
    ],
    "02": [
        "019", "202", "284", "304", "322", "400", "423", "430", "445", "480", "481", "503",
        "529", "538", "561", "577", "631", "636", "680", "704", "734", "738", "761", "833",
        "853", "895", "918",
    ],
    "04": [
        "050", "051", "079", "102", "181", "214", "230", "271", "484", "531", "608", "609",
        "684", "747", "783", "886",
    ],
    "05": [
        "061", "082", "086", "103", "109", "165", "169", "433", "694", "834", "981",
    ],
    "06": [
        "020", "108", "143", "177", "211", "250", "291", "418", "508", "536", "562", "581",
        "604", "619", "635", "702", "790", "837", "887", "908", "922", "936", "980",
    ],
    "07": [
        "016", "081", "098", "111", "142", "316", "398", "560", "576", "781",
    ],
    "08": [
        "075", "285", "286", "489", "624", "935",
    ],
    "09": [
        "153", "405", "416", "441", "580", "689", "700", "739", "831",
    ],
    "10": [
        "046", "097", "178", "213", "491", "507", "593", "623", "681", "740", "768",
    ],
    "11": [
        "140", "171", "204", "239", "263", "297", "402", "420", "595", "686", "687", "749",
        "762", "778", "844", "857", "915", "921", "925",
    ],
    "12": [
        "090", "146", "167", "176", "260", "276", "309", "422", "426", "541", "607", "707",
        "848",
    ],
    "13": [
        "077", "172", "179", "182", "216", "226", "249", "256", "265", "275", "312", "410",
        "435", "495", "500", "592", "601", "729", "850", "892", "931", "992",
    ],
    "14": [
        "005", "010", "052", "145", "151", "152", "218", "232", "233", "300", "301", "403",
        "408", "743", "759", "846", "934", "989",
    ],
    "15": [
        "231", "280", "287", "288", "399", "440", "475", "499", "545", "598", "599", "893",
        "905", "946",
    ],
    "16": [
        "074", "217", "236", "272", "421", "584", "849", "924",
    ],
    "17": [
        "009", "069", "071", "072", "139", "208", "244", "305", "317", "425", "436", "483",
        "494", "535", "563", "564", "615", "625", "626", "630", "678", "691", "746", "748",
        "785", "791", "832", "859", "889", "977",
    ],
    "18": [
        "105", "205", "290", "578", "620", "697", "765", "777",
    ],
    "19": [
        "047", "148", "240", "241", "261", "273", "320", "498", "583", "614", "683", "698",
        "732", "742", "751", "758", "845", "851", "854", "890", "976",
    ],
    "21": [
        "035", "043", "060", "062", "065", "076", "170", "295", "318", "417", "438", "478",
        "736", "766", "771", "941",
    ],
}
# fmt: on


def check(municipalities, regions):
    """Every municipality in exactly one of the 19 regions, every code known."""
    listed = [code for codes in MUNICIPALITIES.values() for code in codes]
    unknown_regions = set(MUNICIPALITIES) - {code for code, *_names in REGIONS}
    twice = {code for code in listed if listed.count(code) > 1}
    existing = set(municipalities.objects.values_list("code", flat=True))
    without = existing - set(listed)
    if len(REGIONS) != 19 or unknown_regions or twice or without:
        raise RuntimeError(
            "The regions' classification does not fit the municipalities: "
            f"regions {len(REGIONS)}, unknown region codes {sorted(unknown_regions)}, "
            f"municipalities listed twice {sorted(twice)}, without a region {sorted(without)}"
        )


def seed(apps, schema_editor):
    regions = apps.get_model("submissions", "Region")
    municipalities = apps.get_model("submissions", "Municipality")
    check(municipalities, regions)
    regions.objects.bulk_create(
        [regions(code=c, name_fi=fi, name_sv=sv, name_en=en) for c, fi, sv, en in REGIONS]
    )
    for code, members in MUNICIPALITIES.items():
        municipalities.objects.filter(code__in=members).update(region_id=code)
    left = list(municipalities.objects.filter(region__isnull=True).values_list("code", flat=True))
    if left:
        raise RuntimeError(f"Municipalities without a region: {sorted(left)}")


def unseed(apps, schema_editor):
    apps.get_model("submissions", "Municipality").objects.update(region=None)
    apps.get_model("submissions", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("submissions", "0015_campaign_short_name")]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                (
                    "code",
                    models.CharField(
                        max_length=2, primary_key=True, serialize=False, verbose_name="code"
                    ),
                ),
                ("name_fi", models.CharField(max_length=40, verbose_name="name in Finnish")),
                ("name_sv", models.CharField(max_length=40, verbose_name="name in Swedish")),
                ("name_en", models.CharField(max_length=40, verbose_name="name in English")),
            ],
            options={
                "verbose_name": "region",
                "verbose_name_plural": "regions",
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "code__in",
                                [
                                    "01",
                                    "02",
                                    "04",
                                    "05",
                                    "06",
                                    "07",
                                    "08",
                                    "09",
                                    "10",
                                    "11",
                                    "12",
                                    "13",
                                    "14",
                                    "15",
                                    "16",
                                    "17",
                                    "18",
                                    "19",
                                    "21",
                                ],
                            )
                        ),
                        name="region_code_in_classification",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="municipality",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="municipalities",
                to="submissions.region",
                verbose_name="region",
            ),
        ),
        migrations.RunPython(seed, unseed),
        migrations.AlterField(
            model_name="municipality",
            name="region",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="municipalities",
                to="submissions.region",
                verbose_name="region",
            ),
        ),
    ]
