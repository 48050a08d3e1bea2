"""SPEC §2/§3.2 as database rules, whoever writes (the models check the same in clean()/save()):

- an admin grant (workspace member, team access) has every fine-grained flag (check constraints);
- on PostgreSQL, constraint triggers refuse rows that join two orgs — a workspace member or team
  member who is not a member of the org, a team's access to another org's workspace — and moving
  a workspace or team to another org; removing an org member while they still hold workspace or
  team memberships in that org is refused at commit (deferred: cascades delete both).
  SQLite has no such triggers: there only the model checks and the services stand guard.
"""

from django.db import migrations, models

from audit.migrations._sql import RunSQLOnPostgreSQL

TRIGGERS_SQL = """
CREATE FUNCTION flowadmin_cross_org(what text) RETURNS void AS $$
BEGIN
    RAISE EXCEPTION 'cross-organization row refused: %', what USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION workspaces_wsmembership_same_org() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM workspaces_workspace w
        JOIN orgs_orgmembership m ON m.org_id = w.org_id AND m.user_id = NEW.user_id
        WHERE w.id = NEW.workspace_id
    ) THEN
        PERFORM flowadmin_cross_org('workspace member outside the workspace''s org');
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER workspaces_wsmembership_same_org
    AFTER INSERT OR UPDATE OF workspace_id, user_id ON workspaces_workspacemembership
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION workspaces_wsmembership_same_org();

CREATE FUNCTION orgs_teammembership_same_org() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM orgs_team t
        JOIN orgs_orgmembership m ON m.org_id = t.org_id AND m.user_id = NEW.user_id
        WHERE t.id = NEW.team_id
    ) THEN
        PERFORM flowadmin_cross_org('team member outside the team''s org');
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER orgs_teammembership_same_org
    AFTER INSERT OR UPDATE OF team_id, user_id ON orgs_teammembership
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION orgs_teammembership_same_org();

CREATE FUNCTION workspaces_teamaccess_same_org() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM orgs_team t JOIN workspaces_workspace w ON w.org_id = t.org_id
        WHERE t.id = NEW.team_id AND w.id = NEW.workspace_id
    ) THEN
        PERFORM flowadmin_cross_org('team access to another org''s workspace');
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER workspaces_teamaccess_same_org
    AFTER INSERT OR UPDATE OF team_id, workspace_id ON workspaces_teamaccess
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION workspaces_teamaccess_same_org();

CREATE FUNCTION flowadmin_refuse_org_move() RETURNS trigger AS $$
BEGIN
    PERFORM flowadmin_cross_org(TG_TABLE_NAME || ' moved to another org');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workspaces_workspace_org_fixed
    BEFORE UPDATE OF org_id ON workspaces_workspace
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION flowadmin_refuse_org_move();
CREATE TRIGGER orgs_team_org_fixed
    BEFORE UPDATE OF org_id ON orgs_team
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id)
    EXECUTE FUNCTION flowadmin_refuse_org_move();

CREATE FUNCTION orgs_orgmembership_no_orphans() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM orgs_orgmembership
        WHERE org_id = OLD.org_id AND user_id = OLD.user_id
    ) THEN
        RETURN NULL;  -- still a member (re-added, or the row was updated in place)
    END IF;
    IF EXISTS (
        SELECT 1 FROM workspaces_workspacemembership wm
        JOIN workspaces_workspace w ON w.id = wm.workspace_id
        WHERE w.org_id = OLD.org_id AND wm.user_id = OLD.user_id
    ) OR EXISTS (
        SELECT 1 FROM orgs_teammembership tm JOIN orgs_team t ON t.id = tm.team_id
        WHERE t.org_id = OLD.org_id AND tm.user_id = OLD.user_id
    ) THEN
        PERFORM flowadmin_cross_org('org member removed while holding workspace or team access');
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER orgs_orgmembership_no_orphans
    AFTER DELETE OR UPDATE OF org_id, user_id ON orgs_orgmembership
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orgs_orgmembership_no_orphans();
"""

DROP_TRIGGERS_SQL = """
DROP TRIGGER IF EXISTS orgs_orgmembership_no_orphans ON orgs_orgmembership;
DROP TRIGGER IF EXISTS orgs_team_org_fixed ON orgs_team;
DROP TRIGGER IF EXISTS workspaces_workspace_org_fixed ON workspaces_workspace;
DROP TRIGGER IF EXISTS workspaces_teamaccess_same_org ON workspaces_teamaccess;
DROP TRIGGER IF EXISTS orgs_teammembership_same_org ON orgs_teammembership;
DROP TRIGGER IF EXISTS workspaces_wsmembership_same_org ON workspaces_workspacemembership;
DROP FUNCTION IF EXISTS orgs_orgmembership_no_orphans();
DROP FUNCTION IF EXISTS flowadmin_refuse_org_move();
DROP FUNCTION IF EXISTS workspaces_teamaccess_same_org();
DROP FUNCTION IF EXISTS orgs_teammembership_same_org();
DROP FUNCTION IF EXISTS workspaces_wsmembership_same_org();
DROP FUNCTION IF EXISTS flowadmin_cross_org(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0006_remove_orphaned_grants"),
        ("workspaces", "0003_flow_version"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="teamaccess",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role", "admin"), _negated=True),
                    models.Q(
                        ("audience_viewer", True),
                        ("brand_kits_manager", True),
                        ("flows_manager", True),
                    ),
                    _connector="OR",
                ),
                name="teamaccess_admin_has_every_flag",
            ),
        ),
        migrations.AddConstraint(
            model_name="workspacemembership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role", "admin"), _negated=True),
                    models.Q(
                        ("audience_viewer", True),
                        ("brand_kits_manager", True),
                        ("flows_manager", True),
                    ),
                    _connector="OR",
                ),
                name="wsmembership_admin_has_every_flag",
            ),
        ),
        RunSQLOnPostgreSQL(TRIGGERS_SQL, DROP_TRIGGERS_SQL),
    ]
