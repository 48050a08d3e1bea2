import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone
from PIL import Image

from workspaces import seed
from workspaces.models import (
    Asset,
    AudienceContact,
    BrandKit,
    Flow,
    FlowTemplate,
    Scan,
    Workspace,
)

pytestmark = pytest.mark.django_db

MODELS = [Flow, FlowTemplate, BrandKit, Asset, AudienceContact, Scan]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_every_workspace_gets_content(demo):
    for workspace in Workspace.objects.all():
        assert workspace.flows.count() == len(seed.FLOWS)
        assert workspace.flow_templates.count() == len(seed.TEMPLATES)
        assert workspace.brand_kits.count() == 1
        assert workspace.assets.count() == len(seed.ASSETS)
        assert workspace.audience.count() == seed.CONTACTS_PER_WORKSPACE
        assert workspace.scans.count() == seed.SCANS_PER_WORKSPACE


def test_second_run_adds_nothing(demo):
    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    assert "Workspace content: nothing to add." in out.getvalue()


def test_scans_spread_over_the_last_60_days(demo):
    # The demo is seeded once per test process, possibly minutes before this test runs, so the
    # 60-day window is checked from the newest scan (at most the seeding time), not this clock.
    now = timezone.now()
    oldest = Scan.objects.order_by("scanned_at").first().scanned_at
    newest = Scan.objects.order_by("-scanned_at").first().scanned_at
    assert newest <= now
    assert newest - datetime.timedelta(days=60) <= oldest < now - datetime.timedelta(days=55)
    days = Scan.objects.dates("scanned_at", "day")
    assert len(days) >= 59


def test_scans_belong_to_the_flows_workspace(demo):
    assert not Scan.objects.exclude(workspace_id=F("flow__workspace_id")).exists()


def test_flows_have_distinct_short_codes_and_http_destinations(demo):
    codes = list(Flow.objects.values_list("short_code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(
        url.startswith("https://") for url in Flow.objects.values_list("destination_url", flat=True)
    )


def test_flows_predate_their_scans(demo):
    first_scan = Scan.objects.order_by("scanned_at").first().scanned_at
    assert Flow.objects.order_by("-created_at").first().created_at < first_scan


def test_assets_are_real_files(demo):
    png = Asset.objects.filter(content_type="image/png").first()
    pdf = Asset.objects.filter(content_type="application/pdf").first()
    with png.file.open("rb") as f:
        assert Image.open(io.BytesIO(f.read())).format == "PNG"
    with pdf.file.open("rb") as f:
        data = f.read()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert pdf.size == len(data)


def test_demo_pdf_xref_offsets_point_at_objects():
    data = seed.demo_pdf("Hello (world)")
    xref = int(data.rsplit(b"startxref\n", 1)[1].split()[0])
    assert data[xref:].startswith(b"xref")
    entries = data[xref:].split(b"\n")[3:8]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry.split()[0])
        assert data[offset:].startswith(b"%d 0 obj" % number)


def test_brand_kit_has_a_logo(demo):
    kit = BrandKit.objects.first()
    with kit.logo.open("rb") as f:
        assert Image.open(io.BytesIO(f.read())).size == (96, 96)


def test_scale_multiplies_flows_contacts_and_scans(demo):
    report = seed.seed_workspace_content(actor=None, scale=3)
    workspaces = Workspace.objects.count()
    assert report.added == {
        "flows": workspaces * len(seed.FLOWS) * 2,
        "audience contacts": workspaces * seed.CONTACTS_PER_WORKSPACE * 2,
        "scans": workspaces * seed.SCANS_PER_WORKSPACE * 2,
    }
    marketing = Workspace.objects.get(slug="marketing")
    assert marketing.scans.count() == seed.SCANS_PER_WORKSPACE * 3


def test_bulk_inserted_flows_are_in_the_activity_log(demo):
    from audit.integrity import chain_org_ids, verify_chain
    from audit.models import ActivityEntry

    before = ActivityEntry.objects.filter(entity_type="flow", action="created").count()
    seed.seed_workspace_content(actor=None, scale=2)
    after = ActivityEntry.objects.filter(entity_type="flow", action="created").count()
    assert after - before == Workspace.objects.count() * len(seed.FLOWS)
    assert all(verify_chain(org_id).ok for org_id in chain_org_ids())


def test_scaled_run_is_idempotent_too(demo):
    seed.seed_workspace_content(actor=None, scale=2)
    before = counts()
    assert str(seed.seed_workspace_content(actor=None, scale=2)) == "nothing to add"
    assert counts() == before


def test_bulk_inserts_go_in_batches(demo, monkeypatch):
    monkeypatch.setattr(seed, "BATCH_SIZE", 100)
    seed.seed_workspace_content(actor=None, scale=2)
    marketing = Workspace.objects.get(slug="marketing")
    assert marketing.scans.count() == seed.SCANS_PER_WORKSPACE * 2
    assert marketing.flows.count() == len(seed.FLOWS) * 2


@pytest.mark.parametrize("scale", ["0", "-3"])
def test_scale_must_be_positive(db, scale):
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", "--scale", scale, stdout=StringIO())
    assert not Flow.objects.exists()


def test_scale_must_be_a_number(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "many", stdout=StringIO())


def test_content_can_be_limited_to_some_workspaces(demo):
    marketing = Workspace.objects.filter(slug="marketing")
    report = seed.seed_workspace_content(actor=None, scale=2, workspaces=marketing)
    assert report.added["scans"] == seed.SCANS_PER_WORKSPACE
    assert Workspace.objects.get(slug="sales").scans.count() == seed.SCANS_PER_WORKSPACE
