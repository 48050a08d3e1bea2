"""The Integrity tab under Activity and the activity stream on Settings → Integrations, in
Chromium at 390 and 1280 px: an Org Admin sets up a stream, sees its failure and the log's
integrity; axe-core (axe-playwright-python) finds no violation; screenshots for a person to
look at."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import ActivityStream
from tests.e2e.axe import no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_stream_settings_and_integrity(demo, page, login, screenshot, width):
    page.set_viewport_size({"width": width, "height": 860})
    login("admin@acme.test")
    page.goto("/orgs/acme/settings/integrations/")
    page.get_by_role("link", name="Set up the activity log stream").click()
    page.get_by_label("HTTPS webhook").check()
    page.get_by_label("Webhook URL").fill("https://siem.example.com/flowadmin")
    page.get_by_label("Signing secret").fill("a-long-enough-signing-secret")
    no_axe_violations(page)
    screenshot(f"activity-stream-settings-{width}")
    page.get_by_role("button", name="Start streaming").click()
    expect(page.get_by_text("Activity stream saved.")).to_be_visible()

    ActivityStream.objects.update(
        failures=2,
        last_error="the webhook answered HTTP 503",
        last_error_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    page.reload()
    expect(page.get_by_text("Delivery failed 2 times in a row")).to_be_visible()
    no_axe_violations(page)
    screenshot(f"activity-stream-failing-{width}")

    call_command("checkpoint_activity", stdout=StringIO())
    call_command("verify_activity", stdout=StringIO())
    page.goto("/orgs/acme/activity/")
    page.get_by_role("link", name="Integrity").click()
    expect(page.get_by_role("heading", name="Last verification Intact")).to_be_visible()
    expect(page.get_by_text("The chain is intact and reaches the checkpoint.")).to_be_visible()
    no_axe_violations(page)
    screenshot(f"activity-integrity-{width}")
