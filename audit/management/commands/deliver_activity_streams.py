from django.core.management.base import CommandError

from audit.streaming import deliver_due
from orgs.management.base import FlowadminCommand
from orgs.models import Organization


class Command(FlowadminCommand):
    help = (
        "Deliver the new activity entries of every org's stream that is due (webhook or "
        "sink), in order, resuming after the last delivered entry. Run it every minute; "
        "exits non-zero if a delivery failed (it is retried with backoff)."
    )

    def handle(self, *args, **options):
        names = dict(Organization.objects.values_list("pk", "slug"))
        failed = []
        for delivery in deliver_due():
            name = names.get(delivery.org_id, f"org #{delivery.org_id}")
            self.stdout.write(f"{name}: {delivery.delivered} entries delivered.")
            if delivery.error:
                failed.append(f"{name}: delivery failed: {delivery.error}.")
                self.stderr.write(failed[-1])
        if failed:
            more = f" ({len(failed)} streams failed.)" if len(failed) > 1 else ""
            raise CommandError(failed[0] + more)
