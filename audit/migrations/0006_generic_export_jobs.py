# The activity export's job model serves every export kind (the audience's too).

import django.db.models.deletion
from django.db import migrations, models

import audit.models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_activity_export"),
        ("workspaces", "0005_workspace_name_key"),
    ]

    operations = [
        migrations.RenameModel("ActivityExport", "ExportJob"),
        migrations.AddField(
            model_name="exportjob",
            name="kind",
            field=models.CharField(
                choices=[("activity", "Activity log (CSV)"), ("audience", "Audience (CSV)")],
                default="activity",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="exportjob",
            name="workspace",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="workspaces.workspace",
            ),
        ),
        migrations.AlterField(
            model_name="exportjob",
            name="file",
            field=models.FileField(blank=True, upload_to=audit.models.export_upload_to),
        ),
    ]
