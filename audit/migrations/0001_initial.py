"""The activity log's tables, and on PostgreSQL a trigger that refuses UPDATE and DELETE of
entries (SPEC §5: append-only). TRUNCATE and the chain heads are guarded by 0002."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from audit.migrations._sql import RunSQLOnPostgreSQL


APPEND_ONLY_SQL = """
CREATE FUNCTION audit_activityentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_activityentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_activityentry_append_only
    BEFORE UPDATE OR DELETE ON audit_activityentry
    FOR EACH ROW EXECUTE FUNCTION audit_activityentry_refuse_change();
"""

DROP_APPEND_ONLY_SQL = """
DROP TRIGGER IF EXISTS audit_activityentry_append_only ON audit_activityentry;
DROP FUNCTION IF EXISTS audit_activityentry_refuse_change();
"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('orgs', '0002_initial'),
        ('workspaces', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActivityChain',
            fields=[
                ('org_id', models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                ('seq', models.PositiveBigIntegerField(default=0)),
                ('head_hash', models.CharField(blank=True, max_length=64)),
            ],
            options={
                'verbose_name': 'activity chain head',
            },
        ),
        migrations.CreateModel(
            name='ActivityActor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('org_id', models.PositiveBigIntegerField()),
                ('email', models.CharField(max_length=254)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('org_id', 'email'), name='activity_actor_unique')],
            },
        ),
        migrations.CreateModel(
            name='ActivityEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField(verbose_name="number in the org's log")),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='time')),
                ('workspace_name', models.CharField(blank=True, max_length=120)),
                ('actor_email', models.CharField(max_length=254, verbose_name='actor email')),
                ('ip', models.CharField(blank=True, max_length=45, verbose_name='IP address')),
                ('action', models.CharField(choices=[('created', 'Created'), ('updated', 'Updated'), ('deleted', 'Deleted'), ('exported', 'Exported')], max_length=10)),
                ('entity_type', models.CharField(max_length=40)),
                ('entity_id', models.CharField(blank=True, max_length=64)),
                ('entity_label', models.CharField(blank=True, max_length=255)),
                ('changes', models.JSONField(blank=True, default=dict)),
                ('prev_hash', models.CharField(blank=True, max_length=64)),
                ('hash', models.CharField(max_length=64)),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('org', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.organization')),
                ('workspace', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='workspaces.workspace')),
            ],
            options={
                'verbose_name': 'activity entry',
                'verbose_name_plural': 'activity entries',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['org', 'created_at', 'id'], name='activity_org_time'), models.Index(fields=['org', 'workspace', 'created_at', 'id'], name='activity_org_ws_time'), models.Index(fields=['org', 'actor_email', 'created_at', 'id'], name='activity_org_actor_time'), models.Index(fields=['org', 'action', 'created_at', 'id'], name='activity_org_action_time'), models.Index(fields=['org', 'entity_type', 'created_at', 'id'], name='activity_org_entity_time'), models.Index(fields=['org', 'entity_type', 'entity_id', 'created_at', 'id'], name='activity_org_entity_id_time')],
                'constraints': [models.UniqueConstraint(fields=('org', 'seq'), name='activity_org_seq_unique'), models.CheckConstraint(condition=models.Q(('action__in', ['created', 'updated', 'deleted', 'exported'])), name='activity_action_valid')],
            },
        ),
        RunSQLOnPostgreSQL(APPEND_ONLY_SQL, DROP_APPEND_ONLY_SQL),
    ]
