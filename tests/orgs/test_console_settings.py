import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import ActivityStream
from orgs import domains
from orgs.models import Domain, IntegrationInstallation, Organization
from tests.factories import (
    DomainFactory,
    IntegrationInstallationFactory,
    SSOConfigurationFactory,
    WorkspaceFactory,
)
from tests.orgs.console import HTMX, html, image_file, logged_in

pytestmark = pytest.mark.django_db

SETTINGS = "/orgs/acme/settings/"
INTEGRATIONS = SETTINGS + "integrations/"
DOMAINS = SETTINGS + "domains/"
SECRET = "pat-na1-0123456789-very-secret"


# --- general -------------------------------------------------------------------------------


def test_save_description_and_avatar(client, demo, acme):
    response = logged_in(client, demo).post(
        SETTINGS, {"description": "  We make anvils.  ", "avatar": image_file()}
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.description == "We make anvils."
    assert acme.avatar.name.startswith("avatars/orgs/")


def test_avatar_shows_in_the_sidebar_and_page(client, demo, acme):
    logged_in(client, demo).post(SETTINGS, {"description": "", "avatar": image_file()})
    acme.refresh_from_db()
    src = f'src="/orgs/acme/avatars/org/{acme.pk}/{acme.avatar.name.rsplit("/", 1)[1]}"'
    assert html(client.get("/orgs/acme/teams/")).count(src) == 1  # the sidebar
    assert html(client.get(SETTINGS)).count(src) == 2


def test_save_with_htmx_rerenders_the_form(client, demo):
    response = logged_in(client, demo).post(SETTINGS, {"description": "New"}, headers=HTMX)
    page = html(response)
    assert page.lstrip().startswith('<section class="card" id="org-settings"')
    assert "Settings saved." in page
    assert "New</textarea>" in page


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"description": "x" * 2001}, "description", "at most 2000 characters"),
        ({"avatar": SimpleUploadedFile("a.gif", b"GIF89a-not-really")}, "avatar", "valid image"),
        ({"avatar": image_file(name="a.tiff", fmt="TIFF")}, "avatar", "PNG, JPEG, GIF or WebP"),
    ],
)
def test_refuses_bad_input(client, demo, acme, data, field, message):
    response = logged_in(client, demo).post(SETTINGS, data)
    assert response.status_code == 400  # refused: the form again
    assert message in " ".join(response.context["form"].errors[field])
    acme.refresh_from_db()
    assert (acme.description, acme.avatar.name) == ("", "")


def test_refuses_an_oversized_avatar(client, demo, acme, settings):
    settings.AVATAR_MAX_BYTES = 1024
    response = logged_in(client, demo).post(SETTINGS, {"avatar": image_file(size=(900, 900))})
    assert "too large" in " ".join(response.context["form"].errors["avatar"])


def test_remove_avatar_goes_back_to_initials(client, demo, acme):
    logged_in(client, demo).post(SETTINGS, {"avatar": image_file()})
    client.post(SETTINGS, {"remove_avatar": "on"})
    acme.refresh_from_db()
    assert not acme.avatar
    assert '<span class="avatar lg" aria-hidden="true">A</span>' in html(client.get(SETTINGS))


# --- integrations --------------------------------------------------------------------------


def test_catalog_lists_every_app_with_its_state(client, demo, acme):
    IntegrationInstallationFactory(org=acme, app="hubspot", enabled=False)
    IntegrationInstallationFactory(org=acme, workspace=WorkspaceFactory(org=acme), app="segment")
    page = html(logged_in(client, demo).get(INTEGRATIONS))
    for name in ["Salesforce", "HubSpot", "Segment", "mParticle", "Mailchimp", "Klaviyo"]:
        assert name in page
    assert page.count("Not installed") == 5  # a workspace's own Segment is not org-wide
    assert "Enable<span" in page


def test_install_with_a_secret_stores_it_encrypted(client, demo, acme):
    response = logged_in(client, demo).post(
        INTEGRATIONS + "hubspot/", {"portal_id": "4242", "access_token": SECRET}
    )
    assert response["Location"] == INTEGRATIONS
    installation = IntegrationInstallation.objects.get(org=acme, app="hubspot", workspace=None)
    assert installation.config == {"portal_id": "4242"}
    assert SECRET not in installation.secrets_encrypted
    assert installation.secrets() == {"access_token": SECRET}
    assert installation.installed_by == demo["admin@acme.test"]


def test_secret_is_never_shown_again(client, demo):
    logged_in(client, demo).post(
        INTEGRATIONS + "hubspot/", {"portal_id": "4242", "access_token": SECRET}
    )
    for url in [INTEGRATIONS, INTEGRATIONS + "hubspot/", INTEGRATIONS + "hubspot/uninstall/"]:
        page = html(client.get(url))
        assert SECRET not in page
        assert SECRET[-12:-4] not in page
    assert "Stored (••••••••cret)" in html(client.get(INTEGRATIONS + "hubspot/"))


def test_secret_is_not_echoed_back_on_a_form_error(client, demo):
    response = logged_in(client, demo).post(
        INTEGRATIONS + "hubspot/", {"portal_id": "", "access_token": SECRET}
    )
    assert response.context["form"].errors["portal_id"]
    assert SECRET not in html(response)


@pytest.mark.parametrize(
    "app,data,field",
    [
        ("hubspot", {"portal_id": "1", "access_token": ""}, "access_token"),
        ("hubspot", {"portal_id": "", "access_token": "x"}, "portal_id"),
        (
            "salesforce",
            {"instance_url": "not a url", "client_id": "a", "client_secret": "b"},
            "instance_url",
        ),
        ("segment", {"write_key": "x" * 501}, "write_key"),
    ],
)
def test_install_refuses_bad_input(client, demo, app, data, field):
    response = logged_in(client, demo).post(INTEGRATIONS + f"{app}/", data)
    assert response.status_code == 400  # refused: the form again
    assert response.context["form"].errors[field]
    assert not IntegrationInstallation.objects.exists()


def test_edit_keeps_the_secret_when_left_blank(client, demo):
    logged_in(client, demo).post(
        INTEGRATIONS + "hubspot/", {"portal_id": "1", "access_token": SECRET}
    )
    client.post(INTEGRATIONS + "hubspot/", {"portal_id": "2", "access_token": ""})
    installation = IntegrationInstallation.objects.get(app="hubspot")
    assert (installation.config["portal_id"], installation.secrets()["access_token"]) == (
        "2",
        SECRET,
    )


def test_edit_replaces_the_secret(client, demo):
    logged_in(client, demo).post(
        INTEGRATIONS + "hubspot/", {"portal_id": "1", "access_token": SECRET}
    )
    client.post(INTEGRATIONS + "hubspot/", {"portal_id": "1", "access_token": "rotated"})
    assert IntegrationInstallation.objects.get(app="hubspot").secrets() == {
        "access_token": "rotated"
    }


def test_disable_and_enable(client, demo, acme):
    installation = IntegrationInstallationFactory(org=acme, app="hubspot")
    logged_in(client, demo).post(INTEGRATIONS + "hubspot/enabled/", {"enabled": "off"})
    installation.refresh_from_db()
    assert not installation.enabled
    client.post(INTEGRATIONS + "hubspot/enabled/", {"enabled": "on"})
    installation.refresh_from_db()
    assert installation.enabled


@pytest.mark.parametrize("value", [None, "", "yes"])
def test_toggle_refuses_a_missing_or_unknown_value(client, demo, acme, value):
    installation = IntegrationInstallationFactory(org=acme, app="hubspot")
    data = {} if value is None else {"enabled": value}
    response = logged_in(client, demo).post(INTEGRATIONS + "hubspot/enabled/", data)
    assert response.status_code == 400
    installation.refresh_from_db()
    assert installation.enabled


def test_toggle_with_htmx_returns_the_app_card(client, demo, acme):
    IntegrationInstallationFactory(org=acme, app="hubspot")
    response = logged_in(client, demo).post(
        INTEGRATIONS + "hubspot/enabled/", {"enabled": "off"}, headers=HTMX
    )
    page = html(response)
    assert page.lstrip().startswith('<article class="card app-card" id="app-hubspot"')
    assert "HubSpot disabled." in page


def test_toggle_of_an_app_not_installed_is_not_found(client, demo, acme):
    IntegrationInstallationFactory(org=acme, workspace=WorkspaceFactory(org=acme), app="hubspot")
    response = logged_in(client, demo).post(INTEGRATIONS + "hubspot/enabled/", {"enabled": "off"})
    assert response.status_code == 404
    assert IntegrationInstallation.objects.get().enabled


def test_uninstall_asks_then_deletes(client, demo, acme):
    IntegrationInstallationFactory(org=acme, app="hubspot")
    page = html(logged_in(client, demo).get(INTEGRATIONS + "hubspot/uninstall/"))
    assert "Uninstall HubSpot from Acme?" in page
    assert IntegrationInstallation.objects.exists()
    assert client.post(INTEGRATIONS + "hubspot/uninstall/").status_code == 302
    assert not IntegrationInstallation.objects.exists()


def test_other_orgs_installations_are_untouched(client, demo, globex):
    IntegrationInstallationFactory(org=globex, app="hubspot")
    logged_in(client, demo)
    assert client.post(INTEGRATIONS + "hubspot/uninstall/").status_code == 404
    assert client.get(INTEGRATIONS + "hubspot/").context["installation"] is None


# --- SSO -----------------------------------------------------------------------------------


def test_sso_not_configured_explains_how_to_set_it(client, demo):
    page = html(logged_in(client, demo).get(SETTINGS + "sso/"))
    assert "Not configured" in page
    assert "python manage.py set_sso acme --protocol saml" in page
    assert "/admin/" in page


def test_sso_configured_is_shown_read_only(client, demo, acme):
    sso = SSOConfigurationFactory(org=acme, enforced=True)
    sso.domains.add(DomainFactory(org=acme, hostname="acme.example", verified=True))
    page = html(logged_in(client, demo).get(SETTINGS + "sso/"))
    assert "SAML 2.0" in page
    assert "https://idp.example.com/entity" in page
    assert "https://idp.example.com/metadata.xml" in page
    assert "<code>acme.example</code>" in page
    assert "members must sign in through the identity provider" in page
    # Nothing to edit: the one form is the "Test sign-in" button (a POST to the IdP's login).
    content = page.split('id="content"')[1].split("</main>")[0]
    assert content.count("<form") == 1
    assert 'action="/accounts/saml/acme/login/"' in content
    assert "Test sign-in" in content


def test_sso_of_another_org_is_not_shown(client, demo, globex):
    SSOConfigurationFactory(org=globex)
    assert "Not configured" in html(logged_in(client, demo).get(SETTINGS + "sso/"))


# --- domains -------------------------------------------------------------------------------


def test_add_a_domain_shows_its_txt_record(client, demo, acme):
    response = logged_in(client, demo).post(DOMAINS, {"hostname": " Go.Acme.Example. "})
    domain = Domain.objects.get(org=acme)
    assert response["Location"] == f"{DOMAINS}#domain-{domain.pk}"
    assert (domain.hostname, domain.status, domain.workspace) == (
        "go.acme.example",
        "pending",
        None,
    )
    page = html(client.get(DOMAINS))
    assert "_flowadmin.go.acme.example" in page
    assert domain.verification_token in page


@pytest.mark.parametrize(
    "hostname,message",
    [
        ("", "This field is required."),
        ("https://go.example.com", "without http://"),
        ("nodot", "at least one dot"),
        ("10.0.0.1", "not an IP address"),
        ("taken.example.com", "verified for use elsewhere"),
        ("TAKEN.example.com", "verified for use elsewhere"),
    ],
)
def test_add_refuses_bad_hostnames(client, demo, globex, hostname, message):
    DomainFactory(org=globex, hostname="taken.example.com", verified=True)
    response = logged_in(client, demo).post(DOMAINS, {"hostname": hostname})
    assert response.status_code == 400  # refused: the form again
    assert message in " ".join(response.context["form"].errors["hostname"])
    assert Domain.objects.count() == 1


def test_verify_with_the_txt_record(client, demo, acme, monkeypatch):
    domain = DomainFactory(org=acme)
    monkeypatch.setattr(domains, "lookup_txt", lambda name: ["other", domain.verification_token])
    response = logged_in(client, demo).post(f"{DOMAINS}{domain.pk}/verify/")
    assert response.status_code == 302
    domain.refresh_from_db()
    assert domain.is_verified and domain.verified_at


def test_verify_without_the_record_says_so(client, demo, acme, monkeypatch):
    domain = DomainFactory(org=acme)
    monkeypatch.setattr(domains, "lookup_txt", lambda name: [])
    response = logged_in(client, demo).post(f"{DOMAINS}{domain.pk}/verify/", follow=True)
    assert "No TXT record" in html(response)
    domain.refresh_from_db()
    assert not domain.is_verified


def test_verify_with_htmx_rerenders_the_domain(client, demo, acme, monkeypatch):
    domain = DomainFactory(org=acme)
    monkeypatch.setattr(domains, "lookup_txt", lambda name: [])
    logged_in(client, demo)
    failed = html(client.post(f"{DOMAINS}{domain.pk}/verify/", headers=HTMX))
    assert failed.lstrip().startswith(f'<article class="card domain" id="domain-{domain.pk}"')
    assert 'role="alert">No TXT record' in failed
    monkeypatch.setattr(domains, "lookup_txt", lambda name: [domain.verification_token])
    verified = html(client.post(f"{DOMAINS}{domain.pk}/verify/", headers=HTMX))
    assert "Verified just now." in verified


def test_remove_asks_and_names_what_depends_on_it(client, demo, acme):
    domain = DomainFactory(org=acme, verified=True)
    WorkspaceFactory(org=acme, name="Promo", whitelabel_domain=domain)
    SSOConfigurationFactory(org=acme).domains.add(domain)
    page = html(logged_in(client, demo).get(f"{DOMAINS}{domain.pk}/remove/"))
    assert "Promo uses it as its whitelabel domain" in page
    assert "Single sign-on covers it" in page
    assert Domain.objects.filter(pk=domain.pk).exists()


def test_remove(client, demo, acme):
    domain = DomainFactory(org=acme, verified=True)
    promo = WorkspaceFactory(org=acme, whitelabel_domain=domain)
    assert logged_in(client, demo).post(f"{DOMAINS}{domain.pk}/remove/").status_code == 302
    assert not Domain.objects.filter(pk=domain.pk).exists()
    promo.refresh_from_db()
    assert promo.whitelabel_domain is None


def test_domains_list_names_the_workspace_that_added_one(client, demo, acme):
    DomainFactory(org=acme, workspace=WorkspaceFactory(org=acme, name="Promo"))
    assert "Added by the workspace Promo." in html(logged_in(client, demo).get(DOMAINS))


def test_domains_empty_state(client, demo):
    assert "has no custom domains yet" in html(logged_in(client, demo).get(DOMAINS))


# --- query counts --------------------------------------------------------------------------


def grow(org, n):
    for i in range(n):
        ws = WorkspaceFactory(org=org)
        DomainFactory(org=org, workspace=ws if i % 2 else None, verified=bool(i % 3))
        IntegrationInstallationFactory(org=org, workspace=ws, app="segment")
    for app in ["hubspot", "segment", "klaviyo"]:
        IntegrationInstallationFactory(org=org, app=app, enabled=app != "klaviyo")
    sso = SSOConfigurationFactory(org=org)
    sso.domains.set(Domain.objects.filter(org=org, status="verified"))
    ActivityStream.objects.create(org=org, destination="sink", failures=2, last_error="down")


@pytest.mark.parametrize(
    "path,budget",
    [
        ("settings/", 6),
        ("settings/integrations/", 8),  # + the activity stream with its backlog
        ("settings/integrations/hubspot/", 7),
        # +1: the SSO sign-in state (members who signed in through it, the last one).
        ("settings/sso/", 9),
        ("settings/domains/", 8),
    ],
)
def test_query_counts_do_not_grow(client, demo, acme, path, budget, django_assert_max_num_queries):
    logged_in(client, demo)
    DomainFactory(org=acme)
    with django_assert_max_num_queries(budget):
        assert client.get("/orgs/acme/" + path).status_code == 200
    grow(acme, 8)
    with django_assert_max_num_queries(budget):
        assert client.get("/orgs/acme/" + path).status_code == 200


def test_domain_remove_page_query_count_does_not_grow(
    client, demo, acme, django_assert_max_num_queries
):
    domain = DomainFactory(org=acme, verified=True)
    logged_in(client, demo)
    budget = 9 + 4  # + the impact preview: the org's workspaces and sign-in
    with django_assert_max_num_queries(budget):
        client.get(f"{DOMAINS}{domain.pk}/remove/")
    for _ in range(4):
        WorkspaceFactory(org=acme, whitelabel_domain=domain)
    SSOConfigurationFactory(org=acme).domains.add(domain)
    with django_assert_max_num_queries(budget):
        client.get(f"{DOMAINS}{domain.pk}/remove/")


def test_org_is_not_changed_by_an_empty_post(client, demo, acme):
    logged_in(client, demo).post(SETTINGS, {"description": ""})
    assert Organization.objects.get(pk=acme.pk).description == ""
