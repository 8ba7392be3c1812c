"""Finland's 19 regions and every municipality's region (issue 26, part 1): the codes and
names as Statistics Finland and the Regional Councils give them, every municipality in
exactly one region, and the migration's check refusing a classification that does not
fit."""

import importlib

import pytest
from django.utils.translation import override

from submissions.models import Municipality, Region

pytestmark = pytest.mark.django_db

# Written out by hand from Statistics Finland's classification (maakunta 2026) and the
# English names the issue lists.
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

# How many of the 308 municipalities each region has (Statistics Finland, 2026).
MUNICIPALITIES_PER_REGION = {
    "01": 26, "02": 27, "04": 16, "05": 11, "06": 23, "07": 10, "08": 6, "09": 9, "10": 11,
    "11": 19, "12": 13, "13": 22, "14": 18, "15": 14, "16": 8, "17": 30, "18": 8, "19": 21,
    "21": 16,
}  # fmt: skip

# Regional centres, the five municipalities that moved on 1.1.2021, and border cases.
PLACES = [
    ("Helsinki", "01"),
    ("Turku", "02"),
    ("Pori", "04"),
    ("Hämeenlinna", "05"),
    ("Tampere", "06"),
    ("Lahti", "07"),
    ("Kotka", "08"),
    ("Lappeenranta", "09"),
    ("Mikkeli", "10"),
    ("Kuopio", "11"),
    ("Joensuu", "12"),
    ("Jyväskylä", "13"),
    ("Seinäjoki", "14"),
    ("Vaasa", "15"),
    ("Kokkola", "16"),
    ("Oulu", "17"),
    ("Kajaani", "18"),
    ("Rovaniemi", "19"),
    ("Maarianhamina", "21"),
    ("Iitti", "07"),
    ("Heinävesi", "12"),
    ("Joroinen", "11"),
    ("Kuhmoinen", "06"),
    ("Isokyrö", "14"),
    ("Kankaanpää", "04"),
    ("Pietarsaari", "15"),
    ("Kemiönsaari", "02"),
    ("Lapinjärvi", "01"),
    ("Jämsä", "13"),
    ("Kalajoki", "17"),
]


def test_the_19_regions_have_their_official_codes_and_names():
    assert [
        (r.code, r.name_fi, r.name_sv, r.name_en) for r in Region.objects.order_by("code")
    ] == REGIONS


def test_a_region_is_named_in_the_page_language():
    region = Region.objects.get(code="02")
    for language, name in [("fi", "Varsinais-Suomi"), ("sv", "Egentliga Finland"),
                           ("en", "Southwest Finland")]:  # fmt: skip
        with override(language):
            assert str(region) == name


def test_every_municipality_has_exactly_one_region():
    assert Municipality.objects.count() == 308
    assert not Municipality.objects.filter(region__isnull=True).exists()
    per_region = {region.code: region.municipalities.count() for region in Region.objects.all()}
    assert per_region == MUNICIPALITIES_PER_REGION
    assert sum(per_region.values()) == 308


@pytest.mark.parametrize(("name", "code"), PLACES)
def test_a_municipality_is_in_its_region(name, code):
    assert Municipality.objects.get(name_fi=name).region_id == code


def test_the_migration_refuses_a_municipality_without_a_region(monkeypatch):
    migration = importlib.import_module("submissions.migrations.0016_regions")
    uusimaa = [code for code in migration.MUNICIPALITIES["01"] if code != "091"]
    monkeypatch.setitem(migration.MUNICIPALITIES, "01", uusimaa)

    with pytest.raises(RuntimeError, match=r"without a region \['091'\]"):
        migration.check(Municipality, Region)


def test_the_migration_refuses_a_region_code_outside_the_list(monkeypatch):
    migration = importlib.import_module("submissions.migrations.0016_regions")
    monkeypatch.setitem(migration.MUNICIPALITIES, "03", ["999"])

    with pytest.raises(RuntimeError, match=r"unknown region codes \['03'\]"):
        migration.check(Municipality, Region)


def test_the_database_refuses_a_region_code_outside_the_list():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="03", name_fi="x", name_sv="x", name_en="x")
