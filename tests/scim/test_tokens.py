"""SCIM tokens: created shown once and stored hashed, revoked, used; `manage.py scim_token`."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import ActivityEntry
from orgs.models import ScimToken
from orgs.scim.protocol import hash_token

from .conftest import ScimClient

pytestmark = pytest.mark.django_db


def test_command_prints_only_the_token(org, client):
    out, err = io.StringIO(), io.StringIO()
    call_command("scim_token", "initech", "--name", "Okta", stdout=out, stderr=err)
    text = out.getvalue().strip()
    assert "\n" not in text and text.startswith("scim_")
    token = ScimToken.objects.get(org=org, name="Okta")
    assert token.token_hash == hash_token(text) and text not in token.token_hash
    assert token.last_used_at is None
    assert ScimClient(client, org, text).get("Users").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    entry = ActivityEntry.objects.get(org_id=org.pk, entity_type="scim_token")
    assert text not in str(entry.changes) and entry.entity_label == "SCIM token Okta"


def test_command_revokes(org):
    call_command("scim_token", "initech", "--name", "Okta", stdout=io.StringIO())
    call_command("scim_token", "initech", "--revoke", "okta", stderr=io.StringIO())
    assert ScimToken.objects.get(org=org).revoked_at is not None
    with pytest.raises(CommandError, match="no active SCIM token"):
        call_command("scim_token", "initech", "--revoke", "okta")
    # The name is free again.
    call_command("scim_token", "initech", "--name", "Okta", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["initech"], "either --name"),
        (["nope", "--name", "x"], "No organization"),
        (["initech", "--name", "  "], "Give the token a name"),
    ],
)
def test_command_errors(org, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(*["scim_token", *args], stdout=io.StringIO())


def test_duplicate_name_refused(org):
    call_command("scim_token", "initech", "--name", "Okta", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already has a SCIM token"):
        call_command("scim_token", "initech", "--name", "OKTA", stdout=io.StringIO())
