"""Re-encryption of every stored secret under the newest FIELD_ENCRYPTION_KEYS key (orgs.crypto),
for `manage.py rotate_field_encryption`. Lives apart from orgs.crypto so that the cipher module
imports no models."""

from django.apps import apps
from django.db import transaction

from . import crypto

# (model label, field): Fernet tokens stored whole in a text column.
TEXT_FIELDS = (
    ("orgs.IntegrationInstallation", "secrets_encrypted"),
    ("orgs.SSOConfiguration", "secrets_encrypted"),
    ("audit.ActivityStream", "secrets_encrypted"),
)
# allauth MFA: Authenticator.data keys holding tokens (flowadmin.sso_adapters.MFAAdapter).
AUTHENTICATOR_DATA_KEYS = ("secret", "seed")


@transaction.atomic
def field_encryption_rotate() -> dict[str, int]:
    """Re-encrypt every stored secret under the newest key, in one transaction.

    Returns {model label: rows re-encrypted}. Idempotent: a second run rewrites the same rows
    (under the same newest key) and changes no plain value. Raises crypto.SecretsUnreadable
    — and writes nothing — when a row cannot be decrypted with any configured key. Rows are
    rewritten with QuerySet.update: the plain values do not change, so nothing is logged."""
    counts = {}
    for label, field in TEXT_FIELDS:
        model = apps.get_model(label)
        rows = model.objects.select_for_update().exclude(**{field: ""}).values_list("pk", field)
        for pk, token in rows:
            model.objects.filter(pk=pk).update(**{field: crypto.rotate(token)})
        counts[label] = len(rows)
    authenticator = apps.get_model("mfa.Authenticator")
    rotated = 0
    for row in authenticator.objects.select_for_update().only("pk", "data"):
        data = dict(row.data or {})
        keys = [key for key in AUTHENTICATOR_DATA_KEYS if data.get(key)]
        for key in keys:
            data[key] = crypto.rotate(data[key])
        if keys:
            authenticator.objects.filter(pk=row.pk).update(data=data)
            rotated += 1
    counts["mfa.Authenticator"] = rotated
    return counts
