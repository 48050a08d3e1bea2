import json

from django.core.management.base import CommandError

from audit.integrity import remember, verify_all
from orgs.management.base import FlowadminCommand
from orgs.models import Organization


class Command(FlowadminCommand):
    help = (
        "Check the activity log's hash chains (every org's, or one org's) against the signed "
        "checkpoints: exits non-zero naming the first bad entry and the last checkpoint that "
        "still holds if an entry was changed, removed or reordered, or the log was rewound, "
        "deleted or truncated."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", nargs="?", help="Organization slug (default: every org).")
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", help="Report format."
        )

    def handle(self, *args, org=None, format="text", **options):
        names = dict(Organization.objects.values_list("pk", "slug"))
        result = verify_all(None if org is None else self.get_org(org).pk)
        remember(result)
        if format == "json":
            self.stdout.write(json.dumps(result.as_dict(names), indent=2))
        else:
            self._write_text(result, names)
        if not result.ok:
            bad = [r for r in result.reports if not r.ok]
            if not bad:
                raise CommandError(result.checkpoint_problems[0])
            name = self._name(names, bad[0].org_id)
            raise CommandError(
                f"The activity log of {name} was tampered with: first bad {bad[0].problem}."
                + (f" ({len(bad)} chains fail.)" if len(bad) > 1 else "")
            )

    @staticmethod
    def _name(names, org_id):
        return names.get(org_id, f"deleted org #{org_id}")

    def _write_text(self, result, names):
        for problem in result.checkpoint_problems:
            self.stderr.write(f"TAMPERED: {problem}")
        for report in result.reports:
            name = self._name(names, report.org_id)
            if report.ok:
                anchor = (
                    f", {report.checkpoint.describe()} holds"
                    if report.checkpoint
                    else ", no checkpoint yet"
                )
                self.stdout.write(f"{name}: {report.entries} entries, chain intact{anchor}.")
            else:
                self.stderr.write(f"{name}: TAMPERED at {report.problem}.")
        if not result.reports:
            self.stdout.write("The activity log is empty and no checkpoint says otherwise.")
        elif result.ok:
            self.stdout.write(self.style.SUCCESS(f"All {len(result.reports)} chains intact."))
