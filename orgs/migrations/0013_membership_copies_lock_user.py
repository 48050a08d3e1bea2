"""On PostgreSQL, a membership written with a new user (an INSERT, or an UPDATE of `user_id`)
reads the user's name, email and last login FOR SHARE: a transaction that changed them and has
not committed holds the user's row, so the write waits for its COMMIT and copies the committed
values. Without the lock it copied the old ones, and the user's trigger, which ran before this
membership existed, never corrected them. Other UPDATEs of a membership need no lock: a user's
change updates the row afterwards, or waits for it. SQLite writes one transaction at a time.
Reversible to 0012's function."""

from django.db import migrations

LOCKING_FUNCTION = """
CREATE OR REPLACE FUNCTION orgs_orgmembership_user_copies() RETURNS trigger AS $$
DECLARE
    person record;
    new_user boolean := TG_OP = 'INSERT';
BEGIN
    IF NOT new_user THEN
        new_user := NEW.user_id IS DISTINCT FROM OLD.user_id;
    END IF;
    IF new_user THEN
        SELECT full_name, email, last_login INTO person FROM orgs_user
         WHERE id = NEW.user_id FOR SHARE;
    ELSE
        SELECT full_name, email, last_login INTO person FROM orgs_user WHERE id = NEW.user_id;
    END IF;
    IF FOUND THEN
        NEW.user_full_name := person.full_name;
        NEW.user_email := person.email;
        NEW.user_last_login := person.last_login;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""

UNLOCKED_FUNCTION = """
CREATE OR REPLACE FUNCTION orgs_orgmembership_user_copies() RETURNS trigger AS $$
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
"""


def lock_the_user(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LOCKING_FUNCTION)


def read_the_user_unlocked(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNLOCKED_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0012_membership_user_copies"),
    ]

    operations = [
        migrations.RunPython(lock_the_user, read_the_user_unlocked),
    ]
