"""`manage.py explain_change ORG ACTION …`: the impact preview of a change (who loses what),
without making it — the same computation as the console's confirmations (orgs.previews)."""

import argparse
import json

from django.core.management.base import CommandError

from orgs import impact, previews
from orgs.management.base import FlowadminCommand
from orgs.models import Domain, OrgMembership, Team
from orgs.names import fold
from orgs.roles import FLAGS, OrgRole, WorkspaceRole

# action → (arguments, help)
ACTIONS = {
    "remove-member": (["email"], "remove a person from the org"),
    "set-org-role": (["email", "org_role"], "set a person's Primary Role in the org"),
    "set-workspace-role": (["email", "workspace", "role"], "set a person's direct role"),
    "revoke": (["email", "workspace", "flags"], "turn a person's direct permissions off"),
    "remove-workspace-access": (["email", "workspace"], "remove a person's direct access"),
    "set-team-role": (["team", "workspace", "role"], "set a team's role in a workspace"),
    "revoke-team": (["team", "workspace", "flags"], "turn a team's permissions off"),
    "remove-team-access": (["team", "workspace"], "remove a team's access to a workspace"),
    "delete-team": (["team"], "delete a team"),
    "remove-team-member": (["team", "email"], "remove a person from a team"),
    "delete-workspace": (["workspace"], "delete a workspace"),
    "remove-domain": (["hostname"], "remove an org domain (and what it does to SSO sign-in)"),
}

ARGUMENTS = {
    "email": {"help": "The person's email."},
    "org_role": {"choices": OrgRole.values, "metavar": "ORG_ROLE"},
    "workspace": {"help": "Workspace slug."},
    "role": {"choices": WorkspaceRole.values, "metavar": "ROLE"},
    "flags": {"nargs": "+", "choices": FLAGS, "metavar": "FLAG", "help": ", ".join(FLAGS)},
    "team": {"help": "Team name."},
    "hostname": {"help": "The domain's hostname."},
}


class Command(FlowadminCommand):
    help = (
        "Print the impact preview of a change that removes or lowers access: per person and "
        "workspace, role and each permission before → after, the source that disappears and "
        "what remains. Nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", help="Organization slug.")
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument("--format", choices=["text", "json"], default="text")
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        for action, (arguments, help_text) in ACTIONS.items():
            sub = actions.add_parser(action, help=help_text, parents=[common])
            for name in arguments:
                sub.add_argument(name, **ARGUMENTS[name])

    def handle(self, *args, org, action, **options):
        org = self.get_org(org)
        change = self._change(org, action, options)
        preview = previews.impact_preview(org, change)
        if options["format"] == "json":
            self.stdout.write(json.dumps(preview.as_dict(), indent=2))
            return
        for line in preview.lines():
            self.stdout.write(line)
        self.stdout.write("(Nothing was changed: this is a preview.)")

    def _member(self, org, email):
        user = self.get_user(email)
        if not OrgMembership.objects.filter(org=org, user=user).exists():
            raise CommandError(f"{user.email} is not a member of {org.name}.")
        return user

    def _team(self, org, name):
        team = Team.objects.filter(org=org, name_key=fold(name.strip())).first()
        if team is None:
            raise CommandError(f"{org.name} has no team called {name!r}.")
        return team

    def _change(self, org, action, options):
        def user():
            return self._member(org, options["email"]).pk

        def ws():
            return self.get_workspace(org, options["workspace"]).pk

        def team():
            return self._team(org, options["team"]).name

        def off():
            return dict.fromkeys(options["flags"], False)

        if action == "remove-domain":
            host = options["hostname"].strip().lower().rstrip(".")
            if not Domain.objects.filter(org=org, hostname=host).exists():
                raise CommandError(f"{org.name} has no domain {host!r}.")
            return impact.RemoveDomain(host)
        return {
            "remove-member": lambda: impact.RemoveMember(user()),
            "set-org-role": lambda: impact.SetOrgRole(user(), options["org_role"]),
            "set-workspace-role": lambda: impact.SetDirectGrant(user(), ws(), options["role"]),
            "revoke": lambda: impact.SetDirectGrant(user(), ws(), None, off()),
            "remove-workspace-access": lambda: impact.RemoveDirectGrant(user(), ws()),
            "set-team-role": lambda: impact.SetTeamAccess(team(), ws(), options["role"]),
            "revoke-team": lambda: impact.SetTeamAccess(team(), ws(), None, off()),
            "remove-team-access": lambda: impact.RemoveTeamAccess(team(), ws()),
            "delete-team": lambda: impact.DeleteTeam(team()),
            "remove-team-member": lambda: impact.RemoveTeamMember(team(), user()),
            "delete-workspace": lambda: impact.DeleteWorkspace(ws()),
        }[action]()
