"""Scan's foreign keys lose their single-column indexes: scan_flow_time and scan_ws_time begin
with the same columns and serve every read (and the foreign keys' checks), while each index
costs every scan an insert. Only the indexes are dropped: Django's AlterField would also drop
and re-add (and re-validate over the whole table) both foreign-key constraints."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("workspaces_scan_flow_id_4468f0de", "flow_id"),
    ("workspaces_scan_workspace_id_5d5ba2e1", "workspace_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0006_access_until"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="scan",
                    name="flow",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scans",
                        to="workspaces.flow",
                    ),
                ),
                migrations.AlterField(
                    model_name="scan",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scans",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON workspaces_scan ({column})",
                )
                for name, column in INDEXES
            ],
        ),
    ]
