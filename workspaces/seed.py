"""Demo content for every workspace (SPEC §7), called by `seed_demo`.

Each workspace gets flows with short codes, flow templates, a brand kit, a few assets (small
generated PNG and PDF files), audience contacts and about 60 days of scans, so the dashboard and
analytics show real numbers. Idempotent: rows are identified by name (flows, templates, brand
kits, assets), email (contacts), or counted (scans), and only what is missing is added, so a second
run adds nothing.

`scale` multiplies the flows, contacts and scans for load tests. Those rows go in with
`bulk_create` in batches, generated per day without holding them all in memory:
`seed_demo --scale 420` writes a million scans (4 workspaces × 600 × 420).

The base flows, templates, brand kits and assets are saved one by one (flows through
`services.flow_create`), so the activity log's signal receivers record them. Rows written with
`bulk_create` (scaled flows, contacts, scans) send no signals: `_bulk_insert` is the one place
they pass through, and it records the tracked ones (flows) with the activity log's bulk helper.
Scans and audience contacts are not tracked per row.
"""

from __future__ import annotations

import datetime
import io
import itertools
import random
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from audit.recording import record_instances
from audit.tracking import tracker_for

from . import services
from .models import (
    Asset,
    AudienceContact,
    BrandKit,
    DeviceClass,
    Flow,
    FlowStatus,
    FlowTemplate,
    Scan,
    Workspace,
)

SCAN_DAYS = 60
SCANS_PER_WORKSPACE = 600  # × scale: about 10 a day
CONTACTS_PER_WORKSPACE = 40  # × scale
BATCH_SIZE = 2_000

# name, destination path, status; × scale (the extra ones are "Campaign 00007" …)
FLOWS = [
    ("Spring menu", "menu/spring", FlowStatus.ACTIVE),
    ("Store window poster", "stores/poster", FlowStatus.ACTIVE),
    ("Product packaging", "products/packaging", FlowStatus.ACTIVE),
    ("Trade show booth", "events/booth", FlowStatus.ACTIVE),
    ("Customer survey", "survey", FlowStatus.ACTIVE),
    ("Winter sale (ended)", "sales/winter", FlowStatus.PAUSED),
]

TEMPLATES = [
    ("Event check-in", "events/check-in", "Send attendees to the check-in page of an event."),
    ("Product page", "products/", "Link packaging to the product's page."),
    ("Feedback survey", "survey", "Collect feedback after a visit or a purchase."),
]

ASSETS = ["Logo (PNG)", "Product sheet (PDF)"]

COUNTRIES = [
    ("US", 38),
    ("GB", 12),
    ("DE", 10),
    ("FR", 8),
    ("CA", 7),
    ("NL", 5),
    ("ES", 4),
    ("AU", 4),
    ("IN", 3),
    ("BR", 3),
    ("JP", 2),
    ("", 4),  # no country header
]
DEVICES = [
    (DeviceClass.MOBILE, 72),
    (DeviceClass.DESKTOP, 15),
    (DeviceClass.TABLET, 9),
    (DeviceClass.OTHER, 4),
]
WEEKDAY_WEIGHT = [1.0, 1.0, 1.05, 1.1, 1.25, 1.5, 1.35]  # Monday … Sunday
FIRST_NAMES = ["Alex", "Sam", "Robin", "Kim", "Jo", "Lee", "Noa", "Max", "Ari", "Eli", "Mia", "Tom"]
LAST_NAMES = ["Smith", "Garcia", "Müller", "Dubois", "Rossi", "Tanaka", "Silva", "Novak", "Berg"]
TAGS = ["newsletter", "vip", "event", "survey", "retail", "b2b"]


@dataclass
class ContentSeedReport:
    """What a run added, per kind of row."""

    added: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int) -> None:
        self.added[kind] = self.added.get(kind, 0) + count

    def __str__(self) -> str:
        parts = [f"{count} {kind}" for kind, count in self.added.items() if count]
        return "added " + ", ".join(parts) if parts else "nothing to add"


def seed_workspace_content(
    *, actor, scale: int = 1, now=None, workspaces=None
) -> ContentSeedReport:
    """Give every workspace its demo content (see the module docstring); `workspaces` (a
    queryset of Workspace) limits it to those, e.g. one org's (the benchmark's)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    now = now or timezone.now()
    report = ContentSeedReport()
    workspaces = Workspace.objects.all() if workspaces is None else workspaces
    for workspace in workspaces.select_related("org").order_by("org__slug", "slug"):
        rng = random.Random(f"{workspace.org.slug}/{workspace.slug}")
        flow_ids = _flows(workspace, actor, scale, now, report)
        _templates(workspace, report)
        _brand_kit(workspace, report)
        _assets(workspace, actor, report)
        _contacts(workspace, flow_ids, scale, rng, now, report)
        _scans(workspace, flow_ids, scale, rng, now, report)
    return report


def _bulk_insert(model, rows, report: ContentSeedReport, kind: str) -> None:
    """Insert `rows` (an iterable) in batches. bulk_create sends no signals, so rows of tracked
    models are recorded in the activity log explicitly, in bulk."""
    rows = iter(rows)
    while batch := list(itertools.islice(rows, BATCH_SIZE)):
        created = model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        if tracker_for(created[0]) is not None:
            record_instances(created)
        report.add(kind, len(batch))


def _destination(workspace, path: str) -> str:
    return f"https://{workspace.org.slug}.example.com/{workspace.slug}/{path}"


# --- flows, templates, brand kit, assets ---------------------------------------------------


def _flows(workspace, actor, scale: int, now, report: ContentSeedReport) -> list[int]:
    """The workspace's flow ids, most prominent first, after adding the missing ones."""
    existing = set(Flow.objects.filter(workspace=workspace).values_list("name", flat=True))
    for index, (name, path, status) in enumerate(FLOWS):
        if name not in existing:
            flow = services.flow_create(
                actor=actor,
                workspace=workspace,
                name=name,
                destination_url=_destination(workspace, path),
                status=status,
            )
            # Backdated so the flow predates its scans (a plain UPDATE: not an edit to log).
            created_at = now - datetime.timedelta(days=SCAN_DAYS + len(FLOWS) - index)
            Flow.objects.filter(pk=flow.pk).update(created_at=created_at)
            report.add("flows", 1)
    extra_names = [f"Campaign {n:05d}" for n in range(1, len(FLOWS) * (scale - 1) + 1)]
    missing = [name for name in extra_names if name not in existing]
    created_at = now - datetime.timedelta(days=SCAN_DAYS)
    _bulk_insert(Flow, _new_flows(workspace, missing, created_at), report, "flows")
    return list(
        Flow.objects.filter(workspace=workspace, status=FlowStatus.ACTIVE)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )


def _new_flows(workspace, names, created_at):
    """Unsaved flows with fresh short codes, free in the database and among themselves."""
    names = iter(names)
    used: set[str] = set()
    while chunk := list(itertools.islice(names, BATCH_SIZE)):
        codes: set[str] = set()
        while len(codes) < len(chunk):
            wanted = {services.new_short_code() for _ in range(len(chunk) - len(codes))} - used
            taken = Flow.objects.filter(short_code__in=wanted).values_list("short_code", flat=True)
            codes |= wanted - set(taken)
        used |= codes
        for name, code in zip(chunk, codes, strict=True):
            yield Flow(
                workspace=workspace,
                name=name,
                destination_url=_destination(workspace, f"campaigns/{code}"),
                short_code=code,
                created_at=created_at,
            )


def _templates(workspace, report: ContentSeedReport) -> None:
    existing = set(workspace.flow_templates.values_list("name", flat=True))
    for name, path, description in TEMPLATES:
        if name not in existing:
            FlowTemplate.objects.create(
                workspace=workspace,
                name=name,
                default_destination=_destination(workspace, path),
                description=description,
            )
            report.add("flow templates", 1)


def _brand_kit(workspace, report: ContentSeedReport) -> None:
    name = f"{workspace.org.name} {workspace.name}"
    if workspace.brand_kits.filter(name=name).exists():
        return
    kit = BrandKit(
        workspace=workspace,
        name=name,
        primary_color="#2747d6",
        secondary_color="#111a3a",
        accent_color="#f59e0b",
        font="Inter",
    )
    kit.logo.save(f"{workspace.slug}-logo.png", ContentFile(demo_png(name)), save=False)
    kit.save()
    report.add("brand kits", 1)


def _assets(workspace, actor, report: ContentSeedReport) -> None:
    existing = set(workspace.assets.values_list("name", flat=True))
    uploaded_by = actor if getattr(actor, "is_authenticated", False) else None
    files = {
        "Logo (PNG)": ("logo.png", "image/png", lambda: demo_png(workspace.name)),
        "Product sheet (PDF)": (
            "product-sheet.pdf",
            "application/pdf",
            lambda: demo_pdf(f"{workspace.name} product sheet"),
        ),
    }
    for name in ASSETS:
        if name in existing:
            continue
        filename, content_type, make = files[name]
        data = make()
        asset = Asset(
            workspace=workspace,
            name=name,
            content_type=content_type,
            size=len(data),
            uploaded_by=uploaded_by,
        )
        asset.file.save(filename, ContentFile(data), save=False)
        asset.save()
        report.add("assets", 1)


def demo_png(text: str, size: int = 96) -> bytes:
    """A small square PNG: a colored tile with the text's initials."""
    image = Image.new("RGB", (size, size), "#2747d6")
    draw = ImageDraw.Draw(image)
    initials = "".join(word[0] for word in text.split()[:2]).upper() or "F"
    draw.text((size * 0.3, size * 0.35), initials, fill="#ffffff", font_size=size // 3)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def demo_pdf(title: str) -> bytes:
    """A valid one-page PDF showing `title` (built by hand: no PDF library needed)."""
    text = title.encode("latin-1", "replace").replace(b"\\", b"\\\\")
    text = text.replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


# --- audience and scans (bulk) -------------------------------------------------------------


def _contacts(workspace, flow_ids, scale, rng, now, report: ContentSeedReport) -> None:
    wanted = CONTACTS_PER_WORKSPACE * scale
    existing = set(
        AudienceContact.objects.filter(workspace=workspace).values_list("email", flat=True)
    )
    if len(existing) >= wanted:
        return

    def rows():
        for n in range(1, wanted + 1):
            first = FIRST_NAMES[n % len(FIRST_NAMES)]
            last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
            email = f"{first}.{last}.{n}@{workspace.slug}.example.net".lower()
            if email in existing:
                continue
            yield AudienceContact(
                workspace=workspace,
                email=email,
                name=f"{first} {last}",
                source_flow_id=rng.choice(flow_ids) if flow_ids else None,
                collected_at=now - datetime.timedelta(seconds=rng.uniform(0, SCAN_DAYS * 86400)),
                consent=rng.random() < 0.8,
                tags=rng.sample(TAGS, rng.randint(0, 2)),
            )

    _bulk_insert(AudienceContact, rows(), report, "audience contacts")


def _scans(workspace, flow_ids, scale, rng, now, report: ContentSeedReport) -> None:
    """Scans over the last SCAN_DAYS days: busier at weekends and growing over time; a few
    flows get most of them."""
    if not flow_ids:
        return
    missing = SCANS_PER_WORKSPACE * scale - Scan.objects.filter(workspace=workspace).count()
    if missing <= 0:
        return
    flow_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(flow_ids))))
    countries, country_weights = _cumulative(COUNTRIES)
    devices, device_weights = _cumulative(DEVICES)
    per_day = _spread(missing, now, rng)

    def rows():
        for days_ago, count in enumerate(per_day):
            end = now - datetime.timedelta(days=days_ago)
            offsets = (rng.random() * 86_400 for _ in range(count))
            picked_flows = rng.choices(flow_ids, cum_weights=flow_weights, k=count)
            picked_countries = rng.choices(countries, cum_weights=country_weights, k=count)
            picked_devices = rng.choices(devices, cum_weights=device_weights, k=count)
            for offset, flow_id, country, device in zip(
                offsets, picked_flows, picked_countries, picked_devices, strict=False
            ):
                yield Scan(
                    flow_id=flow_id,
                    workspace_id=workspace.pk,
                    scanned_at=end - datetime.timedelta(seconds=offset),
                    country=country,
                    device=device,
                )

    _bulk_insert(Scan, rows(), report, "scans")
    services.scan_days_rebuild([workspace.pk])


def _cumulative(weighted):
    values = [value for value, _weight in weighted]
    return values, list(itertools.accumulate(weight for _value, weight in weighted))


def _spread(total: int, now, rng) -> list[int]:
    """Split `total` scans over the last SCAN_DAYS days (index 0 = the last 24 hours)."""
    weights = []
    for days_ago in range(SCAN_DAYS):
        day = (now - datetime.timedelta(days=days_ago)).weekday()
        growth = 1.6 - days_ago / SCAN_DAYS  # more recent days get more scans
        weights.append(WEEKDAY_WEIGHT[day] * growth * rng.uniform(0.85, 1.15))
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    for index in range(total - sum(counts)):  # hand out what rounding down left over
        counts[index % SCAN_DAYS] += 1
    return counts
