import signal
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from orgs import services, sso
from orgs.management import local_idp
from orgs.management.base import FlowadminCommand
from orgs.models import SSOConfiguration, SSOProtocol

# The demo IdP's people: two acme members and someone acme has not met (joins just in time).
DEMO_ACCOUNTS = [
    {"sub": "demo-admin", "email": "admin@acme.test", "name": "Ada Admin"},
    {"sub": "demo-editor", "email": "editor@acme.test", "name": "Eddie Editor"},
    {"sub": "demo-newcomer", "email": "newcomer@acme.test", "name": "Nora Newcomer"},
]


class Command(FlowadminCommand):
    help = (
        "Start the local OpenID Provider (tests/idp, npm oidc-provider) with demo accounts, "
        "point the demo org acme's SSO at it (covering acme.test), print how to sign in, then "
        "serve the site until Ctrl-C. Run `make seed` first (make sso-demo does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Where the site listens.")
        parser.add_argument("--idp-port", type=int, default=8001, help="The IdP's port.")
        parser.add_argument(
            "--enforced", action="store_true", help="Make acme's SSO enforced (no passwords)."
        )

    def handle(self, *args, addr, idp_port, enforced, **options):
        why = local_idp.unavailable()
        if why:
            raise CommandError(f"The local OpenID Provider cannot start: {why}.")
        if not settings.SSO_ALLOW_HTTP_LOOPBACK:
            raise CommandError("Set SSO_ALLOW_HTTP_LOOPBACK=1 (the demo IdP is plain http).")
        acme = self.get_org("acme")
        # Stop the IdP with the server, also on SIGTERM.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        site = f"http://{addr}"
        # The callback of acme's OIDC configuration, before it exists (it needs the IdP's issuer).
        callback = sso.redirect_uri(SSOConfiguration(org=acme, protocol=SSOProtocol.OIDC))
        idp = local_idp.LocalOIDCProvider(
            redirect_uris=[site + callback],
            accounts=DEMO_ACCOUNTS,
            port=idp_port,
        ).start()
        try:
            # The demo's email domain, as if its DNS TXT record had been checked.
            services.domain_add_verified(actor=self.actor, org=acme, hostname="acme.test")
            services.sso_configure(
                actor=self.actor_user,
                org=acme,
                protocol="oidc",
                entity_id=idp.issuer,
                metadata_url=idp.discovery_url,
                client_id=local_idp.CLIENT_ID,
                client_secret=idp.client_secret,
                hostnames=["acme.test"],
                enforced=enforced,
            )
            emails = ", ".join(a["email"] for a in DEMO_ACCOUNTS)
            sso_page = reverse("orgs:sso", args=[acme.slug])
            self.stdout.write(
                f"\nLocal OpenID Provider: {idp.issuer} (accounts: {emails}).\n"
                f"Acme's SSO now points at it{' and is enforced' if enforced else ''}.\n\n"
                f"Sign in: open {site}{reverse('login')}, enter one of those emails, Continue,\n"
                f"then “Continue with Acme's SSO”. On the IdP's page type the same email and any\n"
                f"password. newcomer@acme.test has no account yet: it joins Acme as User.\n"
                f"Settings → SSO ({site}{sso_page}) shows the sign-ins.\n"
            )
            call_command("runserver", addr, use_reloader=False)
        finally:
            idp.stop()
