"""A trigram index on the actor table's email, on PostgreSQL: the activity page's "email
contains" filter (`email LIKE '%text%'`, audit.filters.actor_emails and _newest_of_actors)
reads the matching actors through it instead of scanning every actor of the log (10,000 in
the benchmark: ~4 ms a page). pg_trgm is created by migration orgs.0011. SQLite has no such
index and keeps its scan."""

from django.db import migrations

from audit.migrations._sql import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_actor_newest_at"),
        ("orgs", "0011_user_search_indexes"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            "CREATE INDEX activity_actor_email_trgm ON audit_activityactor "
            "USING gin (email gin_trgm_ops)",
            "DROP INDEX activity_actor_email_trgm",
        ),
    ]
