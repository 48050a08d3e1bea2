"""Each known actor's newest entry time (`ActivityActor.newest_at`), kept by the database.

The email filter reads the actors whose newest entries are newest: a trigger on the
entries table adds the actor (as `audit.recording` did) and moves `newest_at` forward in the
same statement as the INSERT, on PostgreSQL (one upsert per INSERT statement, from its new
rows) and SQLite (per row), leaving the row alone when an older entry is written late.
Entries are never changed or deleted, so `newest_at` stays the newest `created_at` of the
actor's entries. Backfilled from the log.
"""

from django.db import migrations, models

NEWEST_SQL = {
    "postgresql": (
        [
            """
CREATE FUNCTION audit_activityactor_seen() RETURNS trigger AS $$
BEGIN
    INSERT INTO audit_activityactor (org_id, email, newest_at)
    SELECT org_id, actor_email, max(created_at) FROM new_entries GROUP BY org_id, actor_email
    ON CONFLICT (org_id, email) DO UPDATE SET newest_at = EXCLUDED.newest_at
        WHERE audit_activityactor.newest_at IS NULL
           OR audit_activityactor.newest_at < EXCLUDED.newest_at;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
            """
CREATE TRIGGER audit_activityactor_seen
    AFTER INSERT ON audit_activityentry REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_activityactor_seen()
""",
        ],
        [
            "DROP TRIGGER IF EXISTS audit_activityactor_seen ON audit_activityentry",
            "DROP FUNCTION IF EXISTS audit_activityactor_seen()",
        ],
    ),
    "sqlite": (
        # Django stores SQLite times as ISO text in UTC: they sort as text.
        [
            """
CREATE TRIGGER audit_activityactor_seen AFTER INSERT ON audit_activityentry
BEGIN
    INSERT INTO audit_activityactor (org_id, email, newest_at)
    VALUES (NEW.org_id, NEW.actor_email, NEW.created_at)
    ON CONFLICT (org_id, email) DO UPDATE SET newest_at = excluded.newest_at
        WHERE newest_at IS NULL OR newest_at < excluded.newest_at;
END
"""
        ],
        ["DROP TRIGGER IF EXISTS audit_activityactor_seen"],
    ),
}

BACKFILL_SQL = """
UPDATE audit_activityactor SET newest_at = (
    SELECT max(created_at) FROM audit_activityentry
    WHERE audit_activityentry.org_id = audit_activityactor.org_id
      AND audit_activityentry.actor_email = audit_activityactor.email
)
"""


class KeepNewestAt(migrations.RunSQL):
    """The trigger for the database's vendor (PostgreSQL or SQLite), then the backfill."""

    def __init__(self):
        super().__init__(migrations.RunSQL.noop, migrations.RunSQL.noop)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        forwards, _ = NEWEST_SQL[schema_editor.connection.vendor]
        self._run_sql(schema_editor, [*forwards, BACKFILL_SQL])

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _, backwards = NEWEST_SQL[schema_editor.connection.vendor]
        self._run_sql(schema_editor, backwards)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_generic_export_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="activityactor",
            name="newest_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="time of the newest entry"
            ),
        ),
        KeepNewestAt(),
    ]
