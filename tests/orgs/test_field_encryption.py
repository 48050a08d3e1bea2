"""Stored secrets under FIELD_ENCRYPTION_KEYS (orgs.crypto): key rotation without losing them."""

import io

import pytest
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from orgs import crypto, services
from orgs.apps import field_encryption_keys_check
from orgs.models import IntegrationInstallation, SSOConfiguration
from tests.factories import OrganizationFactory, SSOConfigurationFactory, UserFactory
from tests.orgs.console import html, logged_in

pytestmark = pytest.mark.django_db

OLD, NEW, OTHER = (Fernet.generate_key().decode() for _ in range(3))
TOKEN = "pat-na1-secret-value-9876"


def store_secrets():
    """One secret of each kind, encrypted under the keys configured now."""
    org = OrganizationFactory()
    installation = services.integration_install(
        actor=None, org=org, app_key="hubspot", values={"portal_id": "1", "access_token": TOKEN}
    )
    sso = SSOConfigurationFactory(
        org=org, secrets_encrypted=crypto.encrypt_json({"x509cert": "CERT"})
    )
    totp = Authenticator.objects.create(
        user=UserFactory(), type="totp", data={"secret": crypto.encrypt_text("TOTPSEED")}
    )
    return installation, sso, totp


def read(installation, sso, totp):
    installation = IntegrationInstallation.objects.get(pk=installation.pk)
    sso = SSOConfiguration.objects.get(pk=sso.pk)
    totp = Authenticator.objects.get(pk=totp.pk)
    return (
        installation.secrets(),
        sso.secrets(),
        crypto.decrypt_text(totp.data["secret"]),
    )


PLAIN = ({"access_token": TOKEN}, {"x509cert": "CERT"}, "TOTPSEED")


def rotate() -> str:
    out = io.StringIO()
    call_command("rotate_field_encryption", stdout=out)
    return out.getvalue()


def test_rotation_keeps_secrets_readable_and_lets_the_old_key_go(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    rows = store_secrets()
    before = IntegrationInstallation.objects.get(pk=rows[0].pk).secrets_encrypted

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]  # a new key, the old one listed second
    assert read(*rows) == PLAIN
    output = rotate()
    assert "orgs.IntegrationInstallation: 1 re-encrypted" in output
    assert "orgs.SSOConfiguration: 1 re-encrypted" in output
    assert "mfa.Authenticator: 1 re-encrypted" in output
    assert IntegrationInstallation.objects.get(pk=rows[0].pk).secrets_encrypted != before

    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key dropped
    assert read(*rows) == PLAIN
    assert "Total: 3 re-encrypted." in rotate()  # idempotent
    assert read(*rows) == PLAIN


def test_secrets_written_under_the_secret_key_survive_its_change(settings):
    settings.FIELD_ENCRYPTION_KEYS = []  # development: the SECRET_KEY-derived key
    rows = store_secrets()
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the derived key still decrypts, tried last
    assert read(*rows) == PLAIN
    rotate()
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert read(*rows) == PLAIN


def test_a_wrong_key_list_is_a_clear_error_never_a_500(settings, client, demo, acme):
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    services.integration_install(
        actor=None, org=acme, app_key="hubspot", values={"portal_id": "1", "access_token": TOKEN}
    )
    settings.FIELD_ENCRYPTION_KEYS = [OTHER]
    with pytest.raises(CommandError, match="cannot be decrypted.*Nothing was changed"):
        rotate()
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert IntegrationInstallation.objects.get(org=acme, app="hubspot").secrets() == {
        "access_token": TOKEN
    }

    settings.FIELD_ENCRYPTION_KEYS = [OTHER]
    response = logged_in(client, demo).get("/orgs/acme/settings/integrations/hubspot/")
    assert response.status_code == 503
    assert "FIELD_ENCRYPTION_KEYS" in html(response)


def test_a_malformed_key_fails_the_system_check(settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW, "not-a-key"]
    [error] = field_encryption_keys_check(None)
    assert error.id == "orgs.E001"
    assert "key #2 is not a Fernet key" in error.msg
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    assert field_encryption_keys_check(None) == []


def test_rotation_is_logged_once_per_org_with_the_operator_as_actor(settings):
    from audit.models import ActivityEntry

    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    installation, *_ = store_secrets()
    UserFactory(email="ops@example.test")
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("rotate_field_encryption", "--actor", "ops@example.test", stdout=io.StringIO())

    [entry] = ActivityEntry.objects.filter(org=installation.org, entity_type="secrets")
    assert entry.actor_email == "ops@example.test"
    assert entry.action == "updated"
    assert entry.changes == {"re_encrypted": [None, 2]}  # the integration and the SSO secrets
