"""Every URL and POST of the Manage page against SPEC §3.3, for every demo user and anonymous,
in each acme workspace: 302 to login, 404 outside, 403 without `ws.manage`, and a refused POST
changes nothing."""

import pytest

from orgs.models import Domain, IntegrationInstallation, OrgMembership
from workspaces.models import TeamAccess, Workspace, WorkspaceMembership

pytestmark = pytest.mark.django_db

DEMO_USERS = [
    "admin@acme.test",
    "wsadmin@acme.test",
    "editor@acme.test",
    "viewer@acme.test",
    "audience@acme.test",
    "flows@acme.test",
    "teamuser@acme.test",
    "outsider@acme.test",
    "admin@globex.test",
    "ops@flowadmin.test",
    None,  # anonymous
]
WORKSPACES = ["marketing", "sales", "events"]

# Who gets what on a Manage page, per workspace (anything not listed: 404).
EXPECTED = {
    "admin@acme.test": {"marketing": 200, "sales": 200, "events": 200},
    "wsadmin@acme.test": {"marketing": 200},
    "editor@acme.test": {"marketing": 403},
    "viewer@acme.test": {"marketing": 403},
    "audience@acme.test": {"marketing": 403},
    "flows@acme.test": {"marketing": 403},
    "teamuser@acme.test": {"sales": 403},
}


def expected_status(email, ws_slug):
    if email is None:
        return 302
    return EXPECTED.get(email, {}).get(ws_slug, 404)


def get_urls(objects, ws_slug):
    o = objects[ws_slug]
    base = f"/orgs/acme/w/{ws_slug}/manage/"
    return [
        base + path
        for path in [
            "members/",
            "members/add/",
            "members/add/?q=out",
            f"members/{o['membership'].pk}/remove/",
            "teams/",
            f"teams/{o['team_access'].pk}/remove/",
            "domains/",
            f"domains/{o['domain'].pk}/remove/",
            "integrations/",
            "integrations/install/hubspot/",
            f"integrations/{o['installation'].pk}/",
            f"integrations/{o['installation'].pk}/uninstall/",
            "settings/",
        ]
    ]


def post_requests(objects, ws_slug, demo):
    """Valid POSTs: were any of them let through, something would change."""
    o = objects[ws_slug]
    base = f"/orgs/acme/w/{ws_slug}/manage/"
    return [
        (base + "members/add/", {"user": demo["outsider@acme.test"].pk, "role": "admin"}),
        (base + f"members/{o['membership'].pk}/", {"role": "admin"}),
        (base + f"members/{o['membership'].pk}/", {"role": "viewer", "audience_viewer": "on"}),
        (base + f"members/{o['membership'].pk}/remove/", {}),
        (base + "teams/add/", {"team": objects["spare"].pk, "role": "admin"}),
        (base + f"teams/{o['team_access'].pk}/", {"role": "admin"}),
        (base + f"teams/{o['team_access'].pk}/remove/", {}),
        (base + "domains/use/", {"domain": objects["org_domain"].pk}),
        (base + "domains/add/", {"hostname": f"new.{ws_slug}.example"}),
        (base + f"domains/{o['domain'].pk}/verify/", {}),
        (base + f"domains/{o['domain'].pk}/remove/", {}),
        (base + "integrations/install/hubspot/", {"portal_id": "1", "access_token": "tok"}),
        (base + f"integrations/{o['installation'].pk}/", {"write_key": "new-write-key"}),
        (base + f"integrations/{o['installation'].pk}/enabled/", {"enabled": "0"}),
        (base + f"integrations/{o['installation'].pk}/uninstall/", {}),
        (base + "settings/", {"name": "Taken over", "slug": "taken-over", "description": "x"}),
    ]


def snapshot():
    """Everything a Manage POST could change."""
    return (
        list(WorkspaceMembership.objects.order_by("pk").values()),
        list(TeamAccess.objects.order_by("pk").values()),
        list(Domain.objects.order_by("pk").values()),
        list(IntegrationInstallation.objects.order_by("pk").values()),
        list(Workspace.objects.order_by("pk").values()),
        list(OrgMembership.objects.order_by("pk").values()),
    )


def check_refusal(response, status):
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("ws_slug", WORKSPACES)
@pytest.mark.parametrize("email", DEMO_USERS)
def test_every_manage_page_answers_per_spec(client, demo, manage_objects, email, ws_slug):
    if email:
        client.force_login(demo[email])
    status = expected_status(email, ws_slug)
    for url in get_urls(manage_objects, ws_slug):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert response["Location"].startswith("/accounts/login/?next="), url


@pytest.mark.parametrize("ws_slug", WORKSPACES)
@pytest.mark.parametrize("email", DEMO_USERS)
def test_manage_root_lands_on_members_or_refuses(client, demo, email, ws_slug):
    if email:
        client.force_login(demo[email])
    response = client.get(f"/orgs/acme/w/{ws_slug}/manage/")
    status = expected_status(email, ws_slug)
    if status == 200:
        assert response.status_code == 302
        assert response["Location"] == f"/orgs/acme/w/{ws_slug}/manage/members/"
    else:
        check_refusal(response, status)


REFUSED = [
    (email, ws_slug)
    for email in DEMO_USERS
    for ws_slug in WORKSPACES
    if expected_status(email, ws_slug) != 200
]


@pytest.mark.parametrize("email,ws_slug", REFUSED)
def test_refused_posts_change_nothing(client, demo, manage_objects, txt_records, email, ws_slug):
    status = expected_status(email, ws_slug)
    for o in manage_objects.values():
        if isinstance(o, dict):  # a verification that would succeed, were it allowed
            txt_records[o["domain"].txt_record_name] = [o["domain"].verification_token]
    if email:
        client.force_login(demo[email])
    before = snapshot()
    for url, data in post_requests(manage_objects, ws_slug, demo):
        check_refusal(client.post(url, data), status)
        assert snapshot() == before, url


@pytest.mark.parametrize("ws_slug", WORKSPACES)
def test_allowed_posts_go_through_for_org_admin(client, demo, manage_objects, txt_records, ws_slug):
    """The same POSTs do something for an Org Admin (so the refusals above are real)."""
    for o in manage_objects.values():
        if isinstance(o, dict):
            txt_records[o["domain"].txt_record_name] = [o["domain"].verification_token]
    client.force_login(demo["admin@acme.test"])
    for url, data in post_requests(manage_objects, ws_slug, demo):
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert snapshot() != before, url


def test_wsadmin_posts_go_through_in_their_workspace(client, demo, manage_objects, txt_records):
    o = manage_objects["marketing"]
    txt_records[o["domain"].txt_record_name] = [o["domain"].verification_token]
    client.force_login(demo["wsadmin@acme.test"])
    for url, data in post_requests(manage_objects, "marketing", demo):
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert snapshot() != before, url


@pytest.mark.parametrize(
    "path",
    [
        "manage/members/",
        "manage/teams/",
        "manage/domains/",
        "manage/integrations/",
        "manage/settings/",
    ],
)
def test_refusal_page_names_the_role_needed(client, demo, path):
    client.force_login(demo["editor@acme.test"])
    response = client.get(f"/orgs/acme/w/marketing/{path}")
    assert response.status_code == 403
    assert "Workspace Admin role" in response.content.decode()


def test_superuser_outside_the_org_gets_404_even_on_posts(client, demo, manage_objects):
    client.force_login(demo["ops@flowadmin.test"])
    before = snapshot()
    response = client.post("/orgs/acme/w/marketing/manage/settings/", {"name": "x", "slug": "x"})
    assert response.status_code == 404
    assert snapshot() == before
