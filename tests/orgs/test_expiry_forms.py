"""Expiring access where a grant is *created* in the console: the invitation (its
org membership and each workspace role), the team page's "add member" and "give access", a
team member's own end, Manage → Members "add" and Manage → Teams "give access". Each takes an
optional "until" date (orgs.forms.UntilField), refuses a day that has passed on the field, and
the service gives the grant that end, shown next to the role.

The rule of an invitation accepted late: a membership whose end has passed can't be accepted
(the link says so); a workspace role whose end has passed is not given, the rest is — no live
access comes from an ended grant."""

import datetime

import pytest
from django.utils import timezone

from orgs import expiry, invitations, permissions, services
from orgs.models import Domain, DomainStatus, Invitation, OrgMembership, Team, TeamMembership
from tests.factories import (
    OrganizationFactory,
    OrgMembershipFactory,
    SSOConfigurationFactory,
    WorkspaceFactory,
)
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
PASSWORD = "Str0ng-enough-passphrase"


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def text(response):
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.fixture
def admin(client, demo):
    client.force_login(demo["admin@acme.test"])
    return client


@pytest.fixture
def marketing(acme):
    return Workspace.objects.get(org=acme, slug="marketing")


@pytest.fixture
def team(acme):
    return Team.objects.get(org=acme, name="Field Sales")


# --- the invitation form ---------------------------------------------------------------------


def invite(client, marketing, **fields):
    data = {"email": "temp@example.test", "role": "user", **fields}
    return client.post("/orgs/acme/users/invite/", data)


def test_the_invite_form_sets_the_membership_and_workspace_ends(admin, marketing):
    member_day, role_day = in_days(30), in_days(10)
    response = invite(
        admin,
        marketing,
        until=member_day.isoformat(),
        **{f"ws_{marketing.pk}": "editor", f"ws_{marketing.pk}_until": role_day.isoformat()},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="temp@example.test")
    assert invitation.until == expiry.end_of_day(member_day)
    assert invitation.workspace_roles == [
        {
            "workspace": marketing.pk,
            "role": "editor",
            "until": expiry.end_of_day(role_day).isoformat(),
        }
    ]
    listed = text(admin.get("/orgs/acme/invitations/"))
    assert f"User until {expiry.short_label(invitation.until)}" in listed
    assert f"Editor until {expiry.short_label(expiry.end_of_day(role_day))}" in listed


def test_the_invite_form_without_ends_gives_lasting_grants(admin, marketing):
    invite(admin, marketing, **{f"ws_{marketing.pk}": "viewer"})
    invitation = Invitation.objects.get(email="temp@example.test")
    assert invitation.until is None
    assert invitation.workspace_roles == [{"workspace": marketing.pk, "role": "viewer"}]


@pytest.mark.parametrize("field", ["until", "ws_{ws}_until"])
def test_the_invite_form_refuses_a_day_that_has_passed(admin, marketing, field):
    field = field.format(ws=marketing.pk)
    response = invite(
        admin, marketing, **{f"ws_{marketing.pk}": "editor", field: in_days(-1).isoformat()}
    )
    assert response.status_code == 400  # refused: the form again
    assert "has passed: choose today or a later day" in " ".join(
        response.context["form"].errors[field]
    )
    assert not Invitation.objects.filter(email="temp@example.test").exists()


def test_today_is_a_valid_last_day(admin, marketing):
    response = invite(admin, marketing, until=in_days(0).isoformat())
    assert response.status_code == 302
    assert Invitation.objects.get(email="temp@example.test").until == expiry.end_of_day(in_days(0))


def test_an_end_without_a_role_is_a_form_error(admin, marketing):
    response = invite(admin, marketing, **{f"ws_{marketing.pk}_until": in_days(3).isoformat()})
    assert response.status_code == 400  # refused: the form again
    assert "Choose a role in Marketing too" in " ".join(
        response.context["form"].errors[f"ws_{marketing.pk}_until"]
    )


def test_the_invite_form_labels_every_end_date(admin, marketing):
    page = text(admin.get("/orgs/acme/users/invite/"))
    assert '<label for="id_until">Member until' in page
    assert f'<label for="id_ws_{marketing.pk}_until">Marketing until' in page
    assert f'type="date" name="ws_{marketing.pk}_until"' in page


# --- what the person invited sees, and what they get ----------------------------------------


@pytest.fixture
def org():
    org = OrganizationFactory(name="Initech", slug="initech")
    OrgMembershipFactory(org=org, admin=True, user__email="boss@initech.test")
    return org


def issue(org, ws, *, until=None, ws_until=None):
    return invitations.invitation_create(
        actor=None,
        org=org,
        email="temp@example.test",
        workspace_roles=[(ws, "editor", ws_until)],
        until=until,
        base_url="http://testserver/",
        send=False,
    )


@pytest.mark.django_db(transaction=True)
def test_the_email_names_the_ends(mailoutbox):
    org = OrganizationFactory(name="Initech", slug="initech")
    ws = WorkspaceFactory(org=org, name="Sales")
    member_day, role_day = in_days(40), in_days(9)
    invitations.invitation_create(
        actor=None,
        org=org,
        email="temp@example.test",
        workspace_roles=[(ws, "editor", expiry.end_of_day(role_day))],
        until=expiry.end_of_day(member_day),
    )
    body = mailoutbox[0].body
    assert f"as Org User until {member_day:%B} {member_day.day}, {member_day.year}" in body
    assert f"- Sales: Editor until {role_day:%B} {role_day.day}, {role_day.year}" in body


def test_the_accept_page_names_the_ends(client, org):
    ws = WorkspaceFactory(org=org, name="Sales")
    member_day, role_day = in_days(40), in_days(9)
    issued = issue(
        org, ws, until=expiry.end_of_day(member_day), ws_until=expiry.end_of_day(role_day)
    )
    page = text(client.get(issued.url))
    assert f"as Org User until {member_day:%B} {member_day.day}, {member_day.year}" in page
    assert f"Editor until {role_day:%B} {role_day.day}, {role_day.year}" in page
    assert "The membership ends after" in page


def test_accepting_after_a_workspace_roles_end_gives_no_access_there(org, monkeypatch):
    """The role is skipped, the membership and the lasting roles are given: nothing live comes
    from an ended grant, and nothing is refused that still counts."""
    sales, support = WorkspaceFactory(org=org), WorkspaceFactory(org=org)
    issued = invitations.invitation_create(
        actor=None,
        org=org,
        email="temp@example.test",
        workspace_roles=[(sales, "editor", expiry.end_of_day(in_days(1))), (support, "viewer")],
        send=False,
    )
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    accepted = invitations.invitation_accept(
        actor=None, token=issued.token, full_name="Tem Porary", password=PASSWORD
    )
    access = permissions.load_access(accepted.user, now=later)[org.pk]
    assert access.workspace(sales.pk) is None
    assert access.workspace(support.pk).role == "viewer"
    assert not WorkspaceMembership.objects.filter(workspace=sales, user=accepted.user).exists()


def test_accepting_after_the_membership_ends_is_refused_with_no_access(client, org, monkeypatch):
    ws = WorkspaceFactory(org=org)
    issued = issue(org, ws, until=expiry.end_of_day(in_days(1)))
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.post(
        issued.url, {"full_name": "Late", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 410
    assert "The access this invitation to Initech offered ended on" in text(response)
    assert not OrgMembership.objects.filter(user__email="temp@example.test").exists()


def test_an_sso_sign_in_does_not_apply_an_invitation_whose_membership_ended(org, monkeypatch):
    """Just-in-time SSO membership: an invitation whose offer ended is not used (its workspace
    roles are not given); the person joins as without one."""
    ws = WorkspaceFactory(org=org)
    sso = SSOConfigurationFactory(org=org, protocol="oidc")
    sso.domains.add(
        Domain.objects.create(org=org, hostname="example.test", status=DomainStatus.VERIFIED)
    )
    issue(org, ws, until=expiry.end_of_day(in_days(1)))
    later = timezone.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    user = invitations.sso_join(actor=None, sso=sso, email="temp@example.test")
    membership = OrgMembership.objects.get(org=org, user=user)
    assert (membership.role, membership.until) == ("user", None)
    assert not WorkspaceMembership.objects.filter(user=user).exists()


# --- the team page ---------------------------------------------------------------------------


def test_the_team_page_adds_a_member_with_an_end(admin, demo, team):
    day = in_days(14)
    response = admin.post(
        f"/orgs/acme/teams/{team.pk}/members/",
        {"email": "outsider@acme.test", "until": day.isoformat()},
        headers=HTMX,
    )
    page = text(response)
    label = expiry.short_label(expiry.end_of_day(day))
    assert f"outsider@acme.test added to Field Sales until {label}." in page
    membership = TeamMembership.objects.get(team=team, user__email="outsider@acme.test")
    assert membership.until == expiry.end_of_day(day)
    assert f"Member until {label}" in page
    assert f'value="{day.isoformat()}"' in page


def test_the_team_page_refuses_a_member_end_that_has_passed(admin, demo, team):
    response = admin.post(
        f"/orgs/acme/teams/{team.pk}/members/",
        {"email": "outsider@acme.test", "until": in_days(-3).isoformat()},
    )
    assert response.status_code == 400  # refused: the form again
    assert "has passed" in " ".join(response.context["member_form"].errors["until"])
    assert not team.members.filter(email="outsider@acme.test").exists()


def test_the_team_page_changes_and_clears_a_members_end(admin, demo, team):
    teamuser = demo["teamuser@acme.test"]
    url = f"/orgs/acme/teams/{team.pk}/members/{teamuser.pk}/until/"
    day = in_days(20)
    response = admin.post(url, {"until": day.isoformat()}, headers=HTMX)
    assert response.status_code == 200
    membership = TeamMembership.objects.get(team=team, user=teamuser)
    assert membership.until == expiry.end_of_day(day)
    assert f"teamuser@acme.test is in Field Sales until {expiry.short_label(membership.until)}" in (
        text(response)
    )
    response = admin.post(url, {"until": ""})
    assert response.status_code == 302
    assert TeamMembership.objects.get(team=team, user=teamuser).until is None


def test_a_members_end_in_the_past_is_an_error_on_its_row(admin, demo, team):
    teamuser = demo["teamuser@acme.test"]
    response = admin.post(
        f"/orgs/acme/teams/{team.pk}/members/{teamuser.pk}/until/",
        {"until": in_days(-1).isoformat()},
        headers=HTMX,
    )
    assert "must be in the future" in text(response)
    assert TeamMembership.objects.get(team=team, user=teamuser).until is None


def test_the_team_page_gives_access_with_an_end(admin, demo, team, acme):
    other = Workspace.objects.filter(org=acme).exclude(team_access__team=team).first()
    day = in_days(7)
    response = admin.post(
        f"/orgs/acme/teams/{team.pk}/access/",
        {"workspace": other.pk, "role": "viewer", "until": day.isoformat()},
        headers=HTMX,
    )
    label = expiry.short_label(expiry.end_of_day(day))
    assert f"Field Sales now has access to {other.name} until {label}." in text(response)
    assert TeamAccess.objects.get(team=team, workspace=other).until == expiry.end_of_day(day)


def test_the_team_page_refuses_an_access_end_that_has_passed(admin, demo, team, acme):
    other = Workspace.objects.filter(org=acme).exclude(team_access__team=team).first()
    response = admin.post(
        f"/orgs/acme/teams/{team.pk}/access/",
        {"workspace": other.pk, "role": "viewer", "until": in_days(-1).isoformat()},
    )
    assert "has passed" in " ".join(response.context["access_form"].errors["until"])
    assert not TeamAccess.objects.filter(team=team, workspace=other).exists()


# --- Manage → Members and Teams ------------------------------------------------------------


def test_manage_adds_a_member_with_an_end(client, demo, marketing):
    client.force_login(demo["wsadmin@acme.test"])
    outsider = demo["outsider@acme.test"]
    day = in_days(5)
    response = client.post(
        "/orgs/acme/w/marketing/manage/members/add/",
        {"user": outsider.pk, "role": "editor", "until": day.isoformat()},
    )
    assert response.status_code == 302
    membership = WorkspaceMembership.objects.get(workspace=marketing, user=outsider)
    assert membership.until == expiry.end_of_day(day)
    page = text(client.get(response.url))
    assert f"as Editor until {expiry.short_label(membership.until)}." in page


def test_manage_refuses_a_member_end_that_has_passed(client, demo, marketing):
    client.force_login(demo["wsadmin@acme.test"])
    outsider = demo["outsider@acme.test"]
    response = client.post(
        "/orgs/acme/w/marketing/manage/members/add/",
        {"user": outsider.pk, "role": "editor", "until": in_days(-2).isoformat()},
    )
    assert response.status_code == 400
    assert "has passed" in text(response)
    assert not WorkspaceMembership.objects.filter(workspace=marketing, user=outsider).exists()


def test_manage_gives_a_team_access_with_an_end(client, demo, acme, marketing):
    client.force_login(demo["wsadmin@acme.test"])
    night, day_shift = (
        services.team_create(actor=None, org=acme, name=name) for name in ("Night", "Day")
    )
    day = in_days(9)
    response = client.post(
        "/orgs/acme/w/marketing/manage/teams/add/",
        {"team": night.pk, "role": "viewer", "until": day.isoformat()},
    )
    assert response.status_code == 302
    assert TeamAccess.objects.get(team=night, workspace=marketing).until == expiry.end_of_day(day)
    response = client.post(
        "/orgs/acme/w/marketing/manage/teams/add/",
        {"team": day_shift.pk, "role": "viewer", "until": in_days(-1).isoformat()},
    )
    assert response.status_code == 400
    assert "has passed" in text(response)
    assert not TeamAccess.objects.filter(team=day_shift).exists()


def test_a_past_member_end_on_the_profile_is_the_date_fields_error(admin, demo):
    viewer = demo["viewer@acme.test"]
    response = admin.post(
        f"/orgs/acme/users/{viewer.pk}/role/", {"role": "user", "until": in_days(-1).isoformat()}
    )
    assert response.status_code == 400  # refused: the form again
    assert "must be in the future" in " ".join(response.context["role_form"].errors["until"])
    assert OrgMembership.objects.get(org__slug="acme", user=viewer).until is None
