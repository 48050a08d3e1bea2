"""Indexes for the users page at 10,000 members: the default order (full name, email),
and on PostgreSQL trigram indexes on the member search's expression (orgs.lookups.EXPRESSION:
`lower(…)` of the NFKC-normalised column; IMMUTABLE functions only), so a search reads the
matching users instead of normalising every user's email and name. The expression is written
out here as it stands today: a migration must not change when the lookup does."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from audit.migrations._sql import RunSQLOnPostgreSQL

TRIGRAM_INDEXES = [
    ("user_email_fold_trgm", "email"),
    ("user_full_name_fold_trgm", "full_name"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0010_access_until"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["full_name", "email"], name="user_name_order"),
        ),
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        TrigramExtension(),
        *[
            RunSQLOnPostgreSQL(
                f"CREATE INDEX {name} ON orgs_user USING gin ((lower(CASE WHEN {column} IS "
                f"NFKC NORMALIZED THEN {column} ELSE normalize({column}, NFKC) END)) "
                "gin_trgm_ops)",
                f"DROP INDEX {name}",
            )
            for name, column in TRIGRAM_INDEXES
        ],
    ]
