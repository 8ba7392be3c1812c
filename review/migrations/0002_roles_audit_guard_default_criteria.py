"""Staff roles as groups, an append-only audit trail, default criteria per campaign."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from review.defaults import create_default_criteria

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
        create_default_criteria(campaign, criterion, translation)


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
