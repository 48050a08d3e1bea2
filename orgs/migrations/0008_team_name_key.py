"""Team names unique in their org as people read them (orgs.names.fold): the name_key
column, filled for existing rows, then its unique constraint."""

from django.db import migrations, models

from orgs.names import backfill_keys


def fill(apps, schema_editor):
    backfill_keys(apps.get_model("orgs", "Team"))


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0007_domain_claims'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='team',
            name='team_name_unique',
        ),
        migrations.AddField(
            model_name='team',
            name='name_key',
            field=models.CharField(default='', editable=False, max_length=480),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='team',
            constraint=models.UniqueConstraint(fields=('org', 'name_key'), name='team_name_key_unique'),
        ),
    ]
