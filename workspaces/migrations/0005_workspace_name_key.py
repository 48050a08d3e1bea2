"""Workspace names unique in their org as people read them (orgs.names.fold): the name_key
column, filled for existing rows, then its unique constraint."""

from django.db import migrations, models

from orgs.names import backfill_keys


def fill(apps, schema_editor):
    backfill_keys(apps.get_model("workspaces", "Workspace"))


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0008_team_name_key'),
        ('workspaces', '0004_cross_org_invariants'),
    ]

    operations = [
        migrations.AddField(
            model_name='workspace',
            name='name_key',
            field=models.CharField(default='', editable=False, max_length=480),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='workspace',
            constraint=models.UniqueConstraint(fields=('org', 'name_key'), name='workspace_name_unique_in_org'),
        ),
    ]
