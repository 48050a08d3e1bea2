"""The QR codes decode to the flow's short link (PNG decoded with zxing-cpp; the SVG's path is
drawn back into pixels and decoded the same way)."""

import io
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db

BASE = "/orgs/acme/w/marketing/"


@pytest.fixture
def viewer(client, demo):
    client.force_login(demo["viewer@acme.test"])
    return client


def decode(image: Image.Image) -> str:
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0].text


def svg_to_image(svg: bytes) -> Image.Image:
    """Rasterize segno's SVG: a <g transform="scale(n)"> holding the dark modules as one path
    of horizontal strokes ("M x y.5 h n m dx dy h n …", one unit per module)."""
    root = ET.fromstring(svg)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    group = root.find("svg:g", ns)
    path = group.find("svg:path[@class='qrline']", ns)
    scale = int(re.fullmatch(r"scale\((\d+)\)", group.get("transform")).group(1))
    modules = int(root.get("width")) // scale
    image = Image.new("L", (modules * 4, modules * 4), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, args in re.findall(r"([MmHhVv])([^MmHhVv]*)", path.get("d")):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            row = int(y)  # strokes run along the middle of a module row (y + .5)
            draw.rectangle([x * 4, row * 4, (x + numbers[0]) * 4 - 1, row * 4 + 3], fill=0)
            x += numbers[0]
    return image


def test_png_decodes_to_the_short_link(viewer, marketing_flow):
    response = viewer.get(BASE + f"flows/{marketing_flow.pk}/qr.png")
    assert response["Content-Type"] == "image/png"
    assert decode(Image.open(io.BytesIO(response.content))) == marketing_flow.short_link


def test_short_link_uses_the_default_host(marketing_flow):
    assert marketing_flow.short_link == f"https://flow.test/s/{marketing_flow.short_code}"


def test_svg_decodes_to_the_short_link(viewer, marketing_flow):
    response = viewer.get(BASE + f"flows/{marketing_flow.pk}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert decode(svg_to_image(response.content)) == marketing_flow.short_link


def test_svg_has_an_accessible_title(viewer, marketing_flow):
    response = viewer.get(BASE + f"flows/{marketing_flow.pk}/qr.svg")
    assert f"<title>QR code for {marketing_flow.short_link}</title>" in response.content.decode()


def test_png_uses_a_verified_whitelabel_domain(viewer, marketing, marketing_flow):
    marketing.whitelabel_domain = DomainFactory(
        org=marketing.org, hostname="go.acme.com", verified=True
    )
    marketing.save()
    response = viewer.get(BASE + f"flows/{marketing_flow.pk}/qr.png")
    decoded = decode(Image.open(io.BytesIO(response.content)))
    assert decoded == f"https://go.acme.com/s/{marketing_flow.short_code}"


def test_png_ignores_an_unverified_whitelabel_domain(viewer, marketing, marketing_flow):
    marketing.whitelabel_domain = DomainFactory(org=marketing.org, hostname="go.acme.com")
    marketing.save()
    response = viewer.get(BASE + f"flows/{marketing_flow.pk}/qr.png")
    decoded = decode(Image.open(io.BytesIO(response.content)))
    assert decoded == f"https://flow.test/s/{marketing_flow.short_code}"


def test_download_is_an_attachment_with_a_readable_name(viewer, marketing_flow):
    response = viewer.get(BASE + f"flows/{marketing_flow.pk}/qr.png", {"download": "1"})
    assert response["Content-Disposition"] == 'attachment; filename="spring-menu-qr.png"'


def test_preview_is_inline(viewer, marketing_flow):
    response = viewer.get(BASE + f"flows/{marketing_flow.pk}/qr.svg")
    assert response["Content-Disposition"].startswith("inline")
