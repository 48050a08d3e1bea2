"""Impact preview: for random orgs, the preview of each change that removes
or lowers access equals the difference of the policy's effective access computed before and
after the change is really made through its service; and it costs the same few queries at 10
and at 1,000 members."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from orgs import impact, permissions, previews
from orgs import services as org_services
from orgs.errors import ServiceError
from orgs.models import Domain, OrgMembership, SSOConfiguration, Team, TeamMembership, User
from orgs.roles import FLAG_DEFINITIONS, FLAGS, OrgRole, WorkspaceRole
from tests.factories import OrganizationFactory, UserFactory
from workspaces import services as ws_services
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

ROLES = list(WorkspaceRole.values)

# --- random orgs ------------------------------------------------------------------------------

# A grant: role, flags as asked, and in how many days it ends (None: never; expiring access)
grant = st.tuples(
    st.sampled_from(ROLES),
    st.fixed_dictionaries({f: st.booleans() for f in FLAGS}),
    st.sampled_from([None, 3, 30]),
)


def ends(days):
    return timezone.now() + datetime.timedelta(days=days) if days else None


@st.composite
def orgs(draw, min_teams=0):
    """An org as plain data: people with org roles (at least one admin), workspaces, teams,
    direct grants, team memberships and team access, each with a role and flags."""
    people = draw(st.integers(2, 6))
    workspaces = draw(st.integers(1, 3))
    teams = draw(st.integers(min_teams, 3))
    org_roles = draw(st.lists(st.sampled_from(OrgRole.values), min_size=people, max_size=people))
    org_roles[draw(st.integers(0, people - 1))] = OrgRole.ADMIN
    pairs = st.tuples(st.integers(0, people - 1), st.integers(0, workspaces - 1))
    direct = draw(st.dictionaries(pairs, grant, max_size=people * workspaces))
    in_team, access, ending = {}, {}, set()
    if teams:
        in_team = draw(
            st.sets(st.tuples(st.integers(0, teams - 1), st.integers(0, people - 1)), max_size=12)
        )
        ending = draw(st.sets(st.sampled_from(sorted(in_team)))) if in_team else set()
        team_ws = st.tuples(st.integers(0, teams - 1), st.integers(0, workspaces - 1))
        access = draw(st.dictionaries(team_ws, grant, max_size=teams * workspaces))
    return {
        "org_roles": org_roles,
        "workspaces": workspaces,
        "teams": teams,
        "direct": direct,
        "in_team": in_team,
        "team_ends": ending,  # team memberships that end in 10 days
        "access": access,
        "sso_domain": draw(st.booleans()),
    }


KINDS = [
    "remove_member",
    "set_org_role",
    "set_workspace_role",
    "flag_off",
    "remove_workspace_access",
    "delete_workspace",
    "remove_domain",
    "set_team_role",
    "team_flag_off",
    "remove_team_access",
    "delete_team",
    "remove_team_member",
]
TEAM_KINDS = {kind for kind in KINDS if "team" in kind}


@st.composite
def changes(draw, spec, kind):
    """The arguments of a change of `kind` in the org `spec`, as indexes: mostly a grant that
    exists (so the change has something to remove), sometimes any."""
    people, workspaces, teams = len(spec["org_roles"]), spec["workspaces"], spec["teams"]
    person = st.integers(0, people - 1)
    ws = st.integers(0, workspaces - 1)
    team = st.integers(0, max(teams - 1, 0))

    def existing(rows, anything):
        rows = sorted(rows)
        return draw(st.one_of(st.sampled_from(rows), anything) if rows else anything)

    direct = lambda: existing(spec["direct"], st.tuples(person, ws))  # noqa: E731
    access = lambda: existing(spec["access"], st.tuples(team, ws))  # noqa: E731
    flag = st.sampled_from(FLAGS)
    args = {
        "remove_member": lambda: (draw(person),),
        "set_org_role": lambda: (draw(person), draw(st.sampled_from(OrgRole.values))),
        "set_workspace_role": lambda: (*direct(), draw(st.sampled_from(ROLES))),
        "flag_off": lambda: (*direct(), draw(flag)),
        "remove_workspace_access": lambda: direct(),
        "delete_workspace": lambda: (draw(ws),),
        "remove_domain": lambda: (),
        "set_team_role": lambda: (*access(), draw(st.sampled_from(ROLES))),
        "team_flag_off": lambda: (*access(), draw(flag)),
        "remove_team_access": lambda: access(),
        "delete_team": lambda: (draw(team),),
        "remove_team_member": lambda: existing(spec["in_team"], st.tuples(team, person)),
    }[kind]()
    return args


def build(spec):
    """The org of `spec` in the database (rows written directly: the services under test are
    the ones that make the change)."""
    org = OrganizationFactory()
    users = [UserFactory(full_name=f"Person {i}") for i in range(len(spec["org_roles"]))]
    for user, role in zip(users, spec["org_roles"], strict=True):
        OrgMembership.objects.create(org=org, user=user, role=role)
    workspaces = [
        Workspace.objects.create(org=org, name=f"W{i}", slug=f"w{i}")
        for i in range(spec["workspaces"])
    ]
    teams = [Team.objects.create(org=org, name=f"Team {i}") for i in range(spec["teams"])]
    for (p, w), (role, flags, days) in spec["direct"].items():
        role, flags = permissions.grant_after(None, role, flags)
        WorkspaceMembership.objects.create(
            workspace=workspaces[w], user=users[p], role=role, until=ends(days), **flags
        )
    for t, p in spec["in_team"]:
        until = ends(10) if (t, p) in spec["team_ends"] else None
        TeamMembership.objects.create(team=teams[t], user=users[p], until=until)
    for (t, w), (role, flags, days) in spec["access"].items():
        role, flags = permissions.grant_after(None, role, flags)
        TeamAccess.objects.create(
            team=teams[t], workspace=workspaces[w], role=role, until=ends(days), **flags
        )
    domain = Domain.objects.create(org=org, hostname=f"{org.slug}.example.com", status="verified")
    if spec["sso_domain"]:
        sso = SSOConfiguration.objects.create(
            org=org, protocol="saml", entity_id="https://idp.example.com/e", metadata_url="x"
        )
        sso.domains.add(domain)
    return org, users, workspaces, teams, domain


def describe_and_apply(kind, args, org, users, workspaces, teams, domain, actor):
    """The orgs.impact change for (kind, args) and a function making it through the service
    the console calls."""
    if kind in TEAM_KINDS:
        team = teams[args[0]]
        rest = args[1:]
    else:
        rest = args
    if kind == "remove_member":
        user = users[rest[0]]
        change, service = impact.RemoveMember(user.pk), org_services.member_remove
        kwargs = {"org": org, "user": user}
    elif kind == "set_org_role":
        user, role = users[rest[0]], rest[1]
        change, service = impact.SetOrgRole(user.pk, role), org_services.org_role_set
        kwargs = {"org": org, "user": user, "role": role}
    elif kind == "set_workspace_role":
        user, ws, role = users[rest[0]], workspaces[rest[1]], rest[2]
        change, service = (
            impact.SetDirectGrant(user.pk, ws.pk, role),
            ws_services.workspace_member_set,
        )
        kwargs = {"workspace": ws, "user": user, "role": role}
    elif kind == "flag_off":
        user, ws, off = users[rest[0]], workspaces[rest[1]], {rest[2]: False}
        change, service = (
            impact.SetDirectGrant(user.pk, ws.pk, None, off),
            ws_services.workspace_member_set,
        )
        kwargs = {"workspace": ws, "user": user, "flags": off}
    elif kind == "remove_workspace_access":
        user, ws = users[rest[0]], workspaces[rest[1]]
        change, service = (
            impact.RemoveDirectGrant(user.pk, ws.pk),
            ws_services.workspace_member_remove,
        )
        kwargs = {"workspace": ws, "user": user}
    elif kind == "delete_workspace":
        ws = workspaces[rest[0]]
        change, service = impact.DeleteWorkspace(ws.pk), ws_services.workspace_delete
        kwargs = {"workspace": ws}
    elif kind == "remove_domain":
        change, service = impact.RemoveDomain(domain.hostname), org_services.domain_remove
        kwargs = {"domain": domain}
    elif kind == "set_team_role":
        ws, role = workspaces[rest[0]], rest[1]
        change, service = impact.SetTeamAccess(team.name, ws.pk, role), ws_services.team_access_set
        kwargs = {"team": team, "workspace": ws, "role": role}
    elif kind == "team_flag_off":
        ws, off = workspaces[rest[0]], {rest[1]: False}
        change, service = (
            impact.SetTeamAccess(team.name, ws.pk, None, off),
            ws_services.team_access_set,
        )
        kwargs = {"team": team, "workspace": ws, "flags": off}
    elif kind == "remove_team_access":
        ws = workspaces[rest[0]]
        change, service = impact.RemoveTeamAccess(team.name, ws.pk), ws_services.team_access_remove
        kwargs = {"team": team, "workspace": ws}
    elif kind == "delete_team":
        change, service = impact.DeleteTeam(team.name), org_services.team_delete
        kwargs = {"team": team}
    else:
        user = users[rest[0]]
        change, service = (
            impact.RemoveTeamMember(team.name, user.pk),
            org_services.team_member_remove,
        )
        kwargs = {"team": team, "user": user}
    return change, lambda: service(actor=actor, **kwargs)


# --- the policy's effective access, person × workspace -------------------------------------


def effective(org, workspace_ids) -> dict:
    """{(user id, workspace id): (role, flags, sorted sources)} and {user id: org role} for
    every member of the org, straight from the policy (permissions.members_access)."""
    access = permissions.members_access(org)
    cells = {}
    for user_id, org_access in access.items():
        for ws_id in workspace_ids:
            ws = org_access.workspace(ws_id)
            if ws is not None:
                sources = sorted(ws.sources, key=source_key)
                cells[user_id, ws_id] = (ws.role, dict(ws.flags), sources)
    roles = {user_id: a.org_role for user_id, a in access.items()}
    return cells, roles


def source_key(source):
    return (source.kind, source.team or "", source.role, tuple(source.flags.items()))


def actual_difference(before, after, workspace_ids_before):
    """What changed for whom: {user id: (org role before, after, {ws id: (before, after)})}."""
    (cells_b, roles_b), (cells_a, roles_a) = before, after
    out = {}
    for user_id in set(roles_b) | set(roles_a):
        changed = {}
        for ws_id in workspace_ids_before:
            b, a = cells_b.get((user_id, ws_id)), cells_a.get((user_id, ws_id))
            if b != a:
                changed[ws_id] = (b, a)
        if changed or roles_b.get(user_id) != roles_a.get(user_id):
            out[user_id] = (roles_b.get(user_id), roles_a.get(user_id), changed)
    return out


def previewed_difference(preview):
    def cell(access):
        if access is None:
            return None
        return (access.role, dict(access.flags), sorted(access.sources, key=source_key))

    return {
        person.user_id: (
            person.org_role_before,
            person.org_role_after,
            {w.workspace_id: (cell(w.before), cell(w.after)) for w in person.workspaces},
        )
        for person in preview.impact.people
    }


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_preview_equals_the_difference_the_real_change_makes(kind, data):
    spec = data.draw(orgs(min_teams=1 if kind in TEAM_KINDS else 0))
    args = data.draw(changes(spec, kind))
    with transaction.atomic():
        org, users, workspaces, teams, domain = build(spec)
        actor = next(u for u, r in zip(users, spec["org_roles"], strict=True) if r == "admin")
        change, make = describe_and_apply(kind, args, org, users, workspaces, teams, domain, actor)
        ws_ids = [ws.pk for ws in workspaces]
        preview = previews.impact_preview(org, change)
        before = effective(org, ws_ids)
        try:
            with transaction.atomic():
                make()
        except ServiceError:
            event("refused")
            # Refused (the last admin, no such grant…): nothing changes, which the preview
            # need not predict; the comparison below is for changes that happen.
            after = effective(org, ws_ids)
            assert after == before
            transaction.set_rollback(True)
            return
        event(kind)
        remaining = set(Workspace.objects.filter(org=org).values_list("pk", flat=True))
        after = effective(org, remaining)
        assert previewed_difference(preview) == actual_difference(before, after, ws_ids), (
            kind,
            args,
            preview.lines(),
        )
        if kind == "remove_domain":
            assert preview.impact.empty
            assert bool(preview.sign_in) == spec["sso_domain"]
        transaction.set_rollback(True)


# --- queries: constant whatever the number of members ------------------------------------------


def big_org(members: int):
    """An org whose `members` people are all in one team with access to two workspaces, and
    each a direct member of one of them; one SSO-covered domain."""
    org = OrganizationFactory(slug=f"big-{members}")
    admin = UserFactory()
    OrgMembership.objects.create(org=org, user=admin, role=OrgRole.ADMIN)
    users = User.objects.bulk_create(
        [User(email=f"m{i}@big{members}.example.com", full_name=f"M {i}") for i in range(members)]
    )
    OrgMembership.objects.bulk_create([OrgMembership(org=org, user=u) for u in users])
    ws_a = Workspace.objects.create(org=org, name="A", slug="a")
    ws_b = Workspace.objects.create(org=org, name="B", slug="b")
    team = Team.objects.create(org=org, name="Everyone")
    TeamMembership.objects.bulk_create([TeamMembership(team=team, user=u) for u in users])
    TeamAccess.objects.create(team=team, workspace=ws_a, role="editor")
    TeamAccess.objects.create(team=team, workspace=ws_b, role="viewer")
    extra = {FLAGS[0]: True}
    WorkspaceMembership.objects.bulk_create(
        [WorkspaceMembership(workspace=ws_a, user=u, role="viewer", **extra) for u in users]
    )
    host = f"big{members}.example.com"
    domain = Domain.objects.create(org=org, hostname=host, status="verified")
    sso = SSOConfiguration.objects.create(
        org=org, protocol="saml", entity_id="https://idp.example.com/e", metadata_url="x"
    )
    sso.domains.add(domain)
    return org, admin, users[0], team, ws_a, host


def all_changes(org, admin, someone, team, ws, host):
    return [
        impact.RemoveMember(someone.pk),
        impact.SetOrgRole(admin.pk, OrgRole.USER),
        impact.SetDirectGrant(someone.pk, ws.pk, None, {FLAGS[0]: False}),
        impact.RemoveDirectGrant(someone.pk, ws.pk),
        impact.SetTeamAccess(team.name, ws.pk, WorkspaceRole.VIEWER),
        impact.RemoveTeamAccess(team.name, ws.pk),
        impact.DeleteTeam(team.name),
        impact.RemoveTeamMember(team.name, someone.pk),
        impact.DeleteWorkspace(ws.pk),
        impact.RemoveDomain(host),
    ]


def count_queries(django_assert_num_queries, members):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    setup = big_org(members)
    counts = {}
    for change in all_changes(*setup):
        with CaptureQueriesContext(connection) as queries:
            preview = previews.impact_preview(setup[0], change)
        counts[change.kind] = len(queries)
        assert preview.lowers or change.kind == "remove_domain"
    return counts


@pytest.mark.django_db
def test_a_preview_costs_the_same_queries_at_10_and_1000_members(django_assert_num_queries):
    small = count_queries(django_assert_num_queries, 10)
    large = count_queries(django_assert_num_queries, 1000)
    assert small == large
    assert max(large.values()) <= 6  # four, and two more for domains covered by SSO
    # django_assert_num_queries at both sizes, with the counts measured above
    org, *rest = big_org(12)
    for change in all_changes(org, *rest):
        with django_assert_num_queries(large[change.kind]):
            previews.impact_preview(org, change)


@pytest.mark.django_db
def test_the_1000_member_team_deletion_previews_everyone():
    org, admin, someone, team, ws, _host = big_org(1000)
    preview = previews.impact_preview(org, impact.DeleteTeam(team.name))
    assert len(preview.people) == 1000
    person = next(p for p in preview.people if p.user == someone)
    assert [g.text for g in person.groups] == [
        f"M 0 loses A Editor (was via team Everyone); "
        f"keeps A Viewer with {FLAG_DEFINITIONS[0].label} (direct)",
        "M 0 loses B Viewer (was via team Everyone); keeps nothing in B",
    ]
