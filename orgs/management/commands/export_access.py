from orgs.access_report import access_report
from orgs.management.base import FlowadminCommand


class Command(FlowadminCommand):
    help = (
        "Write an org's access report as CSV: one row per person × workspace they can reach, "
        "with the effective role, each Fine-Grained Permission and the sources (SPEC §10). "
        "The same bytes as the Members page's access report download (orgs:access_csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", help="Organization slug.")
        parser.add_argument("--output", metavar="FILE", help="Write here instead of stdout.")

    def handle(self, *args, org, output, **options):
        lines = access_report(org=self.get_org(org))
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.writelines(lines)
