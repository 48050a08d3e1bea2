"""Re-encryption of every stored secret under the newest FIELD_ENCRYPTION_KEYS key (orgs.crypto),
for `manage.py rotate_field_encryption`. Lives apart from orgs.crypto so that the cipher module
imports no models."""

from collections import Counter

from django.apps import apps

from audit.context import service
from audit.recording import record

from . import crypto
from .locking import lock_org

# (model label, field): Fernet tokens stored whole in a text column.
TEXT_FIELDS = (
    ("orgs.IntegrationInstallation", "secrets_encrypted"),
    ("orgs.SSOConfiguration", "secrets_encrypted"),
    ("audit.ActivityStream", "secrets_encrypted"),
)
# allauth MFA: Authenticator.data keys holding tokens (flowadmin.sso_adapters.MFAAdapter).
AUTHENTICATOR_DATA_KEYS = ("secret", "seed")


@service
def field_encryption_rotate(*, actor) -> dict[str, int]:
    """Re-encrypt every stored secret under the newest key, in one transaction.

    Returns {model label: rows re-encrypted}. Idempotent: a second run rewrites the same rows
    (under the same newest key) and changes no plain value. Raises crypto.SecretsUnreadable
    — and writes nothing — when a row cannot be decrypted with any configured key. Rows are
    rewritten with QuerySet.update (the plain values do not change); each org whose secrets
    were re-encrypted gets one "updated" entry naming `actor` and the count. Lock order as
    in README "Concurrency": the orgs' chain heads, then the rows."""
    org_ids = set()
    for label, field in TEXT_FIELDS:
        org_ids.update(
            apps.get_model(label).objects.exclude(**{field: ""}).values_list("org_id", flat=True)
        )
    for org_id in sorted(org_ids):
        lock_org(org_id)
    counts, per_org = {}, Counter()
    for label, field in TEXT_FIELDS:
        model = apps.get_model(label)
        rows = model.objects.select_for_update().exclude(**{field: ""})
        rows = rows.order_by("pk").values_list("pk", "org_id", field)
        for pk, org_id, token in rows:
            model.objects.filter(pk=pk).update(**{field: crypto.rotate(token)})
            per_org[org_id] += 1
        counts[label] = len(rows)
    authenticator = apps.get_model("mfa.Authenticator")
    rotated = 0
    for row in authenticator.objects.select_for_update().order_by("pk").only("pk", "data"):
        data = dict(row.data or {})
        keys = [key for key in AUTHENTICATOR_DATA_KEYS if data.get(key)]
        for key in keys:
            data[key] = crypto.rotate(data[key])
        if keys:
            authenticator.objects.filter(pk=row.pk).update(data=data)
            rotated += 1
    counts["mfa.Authenticator"] = rotated
    for org_id, count in sorted(per_org.items()):
        record(
            action="updated",
            org=org_id,
            entity_type="secrets",
            entity_label="Stored secrets",
            changes={"re_encrypted": [None, count]},
        )
    return counts
