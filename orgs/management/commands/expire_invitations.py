from orgs import invitations
from orgs.management.base import FlowadminCommand


class Command(FlowadminCommand):
    help = (
        "Mark every pending invitation past its expiry date, or whose offered org membership "
        "has ended, as expired."
    )

    def handle(self, *args, **options):
        count = invitations.invitations_expire(actor=self.actor)
        self.stdout.write(f"Expired {count} invitation{'' if count == 1 else 's'}.")
