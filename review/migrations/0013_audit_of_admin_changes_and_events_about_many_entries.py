"""The audit trail records changes made in the admin panel (new actions), and an event
about several entries is linked to each of them (AuditEventEntry), append-only like the
events: the trigger of migration 0002 refuses UPDATE and DELETE on the links too."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0012_login_slowdown_and_unlock_events"),
        ("submissions", "0012_default_indicators"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("assigned", "assigned"),
                    ("unassigned", "unassigned"),
                    ("conflict", "declared a conflict of interest"),
                    ("scored", "scored"),
                    ("rescored", "changed a review"),
                    ("locked", "locked the review"),
                    ("unlocked", "unlocked the review"),
                    ("decided", "decided"),
                    ("published", "published the decisions"),
                    ("nominated", "shortlisted for a prize"),
                    ("voted", "voted"),
                    ("awarded", "awarded a prize"),
                    ("pd_exported", "exported personal data"),
                    ("pd_erased", "erased personal data"),
                    ("retention", "purged contact data after the retention period"),
                    ("login", "logged in"),
                    ("login_failed", "failed login"),
                    ("locked_out", "login locked after failed attempts"),
                    ("logout", "logged out"),
                    ("session_end", "session ended automatically"),
                    ("sessions_end", "ended all sessions of a user"),
                    ("otp_added", "two-factor device added"),
                    ("otp_removed", "two-factor device removed"),
                    ("password", "password changed"),
                    ("role_changed", "role changed"),
                    ("moderated", "moderated"),
                    ("entry_status", "changed an entry's status"),
                    ("translated", "translated or corrected a public text"),
                    ("programme", "edited the programme text"),
                    ("criteria", "changed a criterion"),
                    ("settings", "changed the review settings"),
                    ("score_wdrawn", "review withdrawn after a conflict of interest"),
                    ("award_edit", "changed a prize"),
                    ("award_del", "deleted a prize"),
                    ("reminded", "sent a reminder to report progress"),
                    ("indicator", "changed a follow-up indicator"),
                    ("campaign", "changed a campaign"),
                    ("taxonomy", "changed a theme or target group"),
                    ("organisation", "changed an organisation"),
                    ("note", "changed an internal note"),
                    ("account", "changed a staff account"),
                    ("admin_change", "changed a record in the admin panel"),
                    ("admin_action", "ran an action in the admin panel"),
                ],
                max_length=12,
                verbose_name="what",
            ),
        ),
        migrations.CreateModel(
            name="AuditEventEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="submissions.entry",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="review.auditevent",
                    ),
                ),
            ],
            options={
                "verbose_name": "entry of an audit event",
                "verbose_name_plural": "entries of audit events",
            },
        ),
        migrations.AddField(
            model_name="auditevent",
            name="entries",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                through="review.AuditEventEntry",
                to="submissions.entry",
                verbose_name="entries",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevententry",
            index=models.Index(fields=["entry", "event"], name="auditevententry_by_entry"),
        ),
        migrations.AddConstraint(
            model_name="auditevententry",
            constraint=models.UniqueConstraint(
                fields=("event", "entry"), name="auditevententry_once"
            ),
        ),
        migrations.RunSQL(
            "CREATE TRIGGER review_auditevententry_append_only "
            "BEFORE UPDATE OR DELETE ON review_auditevententry "
            "FOR EACH ROW EXECUTE FUNCTION review_auditevent_append_only();",
            "DROP TRIGGER IF EXISTS review_auditevententry_append_only ON review_auditevententry;",
        ),
    ]
