from django.core.management.base import CommandError

from audit.integrity import chain_org_ids, verify_chain
from orgs.management.base import FlowadminCommand
from orgs.models import Organization


class Command(FlowadminCommand):
    help = (
        "Check the activity log's hash chains (every org's, or one org's): exits non-zero "
        "naming the first bad entry if an entry was changed, removed or reordered."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", nargs="?", help="Organization slug (default: every org).")

    def handle(self, *args, org=None, **options):
        names = dict(Organization.objects.values_list("pk", "slug"))
        org_ids = chain_org_ids() if org is None else [self.get_org(org).pk]
        bad = []
        for org_id in org_ids:
            report = verify_chain(org_id)
            name = names.get(org_id, f"deleted org #{org_id}")
            if report.ok:
                self.stdout.write(f"{name}: {report.entries} entries, chain intact.")
            else:
                self.stderr.write(f"{name}: TAMPERED at {report.problem}.")
                bad.append((name, report.problem))
        if bad:
            name, problem = bad[0]
            raise CommandError(
                f"The activity log of {name} was tampered with: first bad {problem}."
                + (f" ({len(bad)} chains fail.)" if len(bad) > 1 else "")
            )
        if not org_ids:
            self.stdout.write("The activity log is empty.")
        else:
            self.stdout.write(self.style.SUCCESS(f"All {len(org_ids)} chains intact."))
