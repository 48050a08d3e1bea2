from django.core.management.base import CommandError

from orgs import invitations
from orgs.management.base import FlowadminCommand
from orgs.roles import OrgRole, WorkspaceRole


class Command(FlowadminCommand):
    help = (
        "Invite someone to an organization: creates the invitation, emails the link and prints "
        "it. The link is built from settings.SITE_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", help="Organization slug.")
        parser.add_argument("email", help="Email address to invite.")
        parser.add_argument("--role", choices=OrgRole.values, default=OrgRole.USER)
        parser.add_argument(
            "--workspace",
            action="append",
            default=[],
            metavar="WS:ROLE",
            help=(
                "An initial workspace role, e.g. marketing:editor "
                f"(roles: {', '.join(WorkspaceRole.values)}); repeat for several workspaces."
            ),
        )

    def handle(self, *args, org, email, role, workspace, **options):
        org_obj = self.get_org(org)
        workspace_roles = [self._workspace_role(org_obj, value) for value in workspace]
        issued = invitations.invitation_create(
            actor=self.actor,
            org=org_obj,
            email=email,
            role=role,
            workspace_roles=workspace_roles,
        )
        invitation = issued.invitation
        self.stdout.write(
            f"Invited {invitation.email} to {org_obj.name} as Org {invitation.get_role_display()}"
            f"; the link expires {invitation.expires_at:%Y-%m-%d %H:%M %Z}."
        )
        self.stdout.write(issued.url)

    def _workspace_role(self, org, value):
        slug, sep, role = value.partition(":")
        if not sep or not slug or not role:
            raise CommandError(f"--workspace {value!r}: use WS:ROLE, e.g. marketing:editor.")
        if role not in WorkspaceRole.values:
            raise CommandError(
                f"--workspace {value!r}: unknown role {role!r} "
                f"(use {', '.join(WorkspaceRole.values)})."
            )
        return self.get_workspace(org, slug), role
