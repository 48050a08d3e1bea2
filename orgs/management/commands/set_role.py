from django.core.management.base import CommandError

from orgs import expiry, permissions, services
from orgs.management.base import FlowadminCommand
from orgs.roles import FLAGS, OrgRole, WorkspaceRole
from workspaces import services as workspace_services


class Command(FlowadminCommand):
    help = (
        "Change a member's org role, or their role and fine-grained permissions in a workspace, "
        "with the same rules as the console."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", help="Organization slug.")
        parser.add_argument("email", help="The member's email.")
        parser.add_argument("--org-role", choices=OrgRole.values)
        parser.add_argument("--workspace", help="Workspace slug.")
        parser.add_argument("--role", choices=WorkspaceRole.values, help="Workspace role.")
        parser.add_argument(
            "--grant",
            action="append",
            default=[],
            choices=FLAGS,
            metavar="FLAG",
            help=f"Turn a permission on ({', '.join(FLAGS)}).",
        )
        parser.add_argument(
            "--revoke",
            action="append",
            default=[],
            choices=FLAGS,
            metavar="FLAG",
            help="Turn a permission off.",
        )
        parser.add_argument(
            "--until",
            metavar="YYYY-MM-DD",
            help="The last day the org or workspace role counts (it ends at the start of the "
            "next day in TIME_ZONE); 'never' removes the end. Without it the end is kept.",
        )

    def handle(self, *args, org, email, org_role, workspace, role, grant, revoke, until, **options):
        if bool(org_role) == bool(workspace):
            raise CommandError(
                "Give either --org-role, or --workspace with --role/--grant/--revoke."
            )
        if org_role and (role or grant or revoke):
            raise CommandError("--role, --grant and --revoke go with --workspace, not --org-role.")
        both = set(grant) & set(revoke)
        if both:
            raise CommandError(f"Cannot both grant and revoke {sorted(both)[0]}.")
        until = self.parse_until(until)
        org_obj = self.get_org(org)
        user = self.get_user(email)
        if org_role:
            membership = services.org_role_set(
                actor=self.actor, org=org_obj, user=user, role=org_role, until=until
            )
            self.stdout.write(
                f"{user.email} is now Org {membership.get_role_display()} of {org_obj.name}"
                f"{self.until_text(membership.until)}."
            )
            return
        if not (role or grant or revoke or until is not expiry.UNCHANGED):
            raise CommandError("Nothing to change: give --role, --grant, --revoke or --until.")
        ws = self.get_workspace(org_obj, workspace)
        flags = {flag: True for flag in grant} | {flag: False for flag in revoke}
        current = ws.memberships.filter(user=user).values_list("role", flat=True).first()
        if revoke and permissions.flags_locked(role or current):
            raise CommandError("Workspace Admins always have every permission; nothing to revoke.")
        membership = workspace_services.workspace_member_set(
            actor=self.actor, workspace=ws, user=user, role=role, flags=flags, until=until
        )
        on = [flag for flag, value in membership.flags.items() if value]
        self.stdout.write(
            f"{user.email} in {ws.name}: {membership.get_role_display()}"
            f"{self.until_text(membership.until)}"
            f" ({', '.join(on) if on else 'no extra permissions'})."
        )

    @staticmethod
    def parse_until(text):
        """--until: a date → the instant access ends (orgs.expiry.end_of_day); 'never' → None;
        absent → UNCHANGED."""
        if text is None:
            return expiry.UNCHANGED
        if text.strip().lower() in ("never", "none"):
            return None
        try:
            return expiry.end_of_day(expiry.parse_day(text))
        except ValueError as error:
            raise CommandError(f"--until: {error}") from None

    @staticmethod
    def until_text(until) -> str:
        day = expiry.last_day(until)
        return f" until {day:%Y-%m-%d}" if day else ""
