"""`manage.py explain_change`: the impact preview for scripts, text and JSON, changing nothing."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgs.models import Domain, SSOConfiguration, TeamMembership, User
from orgs.roles import FLAG_DEFINITIONS, FLAGS
from tests.factories import OrgMembershipFactory, UserFactory
from tests.orgs.test_impact_preview import effective
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("explain_change", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def everything(acme):
    return effective(acme, list(Workspace.objects.filter(org=acme).values_list("pk", flat=True)))


def test_deleting_a_team_says_who_loses_what_and_changes_nothing(demo, acme):
    before = everything(acme)
    out = run("acme", "delete-team", "Field Sales")
    assert out.splitlines() == [
        "Tim Teamer loses Sales Editor (was via team Field Sales); keeps nothing in Sales",
        "(Nothing was changed: this is a preview.)",
    ]
    assert everything(acme) == before
    assert TeamMembership.objects.filter(team__name="Field Sales").exists()


def test_json_gives_each_flag_before_and_after_with_the_sources(demo, acme):
    flag = FLAG_DEFINITIONS[-1]  # the audience user's extra permission (seed_demo)
    args = ["revoke", "audience@acme.test", "marketing", flag.name, "--format", "json"]
    data = json.loads(run("acme", *args))
    assert data["change"] == "set_workspace_access"
    assert data["lowers_access"] is True
    (person,) = data["people"]
    assert person["user"]["email"] == "audience@acme.test"
    (row,) = person["workspaces"]
    assert row["workspace"]["slug"] == "marketing"
    assert row["role"] == {"before": "viewer", "after": "viewer"}
    assert row["flags"][flag.name] == {"before": True, "after": False}
    assert set(row["flags"]) == set(FLAGS)
    assert [s["kind"] for s in row["lost_sources"]] == ["direct"]
    assert row["lost_sources"][0]["flags"][flag.name] is True
    assert row["remaining_sources"][0]["flags"][flag.name] is False
    assert row["sentence"] == (
        f"Aud Ience loses {flag.label} (was direct); keeps Marketing Viewer (direct)"
    )


def test_demoting_an_org_admin_groups_the_workspaces_they_lose(demo, acme):
    out = run("acme", "set-org-role", "admin@acme.test", "user")
    assert out.splitlines()[:2] == [
        "Ada Admin goes from Org Admin to Org User in Acme",
        "Ada Admin loses Admin (was as Org Admin); keeps nothing there — "
        "in 3 workspaces: Events, Marketing, Sales",
    ]


def test_removing_a_member_and_deleting_a_workspace(demo, acme):
    assert run("acme", "remove-member", "editor@acme.test").splitlines()[:2] == [
        "Eddie Editor leaves Acme (was Org User)",
        "Eddie Editor loses Marketing Editor (was direct); keeps nothing in Marketing",
    ]
    lines = run("acme", "delete-workspace", "sales").splitlines()
    assert "Tim Teamer loses Sales Editor (was via team Field Sales): the workspace is deleted" in (
        lines
    )
    assert "Ada Admin loses Sales Admin (was as Org Admin): the workspace is deleted" in lines


def test_removing_a_domain_used_by_sso_says_sign_in_stops(demo, acme):
    domain = Domain.objects.create(org=acme, hostname="acme.example", status="verified")
    sso = SSOConfiguration.objects.create(
        org=acme, protocol="saml", entity_id="e", metadata_url="x", enforced=True
    )
    sso.domains.add(domain)
    OrgMembershipFactory(org=acme, user=UserFactory(email="sam@acme.example", full_name="Sam"))
    jit = User.objects.create_user(email="jit@acme.example", password=None, full_name="Jit")
    OrgMembershipFactory(org=acme, user=jit)  # made by SSO: no usable password
    data = json.loads(run("acme", "remove-domain", "acme.example", "--format", "json"))
    assert data["people"] == [] and data["lowers_access"] is False
    (effect,) = data["sign_in"]
    assert effect["hostname"] == "acme.example"
    assert effect["sso_enforced"] is True
    assert effect["members"] == ["jit@acme.example", "sam@acme.example"]
    assert effect["without_password"] == ["jit@acme.example"]
    text = run("acme", "remove-domain", "acme.example")
    assert "Single sign-on stops for addresses at acme.example" in text
    assert "nobody's role or workspace access changes" in text
    assert "No password is set for Jit" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "delete-team", "x"], "No organization with the slug 'nope'."),
        (["acme", "delete-team", "Nope"], "Acme has no team called 'Nope'."),
        (["acme", "remove-member", "outsider@globex.test"], "No user with the email"),
        (["acme", "remove-member", "admin@globex.test"], "is not a member of Acme"),
        (["acme", "delete-workspace", "main"], "Acme has no workspace with the slug 'main'."),
        (["acme", "remove-domain", "nope.example"], "Acme has no domain 'nope.example'."),
    ],
)
def test_bad_input_is_one_line_error(demo, args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("(", r"\(")):
        run(*args)


def test_an_unknown_flag_exits_non_zero_without_a_traceback(demo):
    result = subprocess.run(
        [sys.executable, "manage.py", "explain_change", "acme", "revoke", "a@b.c", "w", "nope"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "invalid choice: 'nope'" in result.stderr
    assert "Traceback" not in result.stderr
