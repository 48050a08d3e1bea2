"""Remove grants left behind by the member-removal race: team memberships and
direct workspace memberships of people who are no longer members of the org. The console showed
them nowhere, yet they gave access. Each removal is written to the org's activity log (a
`deleted` entry by "system", with the reason), as a console removal would be."""

from django.db import migrations

REASON = "orphaned grant: not an org member (removed by migration orgs.0006)"


def orphaned(apps):
    """(grant, org_id, entity_type, entity_id, label, workspace) of every orphaned grant."""
    OrgMembership = apps.get_model("orgs", "OrgMembership")
    TeamMembership = apps.get_model("orgs", "TeamMembership")
    WorkspaceMembership = apps.get_model("workspaces", "WorkspaceMembership")
    members = set(OrgMembership.objects.values_list("org_id", "user_id"))
    for tm in TeamMembership.objects.select_related("team", "user").order_by("pk"):
        if (tm.team.org_id, tm.user_id) not in members:
            label = f"{tm.user.email} in {tm.team.name}"
            yield tm, tm.team.org_id, "team_member", tm.user_id, label, None
    for wm in WorkspaceMembership.objects.select_related("workspace", "user").order_by("pk"):
        ws = wm.workspace
        if (ws.org_id, wm.user_id) not in members:
            yield wm, ws.org_id, "workspace_member", wm.user_id, wm.user.email, ws


def remove_orphaned_grants(apps, schema_editor):
    from audit.recording import Draft, bulk_record

    drafts = []
    for grant, org_id, entity_type, entity_id, label, workspace in list(orphaned(apps)):
        grant.delete()
        drafts.append(
            Draft(
                org_id=org_id,
                action="deleted",
                entity_type=entity_type,
                entity_id=str(entity_id),
                entity_label=label[:255],
                workspace_id=workspace.pk if workspace else None,
                workspace_name=workspace.name if workspace else "",
                changes={"reason": [REASON, None]},
                actor=(None, "system", ""),
            )
        )
    bulk_record(drafts)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0005_scim"),
        ("workspaces", "0003_flow_version"),
        ("audit", "0003_workspace_names"),
    ]

    operations = [migrations.RunPython(remove_orphaned_grants, migrations.RunPython.noop)]
