"""The users page's orders on one index of the org's memberships: each OrgMembership carries
copies of its user's full_name, email and last_login (`user_full_name`, `user_email`,
`user_last_login`), kept by the database, so a page at any OFFSET walks the org's entries of
`(org, name, email, id)` or `(org, last login NULLS FIRST, email, id)` in order instead of
sorting every member's user row.

Users are written in many places (the console, /admin/, commands, SCIM, SSO, every login's
`last_login`, raw bulk inserts), so triggers keep the copies, on PostgreSQL and SQLite:
- a membership written with its user or its copies (an INSERT; an UPDATE of `user_id` or of a
  copy, which every `Model.save()` is) takes the user's values: whatever it wrote there is
  replaced. PostgreSQL sets them BEFORE the row is written; SQLite, whose triggers cannot set
  NEW, corrects the row AFTER, only when it differs (so it never fires itself again);
- a user's UPDATE that changes the full name, email or last login writes them to every
  membership of the user in the same statement; so does a user's INSERT, for a membership
  written before its user inside one transaction (foreign keys are checked at COMMIT), which
  the first trigger leaves as written.
The copies have the columns' types and the database's default collation, so they sort exactly
as the user's columns did. Backfilled from the users.

The last-login index is written per database (SQLite has no NULLS FIRST in CREATE INDEX and
sorts NULL first anyway): "never logged in" sorts as the oldest login (orgs.people).
The (full_name, email) index on users goes: nothing reads it now.
"""

from django.db import migrations, models, router

COPY_SQL = {
    "postgresql": (
        [
            """
CREATE FUNCTION orgs_orgmembership_user_copies() RETURNS trigger AS $$
DECLARE
    person record;
BEGIN
    SELECT full_name, email, last_login INTO person FROM orgs_user WHERE id = NEW.user_id;
    IF FOUND THEN
        NEW.user_full_name := person.full_name;
        NEW.user_email := person.email;
        NEW.user_last_login := person.last_login;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
            """
CREATE TRIGGER orgs_orgmembership_user_copies
    BEFORE INSERT OR UPDATE OF user_id, user_full_name, user_email, user_last_login
    ON orgs_orgmembership
    FOR EACH ROW EXECUTE FUNCTION orgs_orgmembership_user_copies()
""",
            """
CREATE FUNCTION orgs_user_membership_copies() RETURNS trigger AS $$
BEGIN
    UPDATE orgs_orgmembership
       SET user_full_name = NEW.full_name, user_email = NEW.email,
           user_last_login = NEW.last_login
     WHERE user_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
            """
CREATE TRIGGER orgs_user_membership_copies
    AFTER UPDATE OF full_name, email, last_login ON orgs_user
    FOR EACH ROW
    WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name
          OR OLD.email IS DISTINCT FROM NEW.email
          OR OLD.last_login IS DISTINCT FROM NEW.last_login)
    EXECUTE FUNCTION orgs_user_membership_copies()
""",
            """
CREATE TRIGGER orgs_user_membership_copies_insert
    AFTER INSERT ON orgs_user
    FOR EACH ROW EXECUTE FUNCTION orgs_user_membership_copies()
""",
            """
CREATE INDEX orgmembership_login_order ON orgs_orgmembership
    (org_id, user_last_login ASC NULLS FIRST, user_email, id)
""",
        ],
        [
            "DROP INDEX IF EXISTS orgmembership_login_order",
            "DROP TRIGGER IF EXISTS orgs_user_membership_copies_insert ON orgs_user",
            "DROP TRIGGER IF EXISTS orgs_user_membership_copies ON orgs_user",
            "DROP FUNCTION IF EXISTS orgs_user_membership_copies()",
            "DROP TRIGGER IF EXISTS orgs_orgmembership_user_copies ON orgs_orgmembership",
            "DROP FUNCTION IF EXISTS orgs_orgmembership_user_copies()",
        ],
    ),
    "sqlite": (
        [
            """
CREATE TRIGGER orgs_orgmembership_user_copies_insert AFTER INSERT ON orgs_orgmembership
    WHEN EXISTS (SELECT 1 FROM orgs_user WHERE id = NEW.user_id)
BEGIN
    UPDATE orgs_orgmembership
       SET (user_full_name, user_email, user_last_login) =
           (SELECT full_name, email, last_login FROM orgs_user WHERE id = NEW.user_id)
     WHERE id = NEW.id;
END
""",
            """
CREATE TRIGGER orgs_orgmembership_user_copies_update
    AFTER UPDATE OF user_id, user_full_name, user_email, user_last_login ON orgs_orgmembership
    WHEN EXISTS (
        SELECT 1 FROM orgs_user
         WHERE id = NEW.user_id
           AND (full_name IS NOT NEW.user_full_name OR email IS NOT NEW.user_email
                OR last_login IS NOT NEW.user_last_login)
    )
BEGIN
    UPDATE orgs_orgmembership
       SET (user_full_name, user_email, user_last_login) =
           (SELECT full_name, email, last_login FROM orgs_user WHERE id = NEW.user_id)
     WHERE id = NEW.id;
END
""",
            """
CREATE TRIGGER orgs_user_membership_copies
    AFTER UPDATE OF full_name, email, last_login ON orgs_user
    WHEN OLD.full_name IS NOT NEW.full_name OR OLD.email IS NOT NEW.email
         OR OLD.last_login IS NOT NEW.last_login
BEGIN
    UPDATE orgs_orgmembership
       SET user_full_name = NEW.full_name, user_email = NEW.email,
           user_last_login = NEW.last_login
     WHERE user_id = NEW.id;
END
""",
            """
CREATE TRIGGER orgs_user_membership_copies_insert AFTER INSERT ON orgs_user
BEGIN
    UPDATE orgs_orgmembership
       SET user_full_name = NEW.full_name, user_email = NEW.email,
           user_last_login = NEW.last_login
     WHERE user_id = NEW.id;
END
""",
            """
CREATE INDEX orgmembership_login_order ON orgs_orgmembership
    (org_id, user_last_login, user_email, id)
""",
        ],
        [
            "DROP INDEX IF EXISTS orgmembership_login_order",
            "DROP TRIGGER IF EXISTS orgs_user_membership_copies_insert",
            "DROP TRIGGER IF EXISTS orgs_user_membership_copies",
            "DROP TRIGGER IF EXISTS orgs_orgmembership_user_copies_update",
            "DROP TRIGGER IF EXISTS orgs_orgmembership_user_copies_insert",
        ],
    ),
}

BACKFILL_SQL = """
UPDATE orgs_orgmembership
   SET (user_full_name, user_email, user_last_login) =
       (SELECT full_name, email, last_login FROM orgs_user WHERE id = orgs_orgmembership.user_id)
"""


class KeepUserCopies(migrations.RunSQL):
    """The backfill, then the triggers and the last-login index for the database's vendor
    (PostgreSQL or SQLite); nothing on another vendor or where the router does not migrate
    this app. Deconstructs without its SQL, which is the module's."""

    def __init__(self):
        super().__init__(migrations.RunSQL.noop, migrations.RunSQL.noop)

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {})

    def _vendor_sql(self, app_label, schema_editor):
        """The (forwards, backwards) statements to run here, or None."""
        alias = schema_editor.connection.alias
        if not router.allow_migrate(alias, app_label, **self.hints):
            return None
        return COPY_SQL.get(schema_editor.connection.vendor)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        sql = self._vendor_sql(app_label, schema_editor)
        if sql:
            self._run_sql(schema_editor, [BACKFILL_SQL, *sql[0]])

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        sql = self._vendor_sql(app_label, schema_editor)
        if sql:
            self._run_sql(schema_editor, sql[1])


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0011_user_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="orgmembership",
            name="user_full_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=150),
        ),
        migrations.AddField(
            model_name="orgmembership",
            name="user_email",
            field=models.CharField(blank=True, default="", editable=False, max_length=254),
        ),
        migrations.AddField(
            model_name="orgmembership",
            name="user_last_login",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        KeepUserCopies(),
        migrations.AddIndex(
            model_name="orgmembership",
            index=models.Index(
                fields=["org", "user_full_name", "user_email", "id"],
                name="orgmembership_name_order",
            ),
        ),
        migrations.RemoveIndex(model_name="user", name="user_name_order"),
    ]
