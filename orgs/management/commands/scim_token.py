from django.core.management.base import CommandError

from orgs.management.base import FlowadminCommand
from orgs.scim import tokens


class Command(FlowadminCommand):
    help = (
        "Create a SCIM bearer token for an organization and print only the token on stdout "
        "(it is stored hashed and cannot be shown again), or revoke one with --revoke NAME."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", help="Organization slug.")
        parser.add_argument("--name", help="Name of the new token, e.g. Okta.")
        parser.add_argument("--revoke", metavar="NAME", help="Revoke the active token NAME.")

    def handle(self, *args, org, name, revoke, **options):
        if bool(name) == bool(revoke):
            raise CommandError("Give either --name NAME (create) or --revoke NAME.")
        organization = self.get_org(org)
        if revoke:
            token = tokens.active_token(organization, revoke)
            tokens.token_revoke(actor=self.actor_user, token=token)
            self.stderr.write(f"Revoked SCIM token {token.name!r} of {organization.name}.")
            return
        _token, text = tokens.token_create(actor=self.actor_user, org=organization, name=name)
        self.stdout.write(text)
