"""Manage → Domains: the whitelabel domain of a workspace and its flow short links."""

import html

import pytest

from orgs.models import Domain
from tests.factories import DomainFactory, FlowFactory
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

DOMAINS = "/orgs/acme/w/marketing/manage/domains/"


def page(client):
    return html.unescape(client.get(DOMAINS).content.decode())


def reload(ws):
    return Workspace.objects.select_related("whitelabel_domain").get(pk=ws.pk)


def test_domains_page_shows_the_default_host_and_a_sample_short_link(as_user, demo, marketing):
    FlowFactory(workspace=marketing, short_code="abc123", name="Poster")
    text = page(as_user("wsadmin@acme.test"))
    assert "flow.test" in text
    assert "https://flow.test/s/abc123" in text


def test_domains_page_offers_verified_org_domains_only(as_user, demo, acme, marketing, workspaces):
    DomainFactory(org=acme, hostname="go.acme.example", verified=True)
    DomainFactory(org=acme, hostname="pending.acme.example")
    DomainFactory(
        org=acme, hostname="sales.acme.example", workspace=workspaces["sales"], verified=True
    )
    text = page(as_user("wsadmin@acme.test"))
    select = text.split('name="domain"')[1].split("</select>")[0]
    assert "go.acme.example" in select
    assert "pending.acme.example" not in select
    assert "sales.acme.example" not in select


def test_use_a_verified_org_domain_changes_flow_short_links(as_user, demo, acme, marketing):
    flow = FlowFactory(workspace=marketing, short_code="abc123")
    domain = DomainFactory(org=acme, hostname="go.acme.example", verified=True)
    assert flow.short_link == "https://flow.test/s/abc123"
    response = as_user("wsadmin@acme.test").post(DOMAINS + "use/", {"domain": domain.pk})
    assert response.status_code == 302
    flow.workspace = reload(marketing)
    assert flow.short_link == "https://go.acme.example/s/abc123"


def test_page_shows_the_domain_in_use(as_user, demo, acme, marketing):
    FlowFactory(workspace=marketing, short_code="abc123")
    marketing.whitelabel_domain = DomainFactory(org=acme, hostname="go.acme.example", verified=True)
    marketing.save()
    text = page(as_user("wsadmin@acme.test"))
    assert "https://go.acme.example/s/abc123" in text


def test_back_to_the_default_host(as_user, demo, acme, marketing):
    marketing.whitelabel_domain = DomainFactory(org=acme, verified=True)
    marketing.save()
    as_user("wsadmin@acme.test").post(DOMAINS + "use/", {"domain": ""})
    assert reload(marketing).whitelabel_domain is None


@pytest.mark.parametrize(
    "make",
    [
        lambda acme, globex, ws: DomainFactory(org=globex, verified=True),
        lambda acme, globex, ws: DomainFactory(org=acme),  # pending
        lambda acme, globex, ws: DomainFactory(org=acme, workspace=ws["sales"], verified=True),
    ],
    ids=["other-org", "pending", "other-workspace"],
)
def test_use_refuses_domains_the_workspace_may_not_use(
    as_user, demo, acme, globex, workspaces, make
):
    domain = make(acme, globex, workspaces)
    response = as_user("wsadmin@acme.test").post(DOMAINS + "use/", {"domain": domain.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert reload(workspaces["marketing"]).whitelabel_domain is None


def test_add_an_own_domain_shows_its_txt_record(as_user, demo, acme, marketing):
    client = as_user("wsadmin@acme.test")
    response = client.post(DOMAINS + "add/", {"hostname": "Links.Marketing.Example"})
    assert response.status_code == 302
    domain = Domain.objects.get(hostname="links.marketing.example")
    assert (domain.org, domain.workspace, domain.is_verified) == (acme, marketing, False)
    text = page(client)
    assert "_flowadmin.links.marketing.example" in text
    assert domain.verification_token in text
    assert "Pending verification" in text


@pytest.mark.parametrize(
    "hostname,error",
    [
        ("http://go.example.com/x", "Enter only the hostname"),
        ("go.localhost", "cannot be used publicly"),
        ("example", "This is not a valid hostname"),
        ("", "This field is required"),
    ],
)
def test_add_an_invalid_hostname_shows_the_error(as_user, demo, hostname, error):
    before = Domain.objects.count()
    response = as_user("wsadmin@acme.test").post(DOMAINS + "add/", {"hostname": hostname})
    assert response.status_code == 400
    assert error in html.unescape(response.content.decode())
    assert Domain.objects.count() == before


def test_add_a_hostname_another_org_uses_is_refused(as_user, demo, globex):
    DomainFactory(org=globex, hostname="taken.example.com", verified=True)
    response = as_user("wsadmin@acme.test").post(
        DOMAINS + "add/", {"hostname": "taken.example.com"}
    )
    assert response.status_code == 400
    assert "verified for use elsewhere" in html.unescape(response.content.decode())
    assert Domain.objects.filter(hostname="taken.example.com").count() == 1


def test_verify_with_the_txt_record_published(as_user, demo, acme, marketing, txt_records):
    domain = DomainFactory(org=acme, workspace=marketing, hostname="links.example.com")
    txt_records["_flowadmin.links.example.com"] = ["unrelated", domain.verification_token]
    client = as_user("wsadmin@acme.test")
    assert client.post(DOMAINS + f"{domain.pk}/verify/").status_code == 302
    domain.refresh_from_db()
    assert domain.is_verified
    assert "Use<span" in page(client)


def test_verify_without_the_txt_record_shows_why(as_user, demo, acme, marketing, txt_records):
    domain = DomainFactory(org=acme, workspace=marketing, hostname="links.example.com")
    response = as_user("wsadmin@acme.test").post(DOMAINS + f"{domain.pk}/verify/")
    assert response.status_code == 400
    assert "No TXT record" in html.unescape(response.content.decode())
    domain.refresh_from_db()
    assert not domain.is_verified


def test_verified_own_domain_can_then_be_used(as_user, demo, acme, marketing, txt_records):
    flow = FlowFactory(workspace=marketing, short_code="xyz789")
    domain = DomainFactory(org=acme, workspace=marketing, hostname="links.example.com")
    txt_records[domain.txt_record_name] = [domain.verification_token]
    client = as_user("wsadmin@acme.test")
    client.post(DOMAINS + f"{domain.pk}/verify/")
    client.post(DOMAINS + "use/", {"domain": domain.pk})
    flow.workspace = reload(marketing)
    assert flow.short_link == "https://links.example.com/s/xyz789"


def test_unverified_whitelabel_domain_is_not_used_in_short_links(as_user, demo, acme, marketing):
    flow = FlowFactory(workspace=marketing, short_code="abc123")
    marketing.whitelabel_domain = DomainFactory(org=acme, hostname="go.acme.example")
    marketing.save()
    text = page(as_user("wsadmin@acme.test"))
    assert "is chosen but not verified" in text
    flow.workspace = reload(marketing)
    assert flow.short_link == "https://flow.test/s/abc123"


@pytest.mark.parametrize("scope", ["org-wide", "other-workspace", "other-org"])
def test_verify_and_remove_only_the_workspaces_own_domains(
    as_user, demo, acme, globex, workspaces, txt_records, scope
):
    domain = {
        "org-wide": lambda: DomainFactory(org=acme),
        "other-workspace": lambda: DomainFactory(org=acme, workspace=workspaces["sales"]),
        "other-org": lambda: DomainFactory(org=globex),
    }[scope]()
    txt_records[domain.txt_record_name] = [domain.verification_token]
    client = as_user("admin@acme.test")
    assert client.post(DOMAINS + f"{domain.pk}/verify/").status_code == 404
    assert client.get(DOMAINS + f"{domain.pk}/remove/").status_code == 404
    assert client.post(DOMAINS + f"{domain.pk}/remove/").status_code == 404
    domain.refresh_from_db()
    assert not domain.is_verified


def test_remove_asks_for_confirmation_and_warns_when_in_use(as_user, demo, acme, marketing):
    domain = DomainFactory(
        org=acme, workspace=marketing, hostname="links.example.com", verified=True
    )
    marketing.whitelabel_domain = domain
    marketing.save()
    text = html.unescape(
        as_user("wsadmin@acme.test").get(DOMAINS + f"{domain.pk}/remove/").content.decode()
    )
    assert "Remove links.example.com?" in text
    assert "Flow short links use it now" in text
    assert Domain.objects.filter(pk=domain.pk).exists()


def test_remove_the_domain_in_use_goes_back_to_the_default_host(as_user, demo, acme, marketing):
    flow = FlowFactory(workspace=marketing, short_code="abc123")
    domain = DomainFactory(org=acme, workspace=marketing, verified=True)
    marketing.whitelabel_domain = domain
    marketing.save()
    assert as_user("wsadmin@acme.test").post(DOMAINS + f"{domain.pk}/remove/").status_code == 302
    assert not Domain.objects.filter(pk=domain.pk).exists()
    flow.workspace = reload(marketing)
    assert flow.short_link == "https://flow.test/s/abc123"


@pytest.mark.parametrize(
    "hostname",
    ["http://go.example.com/x", "go.localhost", "example", "192.168.0.1", ""],
)
def test_both_add_forms_refuse_a_bad_hostname_with_the_same_field_error(as_user, demo, hostname):
    """Settings → Domains (the org's) and Manage → Domains (a workspace's) add a domain with
    one form: a hostname refused shows the same error on its field on both pages."""
    client = as_user("admin@acme.test")
    errors = []
    for url, form in [("/orgs/acme/settings/domains/", "form"), (DOMAINS + "add/", "add_form")]:
        before = Domain.objects.count()
        response = client.post(url, {"hostname": hostname})
        assert response.status_code == 400
        assert Domain.objects.count() == before
        field = response.context[form]["hostname"]
        assert field.errors
        assert str(field.errors) in response.content.decode()
        errors.append((list(field.errors), field.help_text))
    assert errors[0] == errors[1]
