"""/admin/ writes through the services: every add, change and delete of org
members, workspace members, team members, team access, domains and invitations — through the
real admin views — gives the console's outcome: the same refusals, the flag defaults, the
cascades, and exactly one activity entry each with the operator as actor."""

import datetime

import pytest
from django.utils import timezone

from audit.models import ActivityEntry
from orgs import expiry, services
from orgs.models import Domain, Invitation, Organization, OrgMembership, Team, User
from tests.factories import DomainFactory, SSOConfigurationFactory, TeamFactory
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

OPS = "ops@flowadmin.test"
EDITOR_FLAGS = {"flows_manager": True, "brand_kits_manager": True, "audience_viewer": False}
VIEWER_FLAGS = dict.fromkeys(EDITOR_FLAGS, False)


@pytest.fixture
def operator(client, demo):
    client.force_login(demo[OPS])
    return client


@pytest.fixture
def mark():
    """Entries written after this point: [(entity_type, action, actor_email), ...]."""
    start = ActivityEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def entries():
        rows = ActivityEntry.objects.filter(pk__gt=start).order_by("pk")
        return list(rows.values_list("entity_type", "action", "actor_email"))

    return entries


def form_data(response, **changes):
    """The admin page's form (and inlines) as a POST body with their current values, then
    `changes` (field html names → values)."""
    form = response.context["adminform"].form
    formsets = [inline.formset for inline in response.context["inline_admin_formsets"]]
    embedded = getattr(form, "workspace_roles_formset", None)  # the invitation add page's rows
    forms = [form]
    for formset in formsets + ([embedded] if embedded else []):
        forms += [formset.management_form, *formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, datetime.datetime):
                continue  # no editable date-times on these pages
            data[form[name].html_name] = value
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post_form(client, url, **changes):
    return client.post(url, form_data(client.get(url), **changes), follow=True)


def delete(client, url):
    return client.post(url, {"post": "yes"}, follow=True)


def delete_selected(client, changelist, pks):
    data = {"action": "delete_selected", "_selected_action": list(pks), "post": "yes"}
    return client.post(changelist, data, follow=True)


def text(response):
    return response.content.decode().replace("&#x27;", "'")


def flags(grant):
    grant.refresh_from_db()
    return grant.flags


# --- org members ----------------------------------------------------------------------------


def test_adding_an_org_member(operator, acme, demo, mark):
    user = User.objects.create_user("new@example.test")
    response = post_form(
        operator, "/admin/orgs/orgmembership/add/", org=acme.pk, user=user.pk, role="user"
    )
    assert response.status_code == 200
    assert OrgMembership.objects.get(org=acme, user=user).role == "user"
    assert mark() == [("org_member", "created", OPS)]


def test_demoting_an_admin_revokes_the_invitations_they_sent(operator, acme, demo, mark):
    editor = demo["editor@acme.test"]
    services.org_role_set(actor=None, org=acme, user=editor, role="admin")
    invitation = Invitation.objects.create(
        org=acme,
        email="spare@example.test",
        role="admin",
        invited_by=editor,
        token_hash="x" * 64,
        expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7),
    )
    membership = OrgMembership.objects.get(org=acme, user=editor)
    start = mark()
    post_form(operator, f"/admin/orgs/orgmembership/{membership.pk}/change/", role="user")
    assert OrgMembership.objects.get(pk=membership.pk).role == "user"
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert mark()[len(start) :] == [
        ("org_member", "updated", OPS),
        ("invitation", "updated", OPS),
    ]


def test_removing_an_org_member_on_the_org_page_removes_their_access(operator, acme, demo, mark):
    """The repro: the Organization page's inline left workspace memberships behind."""
    editor = demo["editor@acme.test"]
    url = f"/admin/orgs/organization/{acme.pk}/change/"
    page = operator.get(url)
    formset = page.context["inline_admin_formsets"][0].formset
    row = next(i for i, f in enumerate(formset.forms) if f.instance.user_id == editor.pk)
    response = operator.post(url, form_data(page, **{f"memberships-{row}-DELETE": "on"}))
    assert response.status_code == 302
    assert not OrgMembership.objects.filter(org=acme, user=editor).exists()
    assert not WorkspaceMembership.objects.filter(user=editor).exists()
    assert mark() == [("workspace_member", "deleted", OPS), ("org_member", "deleted", OPS)]


def test_deleting_an_org_member_from_its_page(operator, acme, demo, mark):
    viewer = demo["viewer@acme.test"]
    membership = OrgMembership.objects.get(org=acme, user=viewer)
    response = delete(operator, f"/admin/orgs/orgmembership/{membership.pk}/delete/")
    assert response.status_code == 200
    assert not OrgMembership.objects.filter(pk=membership.pk).exists()
    assert not WorkspaceMembership.objects.filter(user=viewer).exists()
    assert mark() == [("workspace_member", "deleted", OPS), ("org_member", "deleted", OPS)]


def test_the_org_page_cannot_demote_every_admin(operator, acme, demo):
    url = f"/admin/orgs/organization/{acme.pk}/change/"
    page = operator.get(url)
    formset = page.context["inline_admin_formsets"][0].formset
    roles = {f"memberships-{i}-role": "user" for i in range(len(formset.forms))}
    response = operator.post(url, form_data(page, **roles), follow=True)
    assert "Acme must keep at least one Org Admin" in text(response)
    assert OrgMembership.objects.filter(org=acme, role="admin").count() == 1


def test_deleting_every_admin_account_at_once_changes_nothing(operator, acme, demo):
    services.org_role_set(actor=None, org=acme, user=demo["editor@acme.test"], role="admin")
    admins = [demo["admin@acme.test"].pk, demo["editor@acme.test"].pk]
    before = ActivityEntry.objects.count()
    response = delete_selected(operator, "/admin/orgs/user/", admins)
    assert "Acme must keep at least one Org Admin" in text(response)
    assert User.objects.filter(pk__in=admins).count() == 2
    assert OrgMembership.objects.filter(org=acme, role="admin").count() == 2
    assert ActivityEntry.objects.count() == before


def test_deleting_a_user_account_removes_them_from_their_orgs(operator, acme, demo, mark):
    editor = demo["editor@acme.test"]
    response = delete(operator, f"/admin/orgs/user/{editor.pk}/delete/")
    assert response.status_code == 200
    assert not User.objects.filter(pk=editor.pk).exists()
    assert mark() == [("workspace_member", "deleted", OPS), ("org_member", "deleted", OPS)]


def test_an_org_with_one_admin_is_deleted_with_its_files(operator, globex, demo, settings):
    avatar = globex.workspaces.get().avatar
    services.org_update(actor=None, org=globex, description="to go")
    response = delete(operator, f"/admin/orgs/organization/{globex.pk}/delete/")
    assert response.status_code == 200
    assert not Organization.objects.filter(slug="globex").exists()
    assert not Workspace.objects.filter(org_id=globex.pk).exists()
    if avatar:
        assert not avatar.storage.exists(avatar.name)
    assert User.objects.filter(email="admin@globex.test").exists()


# --- workspace members ----------------------------------------------------------------------


def test_a_workspace_member_must_be_in_the_workspaces_org(operator, acme, demo, mark):
    """The repro: acme's Marketing got admin@globex.test as a member."""
    marketing = acme.workspaces.get(slug="marketing")
    response = post_form(
        operator,
        "/admin/workspaces/workspacemembership/add/",
        workspace=marketing.pk,
        user=demo["admin@globex.test"].pk,
        role="viewer",
    )
    assert "Only members of the organization can be workspace members" in text(response)
    assert not WorkspaceMembership.objects.filter(user=demo["admin@globex.test"]).exists()
    assert mark() == []


def test_adding_a_workspace_member_gives_the_role_defaults(operator, acme, demo, mark):
    marketing = acme.workspaces.get(slug="marketing")
    outsider = demo["outsider@acme.test"]
    post_form(
        operator,
        "/admin/workspaces/workspacemembership/add/",
        workspace=marketing.pk,
        user=outsider.pk,
        role="editor",
    )
    membership = WorkspaceMembership.objects.get(workspace=marketing, user=outsider)
    assert flags(membership) == EDITOR_FLAGS
    assert mark() == [("workspace_member", "created", OPS)]


def test_changing_editor_to_viewer_applies_the_viewer_defaults(operator, acme, demo, mark):
    """The repro: the editor's flags stayed."""
    membership = WorkspaceMembership.objects.get(user=demo["editor@acme.test"])
    url = f"/admin/workspaces/workspacemembership/{membership.pk}/change/"
    post_form(operator, url, role="viewer")
    assert membership.__class__.objects.get(pk=membership.pk).role == "viewer"
    assert flags(membership) == VIEWER_FLAGS
    assert mark() == [("workspace_member", "updated", OPS)]


def test_an_admin_grant_keeps_every_flag(operator, acme, demo):
    membership = WorkspaceMembership.objects.get(user=demo["wsadmin@acme.test"])
    url = f"/admin/workspaces/workspacemembership/{membership.pk}/change/"
    post_form(operator, url, audience_viewer=None)
    assert flags(membership) == dict.fromkeys(EDITOR_FLAGS, True)


def test_a_changed_flag_with_a_new_role_is_kept(operator, acme, demo):
    membership = WorkspaceMembership.objects.get(user=demo["editor@acme.test"])
    url = f"/admin/workspaces/workspacemembership/{membership.pk}/change/"
    post_form(operator, url, role="viewer", audience_viewer="on")
    assert flags(membership) == {**VIEWER_FLAGS, "audience_viewer": True}


def test_removing_a_workspace_member(operator, acme, demo, mark):
    membership = WorkspaceMembership.objects.get(user=demo["viewer@acme.test"])
    delete(operator, f"/admin/workspaces/workspacemembership/{membership.pk}/delete/")
    assert not WorkspaceMembership.objects.filter(pk=membership.pk).exists()
    assert mark() == [("workspace_member", "deleted", OPS)]


def test_workspace_page_inline_adds_through_the_service(operator, acme, demo, mark):
    marketing = acme.workspaces.get(slug="marketing")
    url = f"/admin/workspaces/workspace/{marketing.pk}/change/"
    page = operator.get(url)
    formset = page.context["inline_admin_formsets"][0].formset
    n = len(formset.forms)
    data = form_data(
        page,
        **{
            "memberships-TOTAL_FORMS": str(n + 1),
            f"memberships-{n}-user": demo["admin@globex.test"].pk,
            f"memberships-{n}-role": "viewer",
        },
    )
    response = operator.post(url, data)
    assert response.status_code == 200  # the form error, in place
    assert "Only members of the organization" in text(response)
    assert mark() == []


# --- team members and team access ------------------------------------------------------------


def test_team_inline_refuses_a_member_of_another_org(operator, globex, demo, mark):
    """The repro: the team page's inline added editor@acme.test to a globex team."""
    team = TeamFactory(org=globex, name="Globex team")
    start = mark()
    url = f"/admin/orgs/team/{team.pk}/change/"
    data = form_data(
        operator.get(url),
        **{"memberships-TOTAL_FORMS": "1", "memberships-0-user": demo["editor@acme.test"].pk},
    )
    response = operator.post(url, data)
    assert "Only members of the organization can be team members" in text(response)
    assert not team.members.exists()
    assert mark() == start


def test_team_inline_adds_and_removes_members(operator, acme, demo, mark):
    team = Team.objects.get(org=acme, name="Field Sales")
    url = f"/admin/orgs/team/{team.pk}/change/"
    page = operator.get(url)
    n = len(page.context["inline_admin_formsets"][0].formset.forms)
    data = form_data(
        page,
        **{
            "memberships-TOTAL_FORMS": str(n + 1),
            f"memberships-{n}-user": demo["outsider@acme.test"].pk,
            "memberships-0-DELETE": "on",
        },
    )
    assert operator.post(url, data).status_code == 302
    assert list(team.members.values_list("email", flat=True)) == ["outsider@acme.test"]
    assert sorted(mark()) == [("team_member", "created", OPS), ("team_member", "deleted", OPS)]


def test_team_access_stays_in_the_teams_org(operator, acme, globex, mark):
    """The repro: acme's Field Sales got access to globex's Main."""
    team = Team.objects.get(org=acme, name="Field Sales")
    response = post_form(
        operator,
        "/admin/workspaces/teamaccess/add/",
        team=team.pk,
        workspace=globex.workspaces.get().pk,
        role="viewer",
    )
    assert "A team can only get access to workspaces of its own org" in text(response)
    assert not TeamAccess.objects.filter(workspace__org=globex).exists()
    assert mark() == []


def test_team_access_add_change_delete(operator, acme, mark):
    team = Team.objects.get(org=acme, name="Field Sales")
    events = acme.workspaces.get(slug="events")
    post_form(
        operator,
        "/admin/workspaces/teamaccess/add/",
        team=team.pk,
        workspace=events.pk,
        role="editor",
    )
    access = TeamAccess.objects.get(team=team, workspace=events)
    assert flags(access) == EDITOR_FLAGS
    post_form(operator, f"/admin/workspaces/teamaccess/{access.pk}/change/", role="viewer")
    assert flags(access) == VIEWER_FLAGS
    delete(operator, f"/admin/workspaces/teamaccess/{access.pk}/delete/")
    assert not TeamAccess.objects.filter(pk=access.pk).exists()
    assert mark() == [
        ("team_access", "created", OPS),
        ("team_access", "updated", OPS),
        ("team_access", "deleted", OPS),
    ]


# --- domains ---------------------------------------------------------------------------------


def test_adding_a_domain(operator, acme, mark):
    post_form(operator, "/admin/orgs/domain/add/", org=acme.pk, hostname="Go.Acme.Example")
    assert Domain.objects.get(org=acme).hostname == "go.acme.example"
    assert mark() == [("domain", "created", OPS)]


def test_deleting_a_domain_in_use_logs_what_lets_go_of_it(operator, acme, mark):
    """The repro: the workspace's whitelabel domain was cleared without an entry."""
    domain = DomainFactory(org=acme, verified=True)
    marketing = acme.workspaces.get(slug="marketing")
    services_ws = __import__("workspaces.services", fromlist=["x"])
    services_ws.workspace_whitelabel_set(actor=None, workspace=marketing, domain=domain)
    sso = SSOConfigurationFactory(org=acme)
    sso.domains.add(domain)
    start = len(mark())
    delete(operator, f"/admin/orgs/domain/{domain.pk}/delete/")
    marketing.refresh_from_db()
    assert marketing.whitelabel_domain is None
    assert mark()[start:] == [
        ("workspace", "updated", OPS),
        ("sso", "updated", OPS),
        ("domain", "deleted", OPS),
    ]


def test_deleting_a_workspace_removes_its_domains_like_the_domains_page(operator, acme, mark):
    marketing = acme.workspaces.get(slug="marketing")
    domain = DomainFactory(org=acme, workspace=marketing, verified=True)
    sso = SSOConfigurationFactory(org=acme)
    sso.domains.add(domain)
    start = len(mark())
    delete(operator, f"/admin/workspaces/workspace/{marketing.pk}/delete/")
    assert not sso.domains.exists()
    assert ("sso", "updated", OPS) in mark()[start:]
    assert ("domain", "deleted", OPS) in mark()[start:]


def test_verifying_a_domain_from_the_list(operator, acme, mark, monkeypatch):
    from orgs import domains

    domain = services.domain_add(actor=None, org=acme, hostname="go.acme.example")
    monkeypatch.setattr(domains, "lookup_txt", lambda name: [domain.verification_token])
    start = len(mark())
    operator.post("/admin/orgs/domain/", {"action": "verify", "_selected_action": [domain.pk]})
    domain.refresh_from_db()
    assert domain.is_verified
    assert mark()[start:] == [("domain", "updated", OPS)]


def test_a_domain_that_fails_verification_changes_nothing(operator, acme, mark, monkeypatch):
    from orgs import domains

    domain = services.domain_add(actor=None, org=acme, hostname="go.acme.example")
    monkeypatch.setattr(domains, "lookup_txt", lambda name: [])
    start = len(mark())
    response = operator.post(
        "/admin/orgs/domain/", {"action": "verify", "_selected_action": [domain.pk]}, follow=True
    )
    assert "Nothing was changed: No TXT record" in text(response)
    domain.refresh_from_db()
    assert not domain.is_verified
    assert mark()[start:] == []


# --- invitations -----------------------------------------------------------------------------


def test_adding_an_invitation_sends_it(
    operator, acme, mark, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_form(operator, "/admin/orgs/invitation/add/", org=acme.pk, email="Hi@Example.Test")
    invitation = Invitation.objects.get(org=acme, email="hi@example.test")
    assert invitation.status == "pending"
    assert len(mailoutbox) == 1
    # created by the operator; the email's delivery is recorded by the task that sent it
    assert mark() == [("invitation", "created", OPS), ("invitation", "updated", "worker")]


def test_inviting_a_member_is_refused(operator, acme, mark):
    response = post_form(
        operator, "/admin/orgs/invitation/add/", org=acme.pk, email="editor@acme.test"
    )
    assert "is already a member of Acme" in text(response)
    assert mark() == []


INVITATION_ADD = "/admin/orgs/invitation/add/"


def invitation_post(org, email, *rows):
    """The admin's invitation add form as a POST body: `rows` are its workspace role rows
    (workspace, role, last day or None), the rest of the 3 rows left empty."""
    data = {
        "org": org.pk,
        "email": email,
        "role": "user",
        "workspace_roles-TOTAL_FORMS": "3",
        "workspace_roles-INITIAL_FORMS": "0",
        "workspace_roles-MIN_NUM_FORMS": "0",
        "workspace_roles-MAX_NUM_FORMS": "1000",
    }
    for i in range(3):
        data[f"workspace_roles-{i}-role"] = "viewer"
    for i, (workspace, role, day) in enumerate(rows):
        data[f"workspace_roles-{i}-workspace"] = workspace.pk
        data[f"workspace_roles-{i}-role"] = role
        if day is not None:
            data[f"workspace_roles-{i}-until_0"] = day.isoformat()
            data[f"workspace_roles-{i}-until_1"] = "00:00:00"
    return data


def test_the_invitation_add_page_offers_workspace_roles(operator):
    html = text(operator.get(INVITATION_ADD))
    assert "Workspace roles" in html
    assert 'name="workspace_roles-0-workspace"' in html
    assert 'name="workspace_roles-0-role"' in html
    assert 'name="workspace_roles-0-until_0"' in html
    # the rows' workspace search answers with the workspace membership page's search
    found = operator.get(
        "/admin/autocomplete/",
        {
            "app_label": "workspaces",
            "model_name": "workspacemembership",
            "field_name": "workspace",
            "term": "Market",
        },
    ).json()
    assert [result["text"] for result in found["results"]] == ["Marketing"]


def test_adding_an_invitation_with_workspace_roles_and_their_ends(operator, acme, mark):
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    sales = Workspace.objects.get(org=acme, slug="sales")
    day = timezone.localdate() + datetime.timedelta(days=5)
    response = operator.post(
        INVITATION_ADD,
        invitation_post(
            acme, "ws@example.test", (marketing, "editor", day), (sales, "viewer", None)
        ),
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(org=acme, email="ws@example.test")
    end = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    assert invitation.workspace_roles == [
        {"workspace": marketing.pk, "role": "editor", "until": end.isoformat()},
        {"workspace": sales.pk, "role": "viewer"},
    ]
    assert mark() == [("invitation", "created", OPS)]


@pytest.mark.parametrize("problem", ["other_org", "past_end", "twice"])
def test_the_invitation_add_page_refuses_what_the_service_refuses(operator, acme, mark, problem):
    """The console's rules, from the one service: workspaces of the org only, no end that has
    passed, one role per workspace. Nothing is created and the input stays as typed."""
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    rows, message = {
        "other_org": (
            [(Workspace.objects.get(org__slug="globex"), "editor", None)],
            "Main is not a workspace of Acme",
        ),
        "past_end": (
            [(marketing, "editor", yesterday)],
            "The end date for Marketing access must be in the future",
        ),
        "twice": ([(marketing, "editor", None), (marketing, "viewer", None)], "listed twice"),
    }[problem]
    response = operator.post(INVITATION_ADD, invitation_post(acme, "no@example.test", *rows))
    assert response.status_code == 200
    assert message in text(response)
    assert 'value="no@example.test"' in text(response)
    assert not Invitation.objects.filter(email="no@example.test").exists()
    assert mark() == []


def test_a_workspace_role_row_without_a_workspace_is_a_field_error(operator, acme, mark):
    data = invitation_post(acme, "half@example.test")
    data["workspace_roles-0-role"] = "editor"
    response = operator.post(INVITATION_ADD, data)
    assert response.status_code == 200
    assert "Choose the workspace of this role (or clear the row)." in text(response)
    assert not Invitation.objects.filter(email="half@example.test").exists()
    assert mark() == []


def test_revoking_invitations_from_the_list(operator, acme, mark):
    pending = Invitation.objects.filter(org=acme, status="pending")
    pks = list(pending.values_list("pk", flat=True))
    assert pks
    response = operator.post(
        "/admin/orgs/invitation/", {"action": "revoke", "_selected_action": pks}, follow=True
    )
    assert response.status_code == 200
    assert not Invitation.objects.filter(pk__in=pks, status="pending").exists()
    assert mark() == [("invitation", "updated", OPS)] * len(pks)


def test_resending_invitations_from_the_list(operator, acme, mark, mailoutbox):
    pks = list(Invitation.objects.filter(org=acme, status="pending").values_list("pk", flat=True))
    before = {i.pk: i.expires_at for i in Invitation.objects.filter(pk__in=pks)}
    response = operator.post(
        "/admin/orgs/invitation/", {"action": "resend", "_selected_action": pks}, follow=True
    )
    assert f"Resent {len(pks)} invitation(s)" in text(response)
    for invitation in Invitation.objects.filter(pk__in=pks):
        assert invitation.expires_at >= before[invitation.pk]
    assert mark() == [("invitation", "updated", OPS)] * len(pks)


def test_resending_an_invitation_whose_membership_ended_is_refused(operator, acme, mark):
    """The same refusal as the console's: the whole batch rolls back (no new link, nothing
    logged)."""
    pending = Invitation.objects.filter(org=acme, status="pending").order_by("pk")
    pks = list(pending.values_list("pk", flat=True))
    ended = pending.first()
    Invitation.objects.filter(pk=ended.pk).update(
        until=timezone.now() - datetime.timedelta(minutes=1)
    )
    before = list(pending.values_list("pk", "token_hash", "expires_at"))
    response = operator.post(
        "/admin/orgs/invitation/", {"action": "resend", "_selected_action": pks}, follow=True
    )
    assert f"Nothing was changed: The invitation to {ended.email} can't be sent again" in text(
        response
    )
    assert list(pending.values_list("pk", "token_hash", "expires_at")) == before
    assert mark() == []


def test_invitations_are_not_deleted(operator, acme):
    invitation = Invitation.objects.filter(org=acme).first()
    assert operator.post(f"/admin/orgs/invitation/{invitation.pk}/delete/").status_code == 403


def test_the_workspace_delete_page_names_the_sso_domains_it_removes(client, demo, acme):
    marketing = acme.workspaces.get(slug="marketing")
    domain = DomainFactory(org=acme, workspace=marketing, verified=True)
    SSOConfigurationFactory(org=acme).domains.add(domain)
    client.force_login(demo["admin@acme.test"])
    page = client.get(f"/orgs/acme/workspaces/{marketing.pk}/delete/")
    assert "single sign-on stops covering" in page.content.decode()
    assert domain.hostname in page.content.decode()


# --- user accounts (orgs.accounts) ------------------------------------------------------------


def user_url(user, page="change"):
    return f"/admin/orgs/user/{user.pk}/{page}/"


def add_user(client, email, full_name, password="a long new passphrase"):
    return post_form(
        client,
        "/admin/orgs/user/add/",
        email=email,
        full_name=full_name,
        password1=password,
        password2=password,
    )


def test_adding_a_user(operator, mark):
    response = add_user(operator, "New.Person@Example.Test", "New Person")
    assert response.status_code == 200
    user = User.objects.get(email="new.person@example.test")
    assert user.full_name == "New Person"
    assert user.check_password("a long new passphrase")
    assert mark() == []  # in no org yet: no org log to write to


def test_adding_a_user_whose_email_is_taken_in_another_case(operator, demo):
    response = add_user(operator, "EDITOR@acme.test", "Typed name")
    assert "already exists" in text(response)
    assert User.objects.filter(email__iexact="editor@acme.test").count() == 1


def test_changing_a_user_logs_one_entry_per_org_with_the_operator(operator, demo, mark):
    editor = demo["editor@acme.test"]
    response = post_form(operator, user_url(editor), full_name="Edith Renamed", is_staff="on")
    assert response.status_code == 200
    editor.refresh_from_db()
    assert (editor.full_name, editor.is_staff) == ("Edith Renamed", True)
    assert mark() == [("user", "updated", OPS)]
    entry = ActivityEntry.objects.latest("pk")
    assert entry.org.slug == "acme"
    assert entry.changes["full_name"][1] == "Edith Renamed"
    assert entry.changes["is_staff"] == [False, True]


def test_changing_the_password_goes_through_the_service(operator, demo, mark):
    editor = demo["editor@acme.test"]
    response = operator.post(
        user_url(editor, "password"),
        {"password1": "another long passphrase", "password2": "another long passphrase"},
        follow=True,
    )
    assert "Password changed successfully" in text(response)
    editor.refresh_from_db()
    assert editor.check_password("another long passphrase")
    assert mark() == [("user", "updated", OPS)]
    changes = ActivityEntry.objects.latest("pk").changes
    assert changes == {"password": ["[redacted]", "[redacted]"]}
    assert "another long passphrase" not in str(changes)


def test_deactivating_the_last_admin_is_a_form_error_with_the_input_kept(operator, demo, mark):
    """admin@globex.test is Globex's only admin: the change form says so in place, keeps what
    the operator typed, and nothing changes."""
    admin = demo["admin@globex.test"]
    response = post_form(operator, user_url(admin), is_active=None, full_name="Typed Name")
    assert response.status_code == 200
    assert "Globex must keep at least one Org Admin" in text(response)
    assert response.context["adminform"].form.non_field_errors()
    assert 'value="Typed Name"' in text(response)
    admin.refresh_from_db()
    assert admin.is_active and admin.full_name != "Typed Name"
    assert mark() == []


def test_deactivating_an_admin_when_another_admin_is_active(operator, acme, demo, mark):
    services.org_role_set(actor=None, org=acme, user=demo["editor@acme.test"], role="admin")
    start = len(mark())
    admin = demo["admin@acme.test"]
    post_form(operator, user_url(admin), is_active=None)
    admin.refresh_from_db()
    assert not admin.is_active
    assert mark()[start:] == [("user", "updated", OPS)]


def test_an_inactive_admin_does_not_count_as_the_orgs_admin(operator, acme, demo):
    """With the other admin deactivated, the last active one cannot be removed either."""
    editor, admin = demo["editor@acme.test"], demo["admin@acme.test"]
    services.org_role_set(actor=None, org=acme, user=editor, role="admin")
    post_form(operator, user_url(editor), is_active=None)
    membership = OrgMembership.objects.get(org=acme, user=admin)
    response = delete(operator, f"/admin/orgs/orgmembership/{membership.pk}/delete/")
    assert response.status_code == 403  # the delete button is not offered
    with pytest.raises(services.LastAdminError):
        services.member_remove(actor=None, org=acme, user=admin)
    assert OrgMembership.objects.filter(pk=membership.pk).exists()


def test_deactivate_selected_of_every_admin_changes_nothing(operator, acme, demo, mark):
    services.org_role_set(actor=None, org=acme, user=demo["editor@acme.test"], role="admin")
    admins = [demo["admin@acme.test"].pk, demo["editor@acme.test"].pk]
    start = len(mark())
    response = operator.post(
        "/admin/orgs/user/", {"action": "deactivate", "_selected_action": admins}, follow=True
    )
    assert "Acme must keep at least one Org Admin" in text(response)
    assert User.objects.filter(pk__in=admins, is_active=True).count() == 2
    assert mark()[start:] == []


def test_activate_and_deactivate_selected(operator, demo, mark):
    people = [demo["viewer@acme.test"].pk, demo["outsider@acme.test"].pk]
    operator.post("/admin/orgs/user/", {"action": "deactivate", "_selected_action": people})
    assert not User.objects.filter(pk__in=people, is_active=True).exists()
    operator.post("/admin/orgs/user/", {"action": "activate", "_selected_action": people})
    assert User.objects.filter(pk__in=people, is_active=True).count() == 2
    assert mark() == [("user", "updated", OPS)] * 4


# --- a refusal at save time is a form error, the input kept (every ServiceAdmin) -------------


def test_a_refused_rename_keeps_what_the_operator_typed(operator, acme, mark):
    team = TeamFactory(org=acme, name="Second team")
    response = post_form(
        operator, f"/admin/orgs/team/{team.pk}/change/", name="FIELD SALES", description="Typed"
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert 'value="FIELD SALES"' in text(response)
    assert "Typed</textarea>" in text(response)
    team.refresh_from_db()
    assert (team.name, team.description) == ("Second team", "")
    assert mark()[-1:] != [("team", "updated", OPS)]


def test_a_refused_inline_keeps_the_other_rows_as_typed(operator, acme, demo, mark):
    """The org page's inline demoting every admin: the error is on the form, the roles stay
    as the operator set them, nothing is saved."""
    url = f"/admin/orgs/organization/{acme.pk}/change/"
    page = operator.get(url)
    formset = page.context["inline_admin_formsets"][0].formset
    roles = {f"memberships-{i}-role": "user" for i in range(len(formset.forms))}
    response = operator.post(url, form_data(page, description="Typed here", **roles))
    assert response.status_code == 200
    assert "Acme must keep at least one Org Admin" in text(response)
    assert "Typed here</textarea>" in text(response)
    acme.refresh_from_db()
    assert acme.description != "Typed here"
    assert mark() == []


# --- the hooks a subclass must define say so ------------------------------------------------


def test_an_undefined_service_write_names_the_class_and_the_method():
    from django.contrib import admin as django_admin

    from orgs.admin_services import ReadOnlyAdmin, ServiceAdmin

    class Forgetful(ServiceAdmin):
        pass

    class Unlinked(ReadOnlyAdmin):
        pass

    forgetful = Forgetful(Team, django_admin.site)
    with pytest.raises(NotImplementedError, match=r"Forgetful must define create\(request"):
        forgetful.create(None, Team(), None)
    with pytest.raises(NotImplementedError, match=r"update.*to change a team"):
        forgetful.update(None, Team(), None)
    with pytest.raises(NotImplementedError, match=r"remove.*has_delete_permission"):
        forgetful.remove(None, Team())
    with pytest.raises(NotImplementedError, match=r"Unlinked must define console_url"):
        Unlinked(Team, django_admin.site).console_url(Team())


def test_an_access_grant_without_its_keys_says_which_model_must_define_them():
    from workspaces.models.access import AccessGrant

    class Grant(AccessGrant):
        class Meta:
            app_label = "workspaces"
            abstract = True

    with pytest.raises(NotImplementedError, match=r"Grant must define keys\(\)"):
        AccessGrant.keys(Grant.__new__(Grant))
    with pytest.raises(NotImplementedError, match=r"Grant must define check_same_org\(\)"):
        AccessGrant.check_same_org(Grant.__new__(Grant))


# --- ends of grants in /admin/ (an "until" wherever a grant is set) ---------------


def split(day):
    """The admin's split date-time widget's fields for 00:00 of `day` (local time)."""
    return {"until_0": day.isoformat(), "until_1": "00:00:00"}


@pytest.mark.parametrize(
    "url,data",
    [
        ("/admin/orgs/orgmembership/add/", {"role": "user"}),
        ("/admin/workspaces/workspacemembership/add/", {"role": "viewer"}),
    ],
)
def test_the_admin_gives_a_grant_an_end_and_refuses_a_past_one(operator, acme, demo, url, data):
    marketing = Workspace.objects.get(org=acme, slug="marketing")
    if "orgmembership" in url:
        user = User.objects.create_user("new@example.test")
        data = {**data, "org": acme.pk, "user": user.pk}
        grants = OrgMembership.objects.filter(org=acme, user=user)
    else:
        user = demo["outsider@acme.test"]
        data = {**data, "workspace": marketing.pk, "user": user.pk}
        grants = WorkspaceMembership.objects.filter(workspace=marketing, user=user)
    past = timezone.localdate() - datetime.timedelta(days=1)
    response = operator.post(url, {**data, **split(past)})
    assert response.status_code == 200
    assert "must be in the future" in text(response)
    assert not grants.exists()
    day = timezone.localdate() + datetime.timedelta(days=5)
    assert operator.post(url, {**data, **split(day)}).status_code == 302
    assert grants.get().until == expiry.end_of_day(day) - datetime.timedelta(days=1)
