"""A change from the console, from /admin/ and from a command: three entries with the right
actor, workspace, action, entity and diff — then found with each filter."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory

from audit.models import ActivityEntry
from flowadmin.middleware import ActorContextMiddleware
from tests import factories as f
from workspaces.models import Flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(acme):
    return f.FlowFactory(workspace=acme.workspaces.get(slug="marketing"), name="Spring")


def console_rename(user, flow_id, name):
    """What a console view does: runs under the actor middleware and saves."""

    def view(request):
        flow = Flow.objects.get(pk=flow_id)
        flow.name = name
        flow.save()
        return HttpResponse("ok")

    request = RequestFactory().post("/orgs/acme/w/marketing/flows/", REMOTE_ADDR="203.0.113.5")
    request.user = user
    return ActorContextMiddleware(view)(request)


def admin_rename(client, operator, flow, name):
    client.force_login(operator)
    return client.post(
        f"/admin/workspaces/flow/{flow.pk}/change/",
        {
            "workspace": flow.workspace_id,
            "name": name,
            "destination_url": flow.destination_url,
            "status": "active",
            "created_by": "",
        },
    )


def latest(**filters):
    return ActivityEntry.objects.filter(**filters).order_by("-seq").first()


def test_console_change_is_logged_with_the_request_user_and_ip(demo, flow):
    console_rename(demo["admin@acme.test"], flow.pk, "Console name")
    entry = latest(entity_type="flow")
    assert (entry.actor_email, entry.ip, entry.actor_id) == (
        "admin@acme.test",
        "203.0.113.5",
        demo["admin@acme.test"].pk,
    )
    assert (entry.workspace_name, entry.action, entry.entity_id) == (
        "Marketing",
        "updated",
        str(flow.pk),
    )
    assert entry.changes == {"name": ["Spring", "Console name"]}


def test_admin_site_change_is_logged_with_the_operator(client, demo, flow):
    response = admin_rename(client, demo["ops@flowadmin.test"], flow, "Admin name")
    assert response.status_code == 302
    entry = latest(entity_type="flow")
    assert (entry.actor_email, entry.ip, entry.workspace_name, entry.action) == (
        "ops@flowadmin.test",
        "127.0.0.1",
        "Marketing",
        "updated",
    )
    # Through flow_update, like the console: the name, and the flow's edit version.
    assert entry.changes == {"name": ["Spring", "Admin name"], "version": [1, 2]}


def test_command_change_is_logged_with_its_actor(demo):
    call_command(
        "set_role",
        "acme",
        "viewer@acme.test",
        "--workspace",
        "marketing",
        "--role",
        "editor",
        "--actor",
        "admin@acme.test",
        stdout=StringIO(),
    )
    entry = latest(entity_type="workspace_member")
    assert (entry.actor_email, entry.ip, entry.workspace_name, entry.action) == (
        "admin@acme.test",
        "",
        "Marketing",
        "updated",
    )
    assert entry.entity_label == "viewer@acme.test"
    assert entry.changes["role"] == ["viewer", "editor"]


def test_command_default_actor_is_system(demo):
    call_command("set_role", "acme", "viewer@acme.test", "--org-role", "admin", stdout=StringIO())
    entry = latest(entity_type="org_member")
    assert (entry.actor_email, entry.actor_id) == ("system", None)


@pytest.fixture
def three_changes(client, demo, flow):
    console_rename(demo["admin@acme.test"], flow.pk, "Console name")
    admin_rename(client, demo["ops@flowadmin.test"], flow, "Admin name")
    call_command(
        "set_role",
        "acme",
        "viewer@acme.test",
        "--workspace",
        "marketing",
        "--role",
        "editor",
        "--actor",
        "wsadmin@acme.test",
        stdout=StringIO(),
    )
    client.force_login(demo["admin@acme.test"])
    return client


@pytest.mark.parametrize(
    "query,expected",
    [
        ("?email=ops@", ["Admin name"]),
        ("?email=ADMIN@acme&entity=flow", ["Console name"]),
        ("?email=wsadmin", ["viewer@acme.test"]),
        ("?workspace=market&action=updated", ["viewer@acme.test", "Admin name", "Console name"]),
        ("?entity=workspace_member&action=updated", ["viewer@acme.test"]),
    ],
)
def test_the_three_changes_are_found_by_each_filter(three_changes, query, expected):
    html = three_changes.get("/orgs/acme/activity/" + query).content.decode()
    for label in expected:
        assert label in html
    positions = [html.index(f"<br>{label}</td>") for label in expected]
    assert positions == sorted(positions)


def test_the_three_changes_found_by_date(three_changes):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    html = three_changes.get(f"/orgs/acme/activity/?since={today}&until={today}").content.decode()
    assert "Admin name" in html and "Console name" in html
    html = three_changes.get("/orgs/acme/activity/?until=2000-01-01").content.decode()
    assert "No entries match these filters." in html


# --- seed_demo ------------------------------------------------------------------------------


def test_seed_demo_writes_the_log(demo, log, acme):
    types = {e.entity_type for e in log(acme)}
    assert {"org", "org_member", "workspace", "workspace_member", "team", "team_member"} <= types
    assert {"team_access"} <= types


def test_seed_demo_again_writes_no_entry(demo):
    before = ActivityEntry.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert ActivityEntry.objects.count() == before


# --- wiring into the other pages -------------------------------------------------------------


def test_audience_export_is_logged_as_exported(client, demo, acme):
    from audit.models import ActivityEntry

    client.force_login(demo["audience@acme.test"])
    response = client.get("/orgs/acme/w/marketing/audience/export.csv?tag=vip")
    b"".join(response.streaming_content)
    entry = ActivityEntry.objects.filter(org=acme).order_by("-id").first()
    assert (entry.action, entry.entity_type) == ("exported", "audience_export")
    assert entry.actor_email == "audience@acme.test"
    assert entry.workspace_name == "Marketing"
    assert entry.changes == {"filters": [None, {"tag": "vip"}]}


def test_refused_audience_export_logs_nothing(client, demo, acme):
    from audit.models import ActivityEntry

    before = ActivityEntry.objects.filter(org=acme).count()
    client.force_login(demo["viewer@acme.test"])
    assert client.get("/orgs/acme/w/marketing/audience/export.csv").status_code == 403
    assert ActivityEntry.objects.filter(org=acme).count() == before


def test_dashboard_shows_recent_activity_with_links(client, demo, acme):
    client.force_login(demo["admin@acme.test"])
    page = client.get("/orgs/acme/").content.decode()
    assert "Recent activity" in page
    assert "/orgs/acme/activity/?email=system" in page


def test_flow_page_links_to_its_history_for_org_admins_only(client, demo, acme):
    from workspaces.models import Flow

    flow = Flow.objects.filter(workspace__org=acme, workspace__slug="marketing").first()
    url = f"/orgs/acme/w/marketing/flows/{flow.pk}/"
    link = f"/orgs/acme/activity/?entity=flow&amp;id={flow.pk}"
    client.force_login(demo["admin@acme.test"])
    assert link in client.get(url).content.decode()
    client.force_login(demo["editor@acme.test"])
    assert link not in client.get(url).content.decode()


def test_member_profile_links_to_their_activity(client, demo, acme):
    viewer = demo["viewer@acme.test"]
    client.force_login(demo["admin@acme.test"])
    page = client.get(f"/orgs/acme/users/{viewer.pk}/").content.decode()
    assert f"entity=org_member&amp;id={viewer.pk}" in page
