from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgs.models import SSOConfiguration
from tests.factories import DomainFactory, SSOConfigurationFactory

pytestmark = pytest.mark.django_db

ARGS = [
    "--protocol",
    "oidc",
    "--entity-id",
    "https://login.acme.example",
    "--metadata-url",
    "https://login.acme.example/.well-known/openid-configuration",
]


def run(*args):
    out = StringIO()
    call_command("set_sso", *args, stdout=out)
    return out.getvalue()


def test_configure_sso(acme):
    DomainFactory(org=acme, hostname="acme.example", verified=True)
    out = run("acme", *ARGS, "--enforced", "--domain", "ACME.example")
    sso = SSOConfiguration.objects.get(org=acme)
    assert (sso.protocol, sso.entity_id, sso.enforced) == (
        "oidc",
        "https://login.acme.example",
        True,
    )
    assert [d.hostname for d in sso.domains.all()] == ["acme.example"]
    assert "covering acme.example" in out


def test_configure_replaces_an_existing_configuration(acme):
    SSOConfigurationFactory(org=acme, enforced=True)
    run("acme", *ARGS)
    sso = SSOConfiguration.objects.get(org=acme)
    assert (sso.protocol, sso.enforced) == ("oidc", False)


def test_remove(acme):
    SSOConfigurationFactory(org=acme)
    assert "Removed" in run("acme", "--remove")
    assert not SSOConfiguration.objects.exists()


@pytest.mark.parametrize(
    "args,message",
    [
        (["nope", *ARGS], "No organization with the slug 'nope'."),
        (["acme", "--protocol", "saml"], "Missing --entity-id, --metadata-url"),
        (["acme", "--protocol", "ldap", *ARGS[2:]], "invalid choice: 'ldap'"),
        (
            ["acme", *ARGS[:4], "--metadata-url", "http://idp.example/meta"],
            "must be an https:// URL",
        ),
        (["acme", *ARGS, "--domain", "unknown.example"], "is not a domain of Acme"),
        (["acme", *ARGS, "--domain", "pending.example"], "is not verified yet"),
        (["acme", *ARGS, "--domain", "globex.example"], "is not a domain of Acme"),
        (["acme", "--remove"], "Acme has no SSO configuration."),
        (["acme", "--remove", "--enforced"], "--remove takes no other options."),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(acme, globex, args, message):
    DomainFactory(org=acme, hostname="pending.example")
    DomainFactory(org=globex, hostname="globex.example", verified=True)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        run(*args)
    assert not SSOConfiguration.objects.exists()
