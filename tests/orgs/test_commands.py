from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgs.models import Organization, OrgMembership, User
from workspaces.models import WorkspaceMembership

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seed_demo_is_idempotent(demo):
    counts = (
        User.objects.count(),
        OrgMembership.objects.count(),
        WorkspaceMembership.objects.count(),
    )
    run("seed_demo")
    assert counts == (
        User.objects.count(),
        OrgMembership.objects.count(),
        WorkspaceMembership.objects.count(),
    )


def test_seed_demo_operator_is_superuser_without_orgs(demo):
    ops = demo["ops@flowadmin.test"]
    assert ops.is_superuser and ops.is_staff
    assert not OrgMembership.objects.filter(user=ops).exists()


def test_explain_access_names_the_team(demo):
    out = run("explain_access", "teamuser@acme.test", "acme/sales")
    assert "role: editor (from team Field Sales)" in out
    assert "flows_manager [Flows Manager]: on (from team Field Sales)" in out
    assert "audience_viewer [Audience Viewer]: off" in out


def test_explain_access_org_admin(demo):
    out = run("explain_access", "admin@acme.test", "acme/events")
    assert "role: admin (from org admin)" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["nobody@x.test", "acme"], "No user"),
        (["admin@acme.test", "nope"], "No organization"),
        (["admin@acme.test", "acme/nope"], "no workspace"),
        (["admin@globex.test", "acme"], "not a member"),
    ],
)
def test_explain_access_errors(demo, args, message):
    with pytest.raises(CommandError, match=message):
        run("explain_access", *args)


def test_create_org(db):
    out = run("create_org", "Initech", "--admin", "Boss@Initech.test")
    org = Organization.objects.get(slug="initech")
    assert OrgMembership.objects.get(org=org).user.email == "boss@initech.test"
    assert "Created Initech" in out


def test_create_org_creates_the_account_and_logs_the_org_as_its_actor(db, monkeypatch):
    from audit.models import ActivityEntry
    from orgs import accounts

    created = []
    user_create = accounts.user_create

    def spy(**kwargs):
        created.append(kwargs)
        return user_create(**kwargs)

    monkeypatch.setattr(accounts, "user_create", spy)
    run("create_org", "Initech", "--admin", "boss@initech.test", "--actor", "ops@flowadmin.test")
    assert [(c["actor"], c["email"]) for c in created] == [
        ("ops@flowadmin.test", "boss@initech.test")
    ]
    assert not User.objects.get(email="boss@initech.test").has_usable_password()
    entries = ActivityEntry.objects.filter(org__slug="initech")
    assert entries.exists()
    assert set(entries.values_list("actor_email", flat=True)) == {"ops@flowadmin.test"}


def test_create_org_with_an_existing_account_creates_none(demo):
    users = User.objects.count()
    run("create_org", "Initech", "--admin", "Viewer@Acme.test")
    assert User.objects.count() == users
    org = Organization.objects.get(slug="initech")
    assert OrgMembership.objects.get(org=org).user == demo["viewer@acme.test"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["Initech", "--admin", "not-an-email"], "valid email"),
        (["Initech", "--admin", "a@b.test", "--slug", "bad slug!"], "slug"),
        (["   ", "--admin", "a@b.test"], "needs a name"),
    ],
)
def test_create_org_errors_change_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_org", *args)
    assert not Organization.objects.exists()
    assert not User.objects.exists()


def test_create_org_duplicate_slug(demo):
    with pytest.raises(CommandError, match="taken"):
        run("create_org", "Acme", "--admin", "new@acme.test", "--slug", "acme")
    assert not User.objects.filter(email="new@acme.test").exists()


def test_set_role_org_role(demo, acme):
    run("set_role", "acme", "viewer@acme.test", "--org-role", "admin")
    assert OrgMembership.objects.get(org=acme, user=demo["viewer@acme.test"]).role == "admin"


def test_set_role_refuses_last_admin(demo, acme):
    with pytest.raises(CommandError, match="at least one Org Admin"):
        run("set_role", "acme", "admin@acme.test", "--org-role", "user")
    assert OrgMembership.objects.get(org=acme, user=demo["admin@acme.test"]).role == "admin"


def test_set_role_workspace_role_and_flags(demo):
    out = run(
        "set_role",
        "acme",
        "outsider@acme.test",
        "--workspace",
        "events",
        "--role",
        "viewer",
        "--grant",
        "audience_viewer",
    )
    membership = WorkspaceMembership.objects.get(user=demo["outsider@acme.test"])
    assert membership.role == "viewer" and membership.audience_viewer
    assert "Viewer" in out
    run(
        "set_role",
        "acme",
        "outsider@acme.test",
        "--workspace",
        "events",
        "--revoke",
        "audience_viewer",
    )
    membership.refresh_from_db()
    assert not membership.audience_viewer


@pytest.mark.parametrize(
    "args,message",
    [
        (["acme", "viewer@acme.test"], "either --org-role"),
        (["acme", "viewer@acme.test", "--org-role", "user", "--workspace", "sales"], "either"),
        (["acme", "viewer@acme.test", "--org-role", "user", "--role", "viewer"], "go with"),
        (["acme", "viewer@acme.test", "--workspace", "sales"], "Nothing to change"),
        (["acme", "viewer@acme.test", "--workspace", "nope", "--role", "viewer"], "no workspace"),
        (["acme", "admin@globex.test", "--workspace", "sales", "--role", "viewer"], "not a member"),
        (["acme", "outsider@acme.test", "--workspace", "sales"], "Nothing to change"),
        (
            ["acme", "outsider@acme.test", "--workspace", "sales", "--grant", "flows_manager"],
            "Choose a role",
        ),
        (
            ["acme", "wsadmin@acme.test", "--workspace", "marketing", "--revoke", "flows_manager"],
            "always have every permission",
        ),
        (
            [
                "acme",
                "viewer@acme.test",
                "--workspace",
                "marketing",
                "--grant",
                "flows_manager",
                "--revoke",
                "flows_manager",
            ],
            "both grant and revoke",
        ),
    ],
)
def test_set_role_errors_change_nothing(demo, args, message):
    before = list(WorkspaceMembership.objects.values_list("pk", "role", "flows_manager"))
    with pytest.raises(CommandError, match=message):
        run("set_role", *args)
    assert before == list(WorkspaceMembership.objects.values_list("pk", "role", "flows_manager"))
