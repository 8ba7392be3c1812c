"""Staff roles as groups, an append-only audit trail, default criteria per campaign.

The criteria given to existing campaigns are frozen here as they were when this
migration was written; later edits of review/defaults.py do not change history.
"""

from decimal import Decimal

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = {
    "review": [
        "coordinate_review",
        "score_entries",
        "view_reviewsettings",
        "change_reviewsettings",
        "add_criterion",
        "change_criterion",
        "delete_criterion",
        "view_criterion",
        "add_assignment",
        "delete_assignment",
        "view_assignment",
        "view_conflict",
        "add_conflict",
        "view_review",
        "view_score",
        "add_decision",
        "change_decision",
        "view_decision",
        "add_awardcategory",
        "change_awardcategory",
        "delete_awardcategory",
        "view_awardcategory",
        "add_nomination",
        "delete_nomination",
        "view_nomination",
        "view_ballot",
        "add_award",
        "change_award",
        "delete_award",
        "view_award",
        "view_auditevent",
    ],
    "submissions": [
        "view_campaign",
        "change_campaign",
        "add_campaign",
        "view_entry",
        "view_organisation",
        "view_partnership",
        "view_theme",
        "view_targetgroup",
        "view_municipality",
    ],
}
REVIEWER = {
    "review": ["score_entries", "view_criterion", "add_conflict", "view_conflict"],
    "submissions": ["view_entry", "view_organisation", "view_partnership"],
}



# (position, weight, name fi/sv/en, guidance fi/sv/en)
CRITERIA_2015 = [
    (
        1,
        Decimal("1.00"),
        ("Konkreettisuus", "Konkretion", "Concreteness"),
        (
            "Onko lupauksessa tai aloitteessa selkeät teot, vastuut ja mitattava tavoite?",
            "Har löftet eller initiativet tydliga åtgärder, ansvar och ett mätbart mål?",
            "Does the pledge or initiative name clear actions, responsibilities and a measurable target?",
        ),
    ),
    (
        2,
        Decimal("1.00"),
        ("Toimijoiden välinen yhteistyö", "Samarbete mellan aktörer", "Cooperation between actors"),
        (
            "Tekevätkö eri toimijat (yritykset, kunnat, järjestöt, oppilaitokset) työtä yhdessä?",
            "Arbetar olika aktörer (företag, kommuner, organisationer, läroanstalter) tillsammans?",
            "Do different actors (companies, municipalities, NGOs, schools) work on it together?",
        ),
    ),
    (
        3,
        Decimal("1.50"),
        (
            "Vaikutus kotoutumiseen ja työllistymiseen",
            "Effekt på integration och sysselsättning",
            "Effect on integration and employment",
        ),
        (
            "Auttaako tämä maahanmuuttajia kotoutumaan nopeasti, pääsemään työelämään tai "
            "luomaan myönteistä ilmapiiriä?",
            "Hjälper detta invandrare att snabbt integreras, komma in i arbetslivet eller skapa "
            "en positiv atmosfär?",
            "Does this help immigrants integrate quickly, get into working life or build a positive "
            "atmosphere?",
        ),
    ),
    (
        4,
        Decimal("1.00"),
        ("Uutuus", "Nyhet", "Novelty"),
        (
            "Onko kyseessä uudenlainen tapa edistää kotoutumista, josta muut voivat ottaa mallia?",
            "Är det ett nytt sätt att främja integration som andra kan ta efter?",
            "Is it a new kind of integration work that others can learn from?",
        ),
    ),
    (
        5,
        Decimal("1.00"),
        (
            "Toteutettavuus ja jatkuvuus",
            "Genomförbarhet och kontinuitet",
            "Feasibility and continuity",
        ),
        (
            "Onko toteutukseen resurssit, ja jatkuuko toiminta kampanjan jälkeen?",
            "Finns det resurser för genomförandet, och fortsätter verksamheten efter kampanjen?",
            "Are there resources to carry it out, and will it continue after the campaign?",
        ),
    ),
]


def _create_default_criteria(campaign, criterion_model, translation_model):
    """Create the defaults for a campaign that has no criteria yet (works in migrations)."""
    if criterion_model.objects.filter(campaign=campaign).exists():
        return
    for position, weight, names, guidance in CRITERIA_2015:
        criterion = criterion_model.objects.create(
            campaign=campaign, position=position, weight=weight
        )
        for index, language in enumerate(("fi", "sv", "en")):
            translation_model.objects.create(
                master=criterion,
                language_code=language,
                name=names[index],
                guidance=guidance[index],
            )

def ensure_permissions(apps):
    """Permissions are normally made after migrating; the groups need them now."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    ensure_permissions(apps)
    grant_roles(apps)


def grant_roles(apps):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, grants in [("coordinator", COORDINATOR), ("reviewer", REVIEWER)]:
        group, _ = group_model.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            group.permissions.add(
                *permission_model.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )


def default_criteria(apps, schema_editor):
    criterion = apps.get_model("review", "Criterion")
    translation = apps.get_model("review", "CriterionTranslation")
    for campaign in apps.get_model("submissions", "Campaign").objects.all():
        _create_default_criteria(campaign, criterion, translation)


AUDIT_GUARD = """
CREATE FUNCTION review_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER review_auditevent_append_only
    BEFORE UPDATE OR DELETE ON review_auditevent
    FOR EACH ROW EXECUTE FUNCTION review_auditevent_append_only();
"""
AUDIT_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS review_auditevent_append_only ON review_auditevent;
DROP FUNCTION IF EXISTS review_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("submissions", "0003_seed_taxonomies"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(default_criteria, migrations.RunPython.noop),
        migrations.RunSQL(AUDIT_GUARD, AUDIT_GUARD_REVERSE),
    ]
