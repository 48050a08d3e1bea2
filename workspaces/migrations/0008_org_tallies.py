"""Per-org running counts for the dashboard (OrgTally: members, flows, audience contacts) and
per-org daily scans (OrgScanDay), kept by the database.

The dashboard's totals counted the org's 10,000 members and 20,000 contacts, and its chart
summed 500 workspaces × 30 days of ScanDay rows, on every request. Rows of those tables are
written from many doors (services, the admin site, SCIM, commands, bulk seeding, cascades), so
triggers keep the counts in the same statement, on PostgreSQL and SQLite:

- OrgTally: an INSERT adds the new rows per org (an upsert: the first row creates the org's
  tally), a DELETE takes them off the org's row (an UPDATE: when the org itself is being
  deleted its tally may be gone already, and nothing is recreated), and an UPDATE that moves a
  row to another org or workspace moves its count. Flows and contacts find their org through
  their workspace, which Django deletes after them. On PostgreSQL INSERT and DELETE are
  counted per statement (bulk inserts and cascades make one upsert per org, in org order).
- OrgScanDay: each ScanDay row written adds its change to its org's day, per row (the scan
  statement writes one): after the workspace's day, so a scan locks its flow, its workspace's
  day, then its org's day, the order a flow's or workspace's deletion follows too.

Backfilled from the rows. Migrations after this one that make Django rebuild one of these
tables on SQLite (a table remake) drop its triggers: recreate them there.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, tally column, how a row names its org: its own org_id or its workspace's)
COUNTED = [
    ("orgs_orgmembership", "members", "org_id"),
    ("workspaces_flow", "flows", "workspace_id"),
    ("workspaces_audiencecontact", "audience", "workspace_id"),
]


def _org_of(key: str, row: str) -> str:
    """SQL for the org of `row` (NEW, OLD or a transition table alias)."""
    if key == "org_id":
        return f"{row}.org_id"
    return f"(SELECT w.org_id FROM workspaces_workspace w WHERE w.id = {row}.workspace_id)"


POSTGRESQL_ADD = """
CREATE FUNCTION workspaces_orgtally_add(org bigint, col text, n integer) RETURNS void AS $$
BEGIN
    IF org IS NULL OR n = 0 THEN
        RETURN;
    END IF;
    IF n > 0 THEN
        INSERT INTO workspaces_orgtally (org_id, members, flows, audience)
        VALUES (org, 0, 0, 0) ON CONFLICT (org_id) DO NOTHING;
    END IF;
    UPDATE workspaces_orgtally t
    SET members = t.members + CASE WHEN col = 'members' THEN n ELSE 0 END,
        flows = t.flows + CASE WHEN col = 'flows' THEN n ELSE 0 END,
        audience = t.audience + CASE WHEN col = 'audience' THEN n ELSE 0 END
    WHERE t.org_id = org;
END;
$$ LANGUAGE plpgsql
"""


def _postgresql(table: str, column: str, key: str) -> tuple[list[str], list[str]]:
    org_new = "x.org_id" if key == "org_id" else "w.org_id"
    join = "" if key == "org_id" else " JOIN workspaces_workspace w ON w.id = x.workspace_id"
    name = f"workspaces_orgtally_{column}"
    forwards = [
        f"""
CREATE FUNCTION {name}() RETURNS trigger AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR r IN SELECT {org_new} AS org, count(*)::integer AS n FROM new_rows x{join}
                 GROUP BY 1 ORDER BY 1 LOOP
            PERFORM workspaces_orgtally_add(r.org, '{column}', r.n);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR r IN SELECT {org_new} AS org, count(*)::integer AS n FROM old_rows x{join}
                 GROUP BY 1 ORDER BY 1 LOOP
            PERFORM workspaces_orgtally_add(r.org, '{column}', -r.n);
        END LOOP;
    ELSE
        PERFORM workspaces_orgtally_add({_org_of(key, "OLD")}, '{column}', -1);
        PERFORM workspaces_orgtally_add({_org_of(key, "NEW")}, '{column}', 1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
        f"""
CREATE TRIGGER {name}_in AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}()
""",
        f"""
CREATE TRIGGER {name}_out AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}()
""",
        f"""
CREATE TRIGGER {name}_moved AFTER UPDATE OF {key} ON {table}
    FOR EACH ROW WHEN (OLD.{key} IS DISTINCT FROM NEW.{key}) EXECUTE FUNCTION {name}()
""",
    ]
    backwards = [
        f"DROP TRIGGER IF EXISTS {name}_{when} ON {table}" for when in ("in", "out", "moved")
    ] + [f"DROP FUNCTION IF EXISTS {name}()"]
    return forwards, backwards


POSTGRESQL_SCAN_DAYS = [
    """
CREATE FUNCTION workspaces_orgscanday_keep() RETURNS trigger AS $$
DECLARE
    old_org bigint;
    new_org bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT org_id INTO old_org FROM workspaces_workspace WHERE id = OLD.workspace_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT org_id INTO new_org FROM workspaces_workspace WHERE id = NEW.workspace_id;
    END IF;
    IF TG_OP = 'UPDATE' AND old_org = new_org AND OLD.day = NEW.day THEN
        -- a scan (+1) or a flow's deletion (-n): the org's day already counts the row
        UPDATE workspaces_orgscanday SET scans = scans + (NEW.scans - OLD.scans)
        WHERE org_id = new_org AND day = NEW.day;
        RETURN NULL;
    END IF;
    IF old_org IS NOT NULL THEN
        UPDATE workspaces_orgscanday SET scans = scans - OLD.scans
        WHERE org_id = old_org AND day = OLD.day;
    END IF;
    IF new_org IS NOT NULL THEN
        INSERT INTO workspaces_orgscanday AS d (org_id, day, scans)
        VALUES (new_org, NEW.day, NEW.scans)
        ON CONFLICT (org_id, day) DO UPDATE SET scans = d.scans + EXCLUDED.scans;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER workspaces_orgscanday_keep AFTER INSERT OR UPDATE OR DELETE ON workspaces_scanday
    FOR EACH ROW EXECUTE FUNCTION workspaces_orgscanday_keep()
""",
]


def _sqlite(table: str, column: str, key: str) -> tuple[list[str], list[str]]:
    name = f"workspaces_orgtally_{column}"

    def add(row: str) -> str:
        # INSERT … SELECT needs its WHERE before ON CONFLICT in SQLite (else a parsing
        # ambiguity with a join's ON); a row whose workspace is gone counts nowhere.
        return f"""
    INSERT INTO workspaces_orgtally (org_id, members, flows, audience)
    SELECT org, 0, 0, 0 FROM (SELECT {_org_of(key, row)} AS org) WHERE org IS NOT NULL
    ON CONFLICT (org_id) DO NOTHING;
    UPDATE workspaces_orgtally SET {column} = {column} + 1 WHERE org_id = {_org_of(key, row)};"""

    def take(row: str) -> str:
        return f"""
    UPDATE workspaces_orgtally SET {column} = {column} - 1 WHERE org_id = {_org_of(key, row)};"""

    forwards = [
        f"CREATE TRIGGER {name}_in AFTER INSERT ON {table} BEGIN{add('NEW')}\nEND",
        f"CREATE TRIGGER {name}_out AFTER DELETE ON {table} BEGIN{take('OLD')}\nEND",
        f"CREATE TRIGGER {name}_moved AFTER UPDATE OF {key} ON {table} "
        f"WHEN OLD.{key} IS NOT NEW.{key} BEGIN{take('OLD')}{add('NEW')}\nEND",
    ]
    backwards = [f"DROP TRIGGER IF EXISTS {name}_{when}" for when in ("in", "out", "moved")]
    return forwards, backwards


def _sqlite_scan_day(row: str, sign: str) -> str:
    org = f"(SELECT org_id FROM workspaces_workspace WHERE id = {row}.workspace_id)"
    if sign == "-":
        return f"""
    UPDATE workspaces_orgscanday SET scans = scans - {row}.scans
    WHERE org_id = {org} AND day = {row}.day;"""
    return f"""
    INSERT INTO workspaces_orgscanday (org_id, day, scans)
    SELECT org_id, {row}.day, {row}.scans FROM workspaces_workspace WHERE id = {row}.workspace_id
    ON CONFLICT (org_id, day) DO UPDATE SET scans = scans + excluded.scans;"""


SQLITE_SCAN_DAYS = [
    "CREATE TRIGGER workspaces_orgscanday_in AFTER INSERT ON workspaces_scanday "
    f"BEGIN{_sqlite_scan_day('NEW', '+')}\nEND",
    "CREATE TRIGGER workspaces_orgscanday_out AFTER DELETE ON workspaces_scanday "
    f"BEGIN{_sqlite_scan_day('OLD', '-')}\nEND",
    "CREATE TRIGGER workspaces_orgscanday_change AFTER UPDATE OF workspace_id, day, scans "
    f"ON workspaces_scanday BEGIN{_sqlite_scan_day('OLD', '-')}{_sqlite_scan_day('NEW', '+')}\nEND",
]

BACKFILL = [
    """
INSERT INTO workspaces_orgtally (org_id, members, flows, audience)
SELECT o.id,
    (SELECT count(*) FROM orgs_orgmembership m WHERE m.org_id = o.id),
    (SELECT count(*) FROM workspaces_flow f JOIN workspaces_workspace w ON w.id = f.workspace_id
     WHERE w.org_id = o.id),
    (SELECT count(*) FROM workspaces_audiencecontact c
     JOIN workspaces_workspace w ON w.id = c.workspace_id WHERE w.org_id = o.id)
FROM orgs_organization o
""",
    """
INSERT INTO workspaces_orgscanday (org_id, day, scans)
SELECT w.org_id, d.day, sum(d.scans) FROM workspaces_scanday d
JOIN workspaces_workspace w ON w.id = d.workspace_id
GROUP BY w.org_id, d.day
""",
]


def _sql(vendor: str) -> tuple[list[str], list[str]]:
    forwards, backwards = [], []
    if vendor == "postgresql":
        forwards.append(POSTGRESQL_ADD)
        for counted in COUNTED:
            more, less = _postgresql(*counted)
            forwards += more
            backwards += less
        forwards += POSTGRESQL_SCAN_DAYS
        backwards += [
            "DROP TRIGGER IF EXISTS workspaces_orgscanday_keep ON workspaces_scanday",
            "DROP FUNCTION IF EXISTS workspaces_orgscanday_keep()",
            "DROP FUNCTION IF EXISTS workspaces_orgtally_add(bigint, text, integer)",
        ]
    else:
        for counted in COUNTED:
            more, less = _sqlite(*counted)
            forwards += more
            backwards += less
        forwards += SQLITE_SCAN_DAYS
        backwards += [
            f"DROP TRIGGER IF EXISTS workspaces_orgscanday_{when}"
            for when in ("in", "out", "change")
        ]
    return forwards, backwards


class KeepOrgTallies(migrations.RunSQL):
    """The triggers for the database's vendor (PostgreSQL or SQLite), then the backfill: the
    triggers' CREATE waits for writers in progress on those tables and holds them off until
    this migration commits, so no row is counted twice or missed."""

    def __init__(self):
        super().__init__(migrations.RunSQL.noop, migrations.RunSQL.noop)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        forwards, _ = _sql(schema_editor.connection.vendor)
        self._run_sql(schema_editor, [*forwards, *BACKFILL])

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        _, backwards = _sql(schema_editor.connection.vendor)
        self._run_sql(schema_editor, backwards)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0014_orgmembership_order_by_email_copy"),
        ("workspaces", "0007_scan_foreign_key_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrgTally",
            fields=[
                (
                    "org",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="orgs.organization",
                    ),
                ),
                ("members", models.PositiveIntegerField(default=0)),
                ("flows", models.PositiveIntegerField(default=0)),
                ("audience", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="OrgScanDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("scans", models.PositiveIntegerField(default=0)),
                (
                    "org",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="orgs.organization",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("org", "day"), name="orgscanday_unique_org_day")
                ],
            },
        ),
        KeepOrgTallies(),
    ]
