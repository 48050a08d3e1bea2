"""The Integrity page under Activity and the activity stream settings on Settings →
Integrations: Org Admins only, as the policy's org.view_activity / manage_settings
decide (the role × URL matrix in tests/test_permission_matrix.py covers the refusals)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import ActivityStream

pytestmark = pytest.mark.django_db


def page(client, org):
    response = client.get(f"/orgs/{org.slug}/activity/integrity/")
    assert response.status_code == 200
    return response.content.decode()


def test_before_any_checkpoint_or_verification(admin_client, org):
    html = page(admin_client, org)
    assert "Never run" in html
    assert "No checkpoint yet (2 entries)" in html


def test_after_a_checkpoint_and_a_verification(admin_client, org, make_entries):
    call_command("checkpoint_activity", stdout=StringIO())
    make_entries(org, 3)
    call_command("verify_activity", stdout=StringIO())
    html = page(admin_client, org)
    assert '<span class="badge ok">Intact</span>' in html
    assert "entry #2," in html
    assert "<dd>3 (the log is at #5)</dd>" in html
    assert "<dt>Entries checked</dt><dd>5</dd>" in html


def test_a_failed_verification_shows_what_was_found(admin_client, org, make_entries, tampering):
    make_entries(org, 3)
    call_command("checkpoint_activity", stdout=StringIO())
    with tampering() as cursor:
        cursor.execute("UPDATE audit_activityentry SET entity_label = 'x' WHERE seq = 3")
    with pytest.raises(CommandError):
        call_command("verify_activity", stdout=StringIO(), stderr=StringIO())
    html = page(admin_client, org)
    assert "Tampering found" in html
    assert "entry #3" in html and "does not match its hash" in html


def test_the_activity_page_links_its_integrity_tab(admin_client, org):
    html = admin_client.get(f"/orgs/{org.slug}/activity/").content.decode()
    assert f'href="/orgs/{org.slug}/activity/integrity/"' in html


# --- the stream's settings ------------------------------------------------------------------


def test_an_admin_sets_up_a_webhook_stream(admin_client, org, org_admin, log):
    response = admin_client.post(
        f"/orgs/{org.slug}/settings/integrations/activity-stream/",
        {
            "destination": "webhook",
            "url": "https://siem.example.com/flowadmin",
            "secret": "s3cret-s3cret-s3cret",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    stream = ActivityStream.objects.get(org=org)
    assert (stream.url, stream.secret(), stream.enabled) == (
        "https://siem.example.com/flowadmin",
        "s3cret-s3cret-s3cret",
        True,
    )
    [entry] = log(org, entity_type="activity_stream")
    assert entry.actor_id == org_admin.pk


def test_a_webhook_without_https_is_refused_in_the_form(admin_client, org):
    response = admin_client.post(
        f"/orgs/{org.slug}/settings/integrations/activity-stream/",
        {"destination": "webhook", "url": "http://siem.example.com/", "secret": "x" * 20},
    )
    assert "must use https://" in response.content.decode()
    assert not ActivityStream.objects.exists()


def test_failures_show_on_the_integrations_page(admin_client, org):
    admin_client.post(
        f"/orgs/{org.slug}/settings/integrations/activity-stream/",
        {"destination": "sink", "enabled": "on"},
    )
    ActivityStream.objects.update(
        failures=3, last_error="the webhook answered HTTP 503", last_error_at=timezone.now()
    )
    html = admin_client.get(f"/orgs/{org.slug}/settings/integrations/").content.decode()
    assert "Failing" in html
    assert "Delivery failed 3 times in a row" in html
    assert "the webhook answered HTTP 503" in html


def test_an_admin_removes_the_stream(admin_client, org):
    admin_client.post(
        f"/orgs/{org.slug}/settings/integrations/activity-stream/", {"destination": "sink"}
    )
    url = f"/orgs/{org.slug}/settings/integrations/activity-stream/remove/"
    asked = admin_client.get(url).content.decode()
    assert "Remove the activity stream of" in asked and 'class="btn danger"' in asked
    assert ActivityStream.objects.exists()  # asking removes nothing
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not ActivityStream.objects.exists()
