from django.core.management.base import CommandError

from audit.checkpoints import write_checkpoints
from orgs.management.base import FlowadminCommand
from orgs.models import Organization


class Command(FlowadminCommand):
    help = (
        "Sign a checkpoint of each org's activity chain head (or one org's) and store it "
        "outside the database (ACTIVITY_CHECKPOINT_DIR, and the S3 bucket when configured). "
        "Run it on a schedule; exits non-zero if a chain fails or a sink cannot be written."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", nargs="?", help="Organization slug (default: every org).")

    def handle(self, *args, org=None, **options):
        names = dict(Organization.objects.values_list("pk", "slug"))
        results = write_checkpoints(None if org is None else [self.get_org(org).pk])
        failures = []
        for result in results:
            name = names.get(result.org_id, f"deleted org #{result.org_id}")
            if result.checkpoint is not None:
                checkpoint = result.checkpoint
                self.stdout.write(
                    f"{name}: signed checkpoint #{checkpoint.seq} ({checkpoint.name})."
                )
                if result.failed_sinks:
                    failures.append(f"{name}: could not write to {', '.join(result.failed_sinks)}.")
            elif result.refused:
                failures.append(f"{name}: {result.reason}.")
            else:
                self.stdout.write(f"{name}: {result.reason}.")
        for line in failures:
            self.stderr.write(line)
        if failures:
            more = f" ({len(failures)} problems.)" if len(failures) > 1 else ""
            raise CommandError(failures[0] + more)
