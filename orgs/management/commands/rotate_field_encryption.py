from django.core.management.base import CommandError

from orgs.crypto import SecretsUnreadable
from orgs.key_rotation import field_encryption_rotate
from orgs.management.base import FlowadminCommand


class Command(FlowadminCommand):
    help = (
        "Re-encrypt every stored secret (integrations, SSO, activity stream, TOTP) under the "
        "first FIELD_ENCRYPTION_KEYS key. Atomic and idempotent; afterwards the keys after the "
        "first may be dropped from FIELD_ENCRYPTION_KEYS and SECRET_KEY may change: no secret "
        "is left under the SECRET_KEY-derived key, which is not in the list and is always "
        "tried last to decrypt (orgs.crypto.keys)."
    )

    def handle(self, *args, **options):
        try:
            counts = field_encryption_rotate(actor=self.actor)
        except SecretsUnreadable as error:
            raise CommandError(f"{error} Nothing was changed.") from None
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} re-encrypted")
        self.stdout.write(f"Total: {sum(counts.values())} re-encrypted.")
