from django.core.management.base import CommandError

from audit import export, recording
from audit.filters import ActivityFilterForm, filter_entries
from audit.models import ENTITY_TYPES, Action
from orgs.management.base import FlowadminCommand


class Command(FlowadminCommand):
    help = (
        "Stream an org's activity log to stdout as CSV or JSON lines, newest first, with the "
        "filters of the activity page."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", help="Organization slug.")
        parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
        parser.add_argument("--email", default="", help="Actor email contains (any case).")
        parser.add_argument("--workspace", default="", help="Workspace name contains.")
        parser.add_argument("--action", default="", choices=["", *Action.values])
        parser.add_argument(
            "--entity", default="", metavar="TYPE", help=f"Entity type: {', '.join(ENTITY_TYPES)}."
        )
        parser.add_argument("--id", default="", help="Entity id (with --entity).")
        parser.add_argument("--since", default="", help="From this date on (YYYY-MM-DD).")
        parser.add_argument("--until", default="", help="Up to and including this date.")

    def handle(self, *args, org, format, **options):
        org_obj = self.get_org(org)
        form = ActivityFilterForm(
            {
                name: options[name]
                for name in ("email", "workspace", "action", "entity", "id", "since", "until")
            }
        )
        if not form.is_valid():
            raise CommandError("Invalid filter: " + form.error_lines()[0])
        recording.record(
            action=Action.EXPORTED,
            org=org_obj,
            entity_type="activity_export",
            entity_label=f"Activity log ({format.upper()})",
            changes={"format": [None, format], "filters": [None, form.active_filters]},
        )
        lines = export.csv_lines if format == "csv" else export.jsonl_lines
        for line in lines(filter_entries(org_obj, form.cleaned_data)):
            self.stdout.write(line, ending="")
