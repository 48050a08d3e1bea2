import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from orgs.decorators import CapabilityDenied, org_view
from workspaces.decorators import workspace_view

pytestmark = pytest.mark.django_db


def visible_on_home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_home_redirects_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.parametrize(
    "email,sees,hidden",
    [
        (
            "admin@acme.test",
            ["Acme", "Marketing", "Sales", "Events", "Org Admin console"],
            ["Globex"],
        ),
        ("wsadmin@acme.test", ["Acme", "Marketing"], ["Sales", "Events", "Globex"]),
        ("viewer@acme.test", ["Marketing"], ["Sales", "Events", "Org Admin console"]),
        ("teamuser@acme.test", ["Sales", "through a team"], ["Marketing", "Events"]),
        ("outsider@acme.test", ["Acme", "no workspaces"], ["Marketing", "Sales", "Events"]),
        ("admin@globex.test", ["Globex", "Main"], ["Acme", "Marketing"]),
        ("ops@flowadmin.test", ["not a member of any organization"], ["Acme", "Globex"]),
    ],
)
def test_home_lists_exactly_the_users_orgs_and_workspaces(client, demo, email, sees, hidden):
    html = visible_on_home(client, demo[email])
    for text in sees:
        assert text in html
    for text in hidden:
        assert text not in html


def test_home_query_count_is_constant(client, demo, django_assert_max_num_queries):
    client.force_login(demo["admin@acme.test"])
    with django_assert_max_num_queries(7):
        client.get("/")


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_login_with_email_any_case(client, demo):
    response = client.post(
        "/accounts/login/", {"username": "Viewer@Acme.test", "password": "flowadmin-demo"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_login_throttled_after_repeated_failures(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "viewer@acme.test", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "viewer@acme.test", "password": "flowadmin-demo"}
    )
    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content


def test_password_reset_sends_email(client, demo, mailoutbox):
    response = client.post("/accounts/password_reset/", {"email": "viewer@acme.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


# --- the view decorators answer as SPEC §3.3 -----------------------------------------------


def ok_view(request, *args, **kwargs):
    return HttpResponse(f"{request.org.slug}:{getattr(request, 'workspace', None)}")


def call(view, user, *args):
    request = RequestFactory().get("/x/")
    request.user = user
    return view(request, *args)


def test_org_view_redirects_anonymous(demo):
    from django.contrib.auth.models import AnonymousUser

    response = call(org_view()(ok_view), AnonymousUser(), "acme")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_org_view_404_for_non_members_and_unknown_orgs(demo):
    from django.http import Http404

    for slug in ["globex", "nope"]:
        with pytest.raises(Http404):
            call(org_view()(ok_view), demo["admin@acme.test"], slug)
    with pytest.raises(Http404):
        call(org_view()(ok_view), demo["ops@flowadmin.test"], "acme")


def test_org_view_403_names_the_missing_role(demo):
    with pytest.raises(CapabilityDenied) as refused:
        call(org_view("org.manage_users")(ok_view), demo["viewer@acme.test"], "acme")
    assert "Org Admin" in str(refused.value)


def test_workspace_view_answers(demo):
    from django.http import Http404

    view = workspace_view("ws.manage_flows")(ok_view)
    assert call(view, demo["flows@acme.test"], "acme", "marketing").status_code == 200
    with pytest.raises(CapabilityDenied) as refused:
        call(view, demo["viewer@acme.test"], "acme", "marketing")
    assert "Flows Manager" in str(refused.value)
    with pytest.raises(Http404):
        call(view, demo["viewer@acme.test"], "acme", "sales")  # no access: 404
    with pytest.raises(Http404):
        call(view, demo["admin@globex.test"], "acme", "marketing")  # other org
    with pytest.raises(Http404):
        call(view, demo["admin@acme.test"], "acme", "nope")


def test_workspace_view_costs_constant_queries(demo, django_assert_num_queries):
    view = workspace_view("ws.view")(ok_view)
    user = demo["teamuser@acme.test"]
    with django_assert_num_queries(2):  # workspace+org, then the user's access
        call(view, user, "acme", "sales")


def test_403_page_explains(client, demo, settings):
    from orgs import permissions

    response = client.get("/does-not-exist/")
    assert response.status_code == 404
    request = RequestFactory().get("/")
    request.user = demo["viewer@acme.test"]
    from flowadmin.views import permission_denied

    page = permission_denied(request, CapabilityDenied("ws.view_audience"))
    assert page.status_code == 403
    assert permissions.requirement("ws.view_audience") in page.content.decode().replace(
        "&#x27;", "'"
    )


def test_sidebar_lists_at_most_twenty_workspaces_plus_the_current_one(client, demo, acme):
    from flowadmin.context_processors import NAV_WORKSPACES
    from tests.factories import WorkspaceFactory

    for n in range(NAV_WORKSPACES + 5):
        WorkspaceFactory(org=acme, name=f"Aa {n:02}", slug=f"aa-{n:02}")
    client.force_login(demo["admin@acme.test"])
    response = client.get("/orgs/acme/w/sales/flows/")
    listed = response.context["nav_workspaces"]
    assert len(listed) == NAV_WORKSPACES + 1
    assert listed[-1].slug == "sales"
    assert "All your workspaces…" in response.content.decode()


# The sidebar's lists as base.html rendered them with template loops; they are now built in
# Python (flowadmin.context_processors.NavLinks / NavWorkspaces): the same markup.
LOOP_CONSOLE_NAV = """{% for link in console_nav %}<li><a href="{{ link.url }}"{% if link.current %}
 aria-current="page"{% endif %}>{{ link.label }}</a></li>{% endfor %}"""
LOOP_WORKSPACES = """{% for ws in nav_workspaces %}<li><a href="{{ ws.url }}"{% if ws.current %}
 aria-current="page"{% endif %}>{{ ws.name }}</a>{% if ws.open %}<ul class="ws-sections"
 aria-label="{{ ws.name }} sections">{% for link in ws.sections %}<li{% if link.css_class %}
 class="{{ link.css_class }}"{% endif %}><a href="{{ link.url }}"{% if link.current %}
 aria-current="page"{% endif %}>{{ link.label }}</a></li>{% endfor %}</ul>{% endif %}</li>
{% endfor %}"""


def _between_tags(html):
    import re

    return re.sub(r">\s+<", "><", html.replace("\n ", " ").strip())


@pytest.mark.parametrize(
    "url",
    ["/orgs/acme/activity/", "/orgs/acme/w/sales/flows/", "/orgs/acme/w/sales/manage/members/"],
)
def test_sidebar_lists_are_the_markup_the_template_loops_gave(client, demo, acme, url):
    from django.template import Context, Template

    from workspaces.models import Workspace

    Workspace.objects.filter(org=acme, slug="sales").update(name='R&D <b>"Sales"</b>')
    client.force_login(demo["admin@acme.test"])
    response = client.get(url)
    context = response.context
    html = response.content.decode()
    for loop, listed in [(LOOP_CONSOLE_NAV, "console_nav"), (LOOP_WORKSPACES, "nav_workspaces")]:
        values = {listed: context[listed]}
        expected = _between_tags(Template(loop).render(Context(values)))
        assert _between_tags(context[listed].html) == expected
        assert context[listed].html in html
    assert "R&amp;D &lt;b&gt;&quot;Sales&quot;&lt;/b&gt;" in html
    assert 'aria-current="page"' in context["console_nav"].html + context["nav_workspaces"].html


def test_the_layout_links_are_the_reversed_urls(client, demo):
    from flowadmin.nav_urls import SITE_LINKS

    client.force_login(demo["admin@acme.test"])
    urls = client.get("/orgs/acme/").context["site_urls"]
    assert urls == {key: reverse(name) for key, name in SITE_LINKS.items()}


def test_pages_vary_on_htmx(client, demo):
    client.force_login(demo["admin@acme.test"])
    for url in [
        "/orgs/acme/",
        "/orgs/acme/w/marketing/flows/",
        "/orgs/acme/w/marketing/manage/members/",
    ]:
        assert "HX-Request" in client.get(url)["Vary"], url


def test_htmx_history_restore_gets_the_whole_page(client, demo):
    client.force_login(demo["admin@acme.test"])
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get("/orgs/acme/w/marketing/manage/members/", headers=headers)
    assert b"<!doctype html>" in response.content
