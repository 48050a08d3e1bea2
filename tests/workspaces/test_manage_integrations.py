"""Manage → Integrations: workspace-only installations, masked secrets, org-wide read-only."""

import pytest

from orgs import services as org_services
from orgs.models import IntegrationInstallation
from tests.factories import IntegrationInstallationFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
INTEGRATIONS = "/orgs/acme/w/marketing/manage/integrations/"
SECRET = "pat-na1-0123456789-SECRET-wxyz"


@pytest.fixture
def hubspot(demo, acme, marketing):
    return org_services.integration_install(
        actor=None,
        org=acme,
        workspace=marketing,
        app_key="hubspot",
        values={"portal_id": "4242", "access_token": SECRET},
    )


def test_catalog_is_listed_by_category(as_user, demo):
    text = as_user("wsadmin@acme.test").get(INTEGRATIONS).content.decode()
    for name in ["CRM", "CDP", "Marketing", "Salesforce", "HubSpot", "Segment", "Klaviyo"]:
        assert name in text
    assert INTEGRATIONS + "install/hubspot/" in text


def test_install_for_this_workspace_only(as_user, demo, acme, marketing):
    response = as_user("wsadmin@acme.test").post(
        INTEGRATIONS + "install/hubspot/", {"portal_id": "4242", "access_token": SECRET}
    )
    assert response.status_code == 302
    installation = IntegrationInstallation.objects.get(app="hubspot")
    assert (installation.org, installation.workspace) == (acme, marketing)
    assert installation.config == {"portal_id": "4242"}
    assert installation.secrets() == {"access_token": SECRET}
    assert SECRET not in installation.secrets_encrypted


def test_install_form_shows_the_apps_fields(as_user, demo):
    text = as_user("wsadmin@acme.test").get(INTEGRATIONS + "install/salesforce/").content.decode()
    assert "Instance URL" in text
    assert 'type="password"' in text


def test_install_with_missing_settings_shows_errors_and_never_echoes_secrets(as_user, demo):
    response = as_user("wsadmin@acme.test").post(
        INTEGRATIONS + "install/hubspot/", {"portal_id": "", "access_token": SECRET}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "This field is required" in text
    assert SECRET not in text
    assert not IntegrationInstallation.objects.exists()


def test_install_an_unknown_app_is_a_404(as_user, demo):
    assert as_user("wsadmin@acme.test").get(INTEGRATIONS + "install/nope/").status_code == 404


def test_install_twice_is_refused(as_user, demo, hubspot):
    response = as_user("wsadmin@acme.test").post(
        INTEGRATIONS + "install/hubspot/", {"portal_id": "1", "access_token": "other"}
    )
    assert response.status_code == 400
    assert "HubSpot is already installed in Marketing" in response.content.decode()
    assert IntegrationInstallation.objects.count() == 1


def test_installed_app_shows_its_controls(as_user, demo, hubspot):
    text = as_user("wsadmin@acme.test").get(INTEGRATIONS).content.decode()
    card = text.split('id="app-hubspot"')[1].split("</article>")[0]
    assert "Enabled" in card
    assert f"{INTEGRATIONS}{hubspot.pk}/" in card
    assert "Uninstall" in card


def test_secrets_are_masked_on_every_page(as_user, demo, hubspot):
    client = as_user("wsadmin@acme.test")
    listing = client.get(INTEGRATIONS).content.decode()
    settings = client.get(INTEGRATIONS + f"{hubspot.pk}/").content.decode()
    assert SECRET not in listing
    assert SECRET not in settings
    assert "••••••••wxyz" in settings
    assert 'value="4242"' in settings


def test_configure_keeps_a_secret_left_blank(as_user, demo, hubspot):
    response = as_user("wsadmin@acme.test").post(
        INTEGRATIONS + f"{hubspot.pk}/", {"portal_id": "5555", "access_token": ""}
    )
    assert response.status_code == 302
    hubspot.refresh_from_db()
    assert hubspot.config == {"portal_id": "5555"}
    assert hubspot.secrets() == {"access_token": SECRET}


def test_configure_replaces_a_secret(as_user, demo, hubspot):
    as_user("wsadmin@acme.test").post(
        INTEGRATIONS + f"{hubspot.pk}/", {"portal_id": "4242", "access_token": "new-token"}
    )
    hubspot.refresh_from_db()
    assert hubspot.secrets() == {"access_token": "new-token"}


def test_configure_with_errors_changes_nothing(as_user, demo, hubspot):
    response = as_user("wsadmin@acme.test").post(
        INTEGRATIONS + f"{hubspot.pk}/", {"portal_id": "", "access_token": "new-token"}
    )
    assert response.status_code == 400
    assert "new-token" not in response.content.decode()
    hubspot.refresh_from_db()
    assert hubspot.config == {"portal_id": "4242"}
    assert hubspot.secrets() == {"access_token": SECRET}


def test_disable_in_place_with_htmx(as_user, demo, hubspot):
    response = as_user("wsadmin@acme.test").post(
        INTEGRATIONS + f"{hubspot.pk}/enabled/", {"enabled": "0"}, headers=HTMX
    )
    text = response.content.decode()
    assert text.strip().startswith('<article class="card app-card" id="app-hubspot"')
    assert "Disabled" in text
    assert ">Enable<" in text
    hubspot.refresh_from_db()
    assert not hubspot.enabled


def test_enable_without_htmx_redirects(as_user, demo, hubspot):
    hubspot.enabled = False
    hubspot.save()
    response = as_user("wsadmin@acme.test").post(
        INTEGRATIONS + f"{hubspot.pk}/enabled/", {"enabled": "1"}
    )
    assert response.status_code == 302
    hubspot.refresh_from_db()
    assert hubspot.enabled


def test_uninstall_asks_for_confirmation_then_deletes(as_user, demo, hubspot):
    client = as_user("wsadmin@acme.test")
    confirm = client.get(INTEGRATIONS + f"{hubspot.pk}/uninstall/").content.decode()
    assert "Uninstall HubSpot from Marketing?" in confirm
    assert IntegrationInstallation.objects.filter(pk=hubspot.pk).exists()
    assert client.post(INTEGRATIONS + f"{hubspot.pk}/uninstall/").status_code == 302
    assert not IntegrationInstallation.objects.filter(pk=hubspot.pk).exists()


def test_org_wide_installation_is_shown_read_only(as_user, demo, acme):
    org_wide = IntegrationInstallationFactory(org=acme, app="segment")
    text = as_user("wsadmin@acme.test").get(INTEGRATIONS).content.decode()
    card = text.split('id="app-segment"')[1].split("</article>")[0]
    assert "Org-wide" in card
    assert f"{INTEGRATIONS}{org_wide.pk}/" not in card
    assert INTEGRATIONS + "install/segment/" in card  # a workspace installation is still possible


@pytest.mark.parametrize("scope", ["org-wide", "other-workspace", "other-org"])
def test_installations_outside_this_workspace_are_404(
    as_user, demo, acme, globex, workspaces, scope
):
    installation = {
        "org-wide": lambda: IntegrationInstallationFactory(org=acme, app="segment"),
        "other-workspace": lambda: IntegrationInstallationFactory(
            org=acme, workspace=workspaces["sales"], app="segment"
        ),
        "other-org": lambda: IntegrationInstallationFactory(org=globex, app="segment"),
    }[scope]()
    client = as_user("admin@acme.test")
    base = INTEGRATIONS + f"{installation.pk}/"
    assert client.get(base).status_code == 404
    assert client.post(base, {"write_key": "x"}).status_code == 404
    assert client.post(base + "enabled/", {"enabled": "0"}).status_code == 404
    assert client.post(base + "uninstall/").status_code == 404
    installation.refresh_from_db()
    assert installation.enabled


def test_an_app_gone_from_the_catalog_can_still_be_disabled_and_uninstalled(
    as_user, demo, acme, marketing
):
    stale = IntegrationInstallationFactory(org=acme, workspace=marketing, app="gone")
    client = as_user("wsadmin@acme.test")
    assert client.get(INTEGRATIONS).status_code == 200
    assert client.get(INTEGRATIONS + f"{stale.pk}/").status_code == 404
    response = client.post(INTEGRATIONS + f"{stale.pk}/enabled/", {"enabled": "0"}, headers=HTMX)
    assert response["HX-Redirect"] == INTEGRATIONS
    assert client.post(INTEGRATIONS + f"{stale.pk}/uninstall/").status_code == 302
    assert not IntegrationInstallation.objects.filter(pk=stale.pk).exists()


def test_enabled_toggle_refuses_a_garbled_value(client, demo, marketing):
    from orgs import services as org_services

    installation = org_services.integration_install(
        actor=None,
        org=marketing.org,
        workspace=marketing,
        app_key="segment",
        values={"write_key": "k"},
    )
    client.force_login(demo["wsadmin@acme.test"])
    url = f"/orgs/acme/w/marketing/manage/integrations/{installation.pk}/enabled/"
    assert client.post(url, {"enabled": "maybe"}).status_code == 400
    installation.refresh_from_db()
    assert installation.enabled
