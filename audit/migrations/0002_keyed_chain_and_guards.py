"""Keyed chain and the database guards of SPEC §5.

- `key_id` on entries: the chain key whose HMAC the entry's hash is. Entries written before
  (unkeyed SHA-256) get "legacy" and are verified as such (audit/keys.py, README).
- PostgreSQL: the chain heads refuse to be rewound — a head's seq only grows, and it may only
  move to an entry that exists with that number and hash; heads cannot be deleted. Both tables
  refuse TRUNCATE (a BEFORE TRUNCATE statement trigger). A superuser can still disable
  triggers: the signed checkpoints outside the database are what catch that.
"""

from django.db import migrations, models

from audit.migrations._sql import RunSQLOnPostgreSQL

GUARDS_SQL = """
CREATE FUNCTION audit_activitychain_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_activitychain: chain heads cannot be deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.org_id <> OLD.org_id OR NEW.seq <= OLD.seq) THEN
        RAISE EXCEPTION 'audit_activitychain: a chain head only moves forward (#% to #%)',
            OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.seq > 0 AND NOT EXISTS (
        SELECT 1 FROM audit_activityentry
        WHERE org_id = NEW.org_id AND seq = NEW.seq AND hash = NEW.head_hash
    ) THEN
        RAISE EXCEPTION 'audit_activitychain: the head must be an entry of the log (#%)', NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_activitychain_guard
    BEFORE INSERT OR UPDATE OR DELETE ON audit_activitychain
    FOR EACH ROW EXECUTE FUNCTION audit_activitychain_guard();

CREATE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_activityentry_no_truncate
    BEFORE TRUNCATE ON audit_activityentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_activitychain_no_truncate
    BEFORE TRUNCATE ON audit_activitychain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
"""

DROP_GUARDS_SQL = """
DROP TRIGGER IF EXISTS audit_activitychain_no_truncate ON audit_activitychain;
DROP TRIGGER IF EXISTS audit_activityentry_no_truncate ON audit_activityentry;
DROP FUNCTION IF EXISTS audit_refuse_truncate();
DROP TRIGGER IF EXISTS audit_activitychain_guard ON audit_activitychain;
DROP FUNCTION IF EXISTS audit_activitychain_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="activityentry",
            name="key_id",
            field=models.CharField(default="legacy", max_length=32, verbose_name="chain key id"),
            preserve_default=False,
        ),
        RunSQLOnPostgreSQL(GUARDS_SQL, DROP_GUARDS_SQL),
    ]
