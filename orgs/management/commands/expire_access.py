from orgs.access_expiry import EXPIRY_ACTOR, run_expiry
from orgs.management.base import FlowadminCommand
from orgs.models import GrantKind

COUNTED = {
    GrantKind.ORG_MEMBER: "org memberships",
    GrantKind.WORKSPACE_MEMBER: "workspace memberships",
    GrantKind.TEAM_MEMBER: "team memberships",
    GrantKind.TEAM_ACCESS: "team access grants",
}


class Command(FlowadminCommand):
    help = (
        "End expired access: remove every org membership, workspace membership, team "
        'membership and team access whose end date has passed (logged as "expiry"), then '
        "email the reminders due ACCESS_EXPIRY_REMINDER_DAYS before an end. Safe to run "
        "often (cron, or the beat schedule's orgs.tasks.expire_access)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.set_defaults(actor=EXPIRY_ACTOR)
        return parser

    def add_arguments(self, parser):
        parser.add_argument("org", nargs="?", help="Only this organization (slug).")
        parser.add_argument(
            "--no-reminders", action="store_true", help="Only remove; send no reminders."
        )

    def handle(self, *args, org, no_reminders, **options):
        org_obj = self.get_org(org) if org else None
        run = run_expiry(actor=self.actor, org=org_obj, remind=not no_reminders)
        parts = [f"{run.removed.get(kind, 0)} {label}" for kind, label in COUNTED.items()]
        self.stdout.write(f"Removed {run.removed_total} expired: {', '.join(parts)}.")
        if not no_reminders:
            self.stdout.write(f"Sent {run.reminded} reminder{'' if run.reminded == 1 else 's'}.")
        for line in run.refused:
            self.stderr.write(f"Not removed: {line}")
