import shlex

from django.core.management.base import BaseCommand

from audit.keys import new_key_set


class Command(BaseCommand):
    help = (
        "Print a fresh set of activity log keys as NAME=value lines (the HMAC chain key and "
        "the Ed25519 checkpoint key pair), for a .env file or `env $(manage.py activity_keys) "
        "…`. Keep ACTIVITY_CHAIN_KEYS and ACTIVITY_SIGNING_KEY secret and outside the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--key-id", default="k1", help="Id of the new chain key (default k1).")

    def handle(self, *args, key_id="k1", **options):
        for name, value in new_key_set(key_id).items():
            self.stdout.write(f"{name}={shlex.quote(value)}")
