"""/orgs/<org>/activity/: who sees it, filters, keyset pages, htmx, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import recording
from audit.context import Actor, acting_as
from audit.filters import activity_url
from audit.selectors import recent_entries
from orgs.models import Organization, OrgMembership
from tests import factories as f
from tests.profiling import python_calls
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

URL = "/orgs/initech/activity/"


def page(client, query="", **headers):
    response = client.get(URL + query, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def labels(html):
    """Entity labels shown, in page order (each row's label follows its type)."""
    import re

    return re.findall(r'<span class="muted small">[^<]*</span><br>([^<]*)</td>', html)


@pytest.fixture
def story(org, org_admin):
    """A few changes by different people in two workspaces, over three days."""
    eve = f.OrgMembershipFactory(org=org, user=f.UserFactory(email="eve@initech.test")).user
    now = timezone.now()
    with acting_as(Actor(org_admin, org_admin.email)):
        marketing = f.WorkspaceFactory(org=org, name="Marketing", slug="marketing")
        sales = f.WorkspaceFactory(org=org, name="Sales", slug="sales")
    with acting_as(Actor(eve, eve.email)):
        flow = f.FlowFactory(workspace=marketing, name="Spring poster")
        f.BrandKitFactory(workspace=sales, name="Sales kit")
        flow.name = "Summer poster"
        flow.save()
    for days, label in [(3, "old export"), (1, "recent export")]:
        recording.bulk_record(
            [
                recording.Draft(
                    org_id=org.pk,
                    action="exported",
                    entity_type="audience_export",
                    entity_label=label,
                    workspace_id=sales.pk,
                    workspace_name="Sales",
                    created_at=now - datetime.timedelta(days=days),
                    actor=(None, "system", ""),
                )
            ]
        )
    return {"marketing": marketing, "sales": sales, "flow": flow, "eve": eve}


# --- access ---------------------------------------------------------------------------------


def test_org_admin_sees_the_log(admin_client, story):
    html = page(admin_client)
    assert "Summer poster" in html
    assert "eve@initech.test" in html


def test_org_user_is_refused(client, story):
    client.force_login(story["eve"])
    assert client.get(URL).status_code == 403


def test_other_orgs_admin_gets_404(client, story):
    outsider = f.OrgMembershipFactory(admin=True).user
    client.force_login(outsider)
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_login(client, story):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_post_is_not_allowed(admin_client):
    assert admin_client.post(URL).status_code == 405


def test_other_orgs_entries_never_show(admin_client, story):
    f.TeamFactory(name="Globex secret team")
    assert "Globex secret team" not in page(admin_client)


# --- list ---------------------------------------------------------------------------------


def test_newest_first(admin_client, story):
    shown = labels(page(admin_client))
    assert shown.index("Summer poster") < shown.index("Sales kit") < shown.index("recent export")
    assert shown.index("recent export") < shown.index("old export")


def test_columns_and_readable_summary(admin_client, story):
    html = page(admin_client, "?action=updated")
    assert "name: Spring poster → Summer poster" in html
    assert '<th scope="row">name</th><td>Spring poster</td><td>Summer poster</td>' in html
    assert "Marketing" in html and "Flow" in html


def test_empty_state(client, db):
    org = Organization.objects.bulk_create([Organization(name="Quiet", slug="initech")])[0]
    user = f.UserFactory()
    OrgMembership.objects.bulk_create([OrgMembership(org=org, user=user, role="admin")])
    client.force_login(user)
    assert "Nothing has happened in Quiet yet." in page(client)


def test_no_match_state(admin_client, story):
    html = page(admin_client, "?email=nobody")
    assert "No entries match these filters." in html


# --- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        ("?email=EVE@", {"Spring poster", "Summer poster", "Sales kit"}),
        ("?workspace=sale", {"Sales", "Sales kit", "old export", "recent export"}),
        ("?action=exported", {"old export", "recent export"}),
        ("?entity=brand_kit", {"Sales kit"}),
        ("?entity=flow&action=updated", {"Summer poster"}),
        ("?email=eve&workspace=market", {"Spring poster", "Summer poster"}),
    ],
)
def test_filters(admin_client, story, query, expected):
    assert set(labels(page(admin_client, query))) == expected


def test_filter_by_entity_id(admin_client, story):
    html = page(admin_client, f"?entity=flow&id={story['flow'].pk}")
    assert set(labels(html)) == {"Spring poster", "Summer poster"}


def test_since_and_until_are_whole_days(admin_client, story):
    two_days_ago = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    three_days_ago = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    assert "old export" not in labels(page(admin_client, f"?since={two_days_ago}"))
    assert set(labels(page(admin_client, f"?until={three_days_ago}"))) == {"old export"}


def test_workspace_filter_finds_a_renamed_workspace(admin_client, story):
    ws = Workspace.objects.get(pk=story["marketing"].pk)
    ws.name = "Brand"
    ws.save()
    assert "Summer poster" in labels(page(admin_client, "?workspace=marketing"))


def test_workspace_filter_finds_a_deleted_workspace(admin_client, story):
    Workspace.objects.get(pk=story["marketing"].pk).delete()
    assert "Summer poster" in labels(page(admin_client, "?workspace=marketing"))


def test_workspace_filter_resolves_names_without_reading_the_log(org, story):
    """The names come from the workspace-name table, not from a scan of the org's history."""
    from audit.filters import workspace_ids_named

    with CaptureQueriesContext(connection) as queries:
        ids = workspace_ids_named(org, "market")
    assert ids == {story["marketing"].pk}
    assert not [q for q in queries if "audit_activityentry" in q["sql"]]


def test_filters_stay_in_the_form(admin_client, story):
    html = page(admin_client, "?email=eve&entity=flow")
    assert 'name="email" value="eve"' in html
    assert '<option value="flow" selected>' in html


def test_invalid_date_shows_the_error(admin_client, story):
    html = page(admin_client, "?since=yesterday")
    assert "Enter a valid date." in html
    assert "Fix the filters to see entries" in html


def test_until_before_since_is_an_error(admin_client, story):
    html = page(admin_client, "?since=2025-02-01&until=2025-01-01")
    assert "must be on or after" in html


def test_unknown_entity_is_an_error(admin_client, story):
    assert "Select a valid choice" in page(admin_client, "?entity=spaceship")


# --- keyset pages ---------------------------------------------------------------------------


def test_older_link_pages_through_everything(admin_client, org, make_entries):
    make_entries(org, 118)  # + "org created", "boss joined" = 120 entries
    first = page(admin_client)
    assert len(labels(first)) == 50
    older = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = page(admin_client, older[len(URL) :])
    third_link = second.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    third = page(admin_client, third_link[len(URL) :])
    seen = labels(first) + labels(second) + labels(third)
    assert len(seen) == len(set(seen)) == 120
    assert 'rel="next"' not in third
    assert "« Newest" in third


def test_older_link_keeps_the_filters(admin_client, org, make_entries):
    make_entries(org, 60)
    html = page(admin_client, "?entity=flow")
    assert 'href="/orgs/initech/activity/?entity=flow&amp;before=' in html


def test_entries_with_the_same_time_are_neither_lost_nor_repeated(admin_client, org):
    moment = timezone.now()
    drafts = [
        recording.Draft(
            org_id=org.pk,
            action="updated",
            entity_type="flow",
            entity_label=f"Same {i}",
            created_at=moment,
        )
        for i in range(75)
    ]
    recording.bulk_record(drafts)
    first = page(admin_client, "?entity=flow")
    older = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = page(admin_client, older[len(URL) :])
    assert len(set(labels(first)) | set(labels(second))) == 75


def test_a_broken_page_link_is_an_error(admin_client, story):
    assert "This page link is broken" in page(admin_client, "?before=garbage")


def test_export_link_keeps_the_filters(admin_client, story):
    html = page(admin_client, "?action=exported")
    assert 'href="/orgs/initech/activity/export.csv?action=exported"' in html


# --- htmx ---------------------------------------------------------------------------------


def test_htmx_gets_only_the_results(admin_client, story):
    html = page(admin_client, "?entity=brand_kit", HX_Request="true")
    assert html.lstrip().startswith('<section id="activity-results"')
    assert "<html" not in html
    assert labels(html) == ["Sales kit"]


def test_htmx_history_restore_gets_the_full_page(admin_client, story):
    html = page(admin_client, "", HX_Request="true", HX_History_Restore_Request="true")
    assert "<html" in html


def test_responses_vary_on_htmx(admin_client, story):
    assert "HX-Request" in admin_client.get(URL)["Vary"]


def test_form_updates_the_list_in_place(admin_client, story):
    html = page(admin_client)
    assert 'hx-get="/orgs/initech/activity/"' in html
    assert 'hx-target="#activity-results"' in html
    assert 'hx-push-url="true"' in html


# --- query counts -------------------------------------------------------------------------


def count_queries(client, query=""):
    with CaptureQueriesContext(connection) as queries:
        page(client, query)
    return len(queries)


@pytest.mark.parametrize("query", ["", "?email=eve", "?workspace=mark&action=updated&entity=flow"])
def test_query_count_does_not_grow_with_the_log(admin_client, org, make_entries, story, query):
    make_entries(org, 100, workspace_id=story["marketing"].pk, workspace_name="Marketing")
    small = count_queries(admin_client, query)
    make_entries(org, 9_900, workspace_id=story["marketing"].pk, workspace_name="Marketing")
    assert count_queries(admin_client, query) == small
    assert small <= 8


def test_no_count_query(admin_client, org, make_entries):
    make_entries(org, 100)
    with CaptureQueriesContext(connection) as queries:
        page(admin_client)
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]


# --- helpers for other pages ---------------------------------------------------------------


def test_recent_entries_newest_first(org, story):
    assert [e.entity_label for e in recent_entries(org, limit=2)] == ["Summer poster", "Sales kit"]


def test_activity_url_builds_a_filtered_link(org):
    url = activity_url(org, entity="flow", id=7, since=datetime.date(2025, 1, 2), email="")
    assert url == "/orgs/initech/activity/?entity=flow&id=7&since=2025-01-02"


def test_activity_url_refuses_unknown_filters(org):
    with pytest.raises(TypeError, match="Unknown activity filter 'flow'"):
        activity_url(org, flow=1)


def test_activity_url_template_tag(org):
    from django.template import Context, Template

    html = Template('{% load activity %}{% activity_url org entity="flow" id=3 %}').render(
        Context({"org": org})
    )
    assert html == "/orgs/initech/activity/?entity=flow&amp;id=3"


def test_anonymous_post_is_405_as_on_every_get_only_page(client, org):
    # The method check comes first, then access (tests/test_decorator_order.py).
    assert client.post(URL).status_code == 405


def test_email_matching_many_actors_filters_by_substring(admin_client, org, story, monkeypatch):
    monkeypatch.setattr("audit.filters.MAX_RESOLVED_EMAILS", 1)  # boss@ and eve@ match
    html = page(admin_client, "?email=@INITECH")
    assert set(labels(html)) == {
        "Marketing",
        "Sales",
        "Spring poster",
        "Summer poster",
        "Sales kit",
    }


def test_query_count_with_many_matching_actors_does_not_grow(
    admin_client, org, make_entries, story, monkeypatch
):
    monkeypatch.setattr("audit.filters.MAX_RESOLVED_EMAILS", 1)  # boss@, eve@, … match
    make_entries(org, 100, actor=(None, "one@initech.test", ""))
    small = count_queries(admin_client, "?email=initech")
    make_entries(org, 9_900, actor=(None, "two@initech.test", ""))
    assert count_queries(admin_client, "?email=initech") == small


def test_rows_escape_and_read_the_time_zone_no_more_with_more_rows(admin_client, org, make_entries):
    # Each row formats its values itself (audit.display): a value without a character to
    # escape skips html.escape's five replacements, the time zone is read once a page.
    work = [("html/__init__.py", "escape"), ("django/utils/timezone.py", "get_current_timezone")]
    make_entries(org, 5)
    few = python_calls(admin_client, URL, work)
    make_entries(org, 40)
    assert python_calls(admin_client, URL, work) == few


def test_rows_escape_what_people_typed(admin_client, org):
    recording.bulk_record(
        [
            recording.Draft(
                org_id=org.pk,
                action="updated",
                entity_type="flow",
                entity_label="<b>Poster</b>",
                workspace_name='Sales & "Ops"',
                changes={"name<i>": ["<script>old</script>", "new & 'better'"]},
                actor=(None, "<x>@initech.test", ""),
            )
        ]
    )
    html = page(admin_client)
    assert "<b>Poster" not in html and "<script>old" not in html and "<i>" not in html
    assert "&lt;b&gt;Poster&lt;/b&gt;" in html
    assert "Sales &amp; &quot;Ops&quot;" in html
    assert "&lt;script&gt;old&lt;/script&gt;" in html
    assert "new &amp; &#x27;better&#x27;" in html
    assert "&lt;x&gt;<wbr>@initech.test" in html


# --- a workspace filter matching many workspaces ---------------------------------------------


def workspaces_with_entries(org, make_entries, names):
    for name in names:
        ws = f.WorkspaceFactory(org=org, name=name)
        make_entries(org, 2, workspace_id=ws.pk, workspace_name=name)


def test_workspace_filter_matching_several_workspaces_shows_each(admin_client, org, make_entries):
    workspaces_with_entries(org, make_entries, ["Region 01", "Region 02", "Other 03"])
    import re

    html = page(admin_client, "?workspace=region")
    shown = re.findall(r'<td class="actor">.*?</td><td>([^<]*)</td>', html)
    assert set(shown) == {"Region 01", "Region 02"}
    assert shown.count("Region 02") >= 2


@pytest.mark.parametrize("query", ["?workspace=region", "?workspace=region&action=updated"])
def test_workspace_filter_work_does_not_grow_with_the_matching_workspaces(
    admin_client, org, make_entries, query
):
    """The matching ids go to the database as one array (PostgreSQL; audit.filters.AnyOf):
    the same queries and the same Python work for 2 matching workspaces or 40."""
    from tests.profiling import python_calls

    work = [("django/db/models/fields/__init__.py", "get_db_prep_value")]
    workspaces_with_entries(org, make_entries, [f"Region {n:02d}" for n in range(2)])
    queries, calls = (
        count_queries(admin_client, query),
        python_calls(admin_client, URL + query, work),
    )
    workspaces_with_entries(org, make_entries, [f"Region {n:02d}" for n in range(2, 40)])
    assert count_queries(admin_client, query) == queries
    if connection.vendor == "postgresql":
        assert python_calls(admin_client, URL + query, work) == calls


# --- the workspace filter's suggestions -----------------------------------------------------


def suggestions(html):
    import re

    found = re.findall(
        r'<datalist id="activity-workspaces"( hx-swap-oob="true")?>(.*?)</datalist>', html
    )
    return [
        (bool(oob), re.findall(r'<option value="([^"]*)"></option>', options))
        for oob, options in found
    ]


def test_suggestions_are_bounded_and_follow_the_typed_name(admin_client, org):
    """A big org's datalist is not every workspace (one query, at most 20 names in name order);
    the suggestions are the workspaces whose name contains what is typed, in any case."""
    from audit.selectors import SUGGESTED_WORKSPACES

    names = sorted(f"Region {n:02d}" for n in range(30)) + ["Other"]
    for name in names:
        f.WorkspaceFactory(org=org, name=name)
    every = sorted(Workspace.objects.filter(org=org).values_list("name", flat=True))
    assert suggestions(page(admin_client)) == [(False, every[:SUGGESTED_WORKSPACES])]
    assert suggestions(page(admin_client, "?workspace=ion+2")) == [
        (False, [f"Region {n}" for n in range(20, 30)])
    ]
    assert suggestions(page(admin_client, "?workspace=OTH")) == [(False, ["Other"])]


def test_typing_in_the_filters_swaps_the_suggestions_out_of_band(admin_client, org):
    for name in ("Sales", "Support", "Marketing"):
        f.WorkspaceFactory(org=org, name=name)
    typed = page(admin_client, "?workspace=s", HX_Request="true", HX_Trigger="activity-filters")
    assert typed.lstrip().startswith('<section id="activity-results"')
    assert suggestions(typed) == [(True, ["Sales", "Support"])]
    # the older/newest links swap the results only: no suggestions, no query for them
    with CaptureQueriesContext(connection) as paging:
        paged = page(admin_client, "?workspace=s", HX_Request="true")
    assert suggestions(paged) == []
    assert not [q for q in paging if '"workspaces_workspace"."name" AS' in q["sql"]]


@pytest.mark.parametrize("query", ["", "?workspace=region"])
def test_suggestions_cost_the_same_at_25_and_250_workspaces(admin_client, org, query):
    """Queries and the datalist's options (a generator step each) do not grow with the org."""
    from audit.selectors import SUGGESTED_WORKSPACES

    def add(numbers):
        for n in numbers:
            f.WorkspaceFactory(org=org, name=f"Region {n:03d}", slug=f"region-{n}")

    work = [("audit/templatetags/activity.py", "<genexpr>")]
    add(range(25))
    queries, calls = (
        count_queries(admin_client, query),
        python_calls(admin_client, URL + query, work),
    )
    add(range(25, 250))
    assert count_queries(admin_client, query) == queries <= 8
    assert python_calls(admin_client, URL + query, work) == calls == {work[0]: 21}
    assert len(suggestions(page(admin_client, query))[0][1]) == SUGGESTED_WORKSPACES


@pytest.mark.parametrize(
    "names",
    [[], ["One"], ["A & B", '"quoted"', "<tag>", "it's", "plain", "é ü", ""], ["with\x00nul", "x"]],
)
def test_workspace_datalist_is_each_name_escaped(names):
    from html import escape

    from audit.templatetags.activity import datalist_options

    expected = "".join(f'<option value="{escape(name)}"></option>' for name in names)
    assert datalist_options(names) == expected


def test_workspace_names_are_the_orgs_in_order(django_assert_num_queries):
    from audit.selectors import workspace_names
    from tests.factories import OrganizationFactory, WorkspaceFactory
    from workspaces.models import Workspace

    org = OrganizationFactory()
    for name in ["b", "A", "é", "ab", "Z"]:
        WorkspaceFactory(org=org, name=name)
    WorkspaceFactory(name="another org's")
    expected = list(
        Workspace.objects.filter(org=org).order_by("name").values_list("name", flat=True)
    )
    with django_assert_num_queries(1):
        assert workspace_names(org) == expected


def test_workspace_names_and_ids_match_as_icontains(db):
    # Both reads are SQL written once: they find what the ORM's icontains finds, wildcards
    # (% and _) taken as they are typed, any case, renamed workspaces by their logged names.
    from audit.filters import workspace_ids_named
    from audit.models import ActivityWorkspaceName
    from audit.selectors import workspace_names
    from tests.factories import OrganizationFactory, WorkspaceFactory
    from workspaces.models import Workspace

    org = OrganizationFactory()
    for name in ["Sales 50%", "sales_eu", "SALESX", "Marketing", "50 percent", "a\\b", "Ünïcode"]:
        WorkspaceFactory(org=org, name=name)
    WorkspaceFactory(name="Sales 50% of another org")
    renamed = WorkspaceFactory(org=org, name="Now named otherwise")
    ActivityWorkspaceName.objects.create(org_id=org.pk, workspace_id=renamed.pk, name="Old_sales")
    for text in ["sales", "50%", "_", "s_e", "ALES", "%", "\\", "ünï", "nothing"]:
        current = Workspace.objects.filter(org=org, name__icontains=text).order_by("name")
        assert workspace_names(org, text) == list(current.values_list("name", flat=True)), text
        logged = ActivityWorkspaceName.objects.filter(org_id=org.pk, name__icontains=text)
        expected = {*current.values_list("pk", flat=True)}
        expected |= {*logged.values_list("workspace_id", flat=True)}
        assert workspace_ids_named(org, text) == expected, text


def test_actor_emails_match_as_contains(db):
    # SQL written once: the emails the ORM's contains finds (wildcards taken as typed), or None
    # beyond the limit.
    from audit.filters import actor_emails
    from audit.models import ActivityActor
    from tests.factories import OrganizationFactory

    org, other = OrganizationFactory(), OrganizationFactory()
    emails = ["ann@acme.test", "a_n@acme.test", "50%@acme.test", "bob@acme.test", "a\\n@x.test"]
    ActivityActor.objects.bulk_create(ActivityActor(org_id=org.pk, email=e) for e in emails)
    ActivityActor.objects.create(org_id=other.pk, email="ann@other.test")
    for text in ["ann", "a_n", "_", "%", "50%", "acme", "\\", "nobody"]:
        found = ActivityActor.objects.filter(org_id=org.pk, email__contains=text)
        assert sorted(actor_emails(org, text)) == sorted(found.values_list("email", flat=True))
    assert actor_emails(org, "acme", limit=3) is None
    assert sorted(actor_emails(org, "acme", limit=4)) == sorted(emails[:4])
