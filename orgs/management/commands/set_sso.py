import os
from pathlib import Path

from django.core.management.base import CommandError

from orgs import services
from orgs.management.base import FlowadminCommand
from orgs.models import SSOProtocol


class Command(FlowadminCommand):
    help = (
        "Set an organization's single sign-on configuration (replacing any existing one), "
        "or remove it with --remove. Org Admins see it, read-only, in the console. "
        "The OIDC client secret is read from the SSO_CLIENT_SECRET environment variable."
    )

    def add_arguments(self, parser):
        parser.add_argument("org", help="Organization slug.")
        parser.add_argument("--protocol", choices=SSOProtocol.values)
        parser.add_argument("--entity-id", help="SAML IdP entity id, or the OIDC issuer URL.")
        parser.add_argument(
            "--metadata-url", help="SAML metadata URL, or the OIDC discovery URL (https)."
        )
        parser.add_argument(
            "--enforced",
            action="store_true",
            help="Members must sign in through the identity provider.",
        )
        parser.add_argument(
            "--domain",
            action="append",
            default=[],
            metavar="HOST",
            help="A verified domain of the org that SSO covers (repeatable).",
        )
        parser.add_argument("--client-id", help="OIDC: the client id the IdP issued.")
        parser.add_argument(
            "--idp-certificate",
            metavar="PEM_FILE",
            help="SAML: the IdP's signing certificate, if its metadata URL does not serve it.",
        )
        parser.add_argument("--remove", action="store_true", help="Delete the configuration.")

    def handle(
        self,
        *args,
        org,
        protocol,
        entity_id,
        metadata_url,
        enforced,
        domain,
        remove,
        client_id=None,
        idp_certificate=None,
        **o,
    ):
        org_obj = self.get_org(org)
        if remove:
            if protocol or entity_id or metadata_url or enforced or domain:
                raise CommandError("--remove takes no other options.")
            services.sso_remove(actor=self.actor_user, org=org_obj)
            self.stdout.write(f"Removed the SSO configuration of {org_obj.name}.")
            return
        missing = [
            flag
            for flag, value in [
                ("--protocol", protocol),
                ("--entity-id", entity_id),
                ("--metadata-url", metadata_url),
            ]
            if not value
        ]
        if missing:
            raise CommandError(f"Missing {', '.join(missing)} (or give --remove).")
        sso = services.sso_configure(
            actor=self.actor_user,
            org=org_obj,
            protocol=protocol,
            entity_id=entity_id,
            metadata_url=metadata_url,
            enforced=enforced,
            hostnames=domain,
            client_id=client_id,
            # The OIDC client secret comes from the environment, never the command line.
            client_secret=os.environ.get("SSO_CLIENT_SECRET"),
            idp_certificate=Path(idp_certificate).read_text() if idp_certificate else None,
        )
        covered = ", ".join(sorted(d.hostname for d in sso.domains.all())) or "no domains"
        self.stdout.write(
            f"{org_obj.name}: {sso.get_protocol_display()} SSO with {sso.entity_id}"
            f"{' (enforced)' if sso.enforced else ''}, covering {covered}."
        )
