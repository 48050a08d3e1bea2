import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from orgs import avatars, domains, services
from orgs.errors import ServiceError
from orgs.models import Domain
from tests.factories import DomainFactory, OrganizationFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Go.Example.com", "go.example.com"),
        ("go.example.com.", "go.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_valid_hostnames(value, expected):
    assert domains.validate_hostname(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "example",
        "http://go.example.com",
        "go.example.com/x",
        "go.example.com:8080",
        "-bad.example.com",
        "1.2.3.4",
        "*.example.com",
        "localhost",
        "a" * 64 + ".com",
    ],
)
def test_invalid_hostnames(value):
    with pytest.raises(ValidationError):
        domains.validate_hostname(value)


def test_domain_add_is_unique_among_verified_domains():
    DomainFactory(hostname="go.example.com", verified=True)
    with pytest.raises(ServiceError, match="verified for use elsewhere"):
        services.domain_add(actor=None, org=OrganizationFactory(), hostname="GO.example.com")


def test_domain_verify_with_the_txt_record(monkeypatch):
    domain = DomainFactory()
    monkeypatch.setattr(domains, "lookup_txt", lambda name: ["other"])
    with pytest.raises(ServiceError, match="No TXT record"):
        services.domain_verify(actor=None, domain=domain)
    domain.refresh_from_db()
    assert not domain.is_verified

    seen = []
    monkeypatch.setattr(
        domains, "lookup_txt", lambda name: seen.append(name) or [domain.verification_token]
    )
    services.domain_verify(actor=None, domain=domain)
    assert Domain.objects.get(pk=domain.pk).is_verified
    assert seen == [f"_flowadmin.{domain.hostname}"]


def test_integration_secrets_are_encrypted_and_masked():
    org = OrganizationFactory()
    installation = services.integration_install(
        actor=None,
        org=org,
        app_key="hubspot",
        values={"portal_id": "123", "access_token": "pat-na1-secret-value-9876"},
    )
    assert "pat-na1" not in installation.secrets_encrypted
    assert installation.config == {"portal_id": "123"}
    assert installation.secrets() == {"access_token": "pat-na1-secret-value-9876"}
    assert installation.masked_secrets()["access_token"].endswith("9876")
    assert "secret" not in installation.masked_secrets()["access_token"]

    services.integration_update(
        actor=None, installation=installation, values={"portal_id": "456", "access_token": ""}
    )
    assert installation.secrets()["access_token"] == "pat-na1-secret-value-9876"
    assert installation.config["portal_id"] == "456"


def test_integration_install_errors():
    org = OrganizationFactory()
    with pytest.raises(ServiceError, match="Unknown app"):
        services.integration_install(actor=None, org=org, app_key="nope", values={})
    with pytest.raises(ServiceError, match="required"):
        services.integration_install(actor=None, org=org, app_key="segment", values={})
    services.integration_install(actor=None, org=org, app_key="segment", values={"write_key": "k"})
    with pytest.raises(ServiceError, match="already installed"):
        services.integration_install(
            actor=None, org=org, app_key="segment", values={"write_key": "k"}
        )
    # the same app may also be installed for one workspace
    ws = WorkspaceFactory(org=org)
    services.integration_install(
        actor=None, org=org, app_key="segment", workspace=ws, values={"write_key": "k2"}
    )


def image_upload(fmt="PNG", size=(300, 200), name="a.png"):
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, format=fmt)
    return SimpleUploadedFile(name, buf.getvalue())


def test_avatar_is_resized_to_a_square_png():
    content = avatars.process_avatar(image_upload())
    image = Image.open(io.BytesIO(content.read()))
    assert image.size == (avatars.AVATAR_SIZE, avatars.AVATAR_SIZE)
    assert image.format == "PNG"


def test_avatar_refuses_non_images_and_oversize(settings):
    with pytest.raises(ValidationError, match="valid image"):
        avatars.process_avatar(SimpleUploadedFile("a.png", b"not an image"))
    with pytest.raises(ValidationError, match="PNG, JPEG"):
        avatars.process_avatar(image_upload(fmt="BMP", name="a.bmp"))
    settings.AVATAR_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="too large"):
        avatars.process_avatar(image_upload())


def png_claiming(width, height):
    """A few-byte PNG whose header claims width×height pixels (a decompression bomb)."""
    import struct
    import zlib

    data = image_upload(size=(1, 1)).read()
    ihdr = struct.pack(">II", width, height) + data[24:29]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return SimpleUploadedFile("bomb.png", data[:16] + ihdr + crc + data[33:])


def test_avatar_refuses_decompression_bombs():
    with pytest.raises(ValidationError, match="too many pixels"):
        avatars.process_avatar(png_claiming(60000, 60000))
    with pytest.raises(ValidationError, match="too many pixels"):
        avatars.process_avatar(png_claiming(8000, 8000))


def test_domain_remove_logs_the_workspaces_and_sso_it_leaves(demo, acme):
    from audit.models import ActivityEntry
    from tests.factories import SSOConfigurationFactory

    domain = DomainFactory(org=acme, hostname="go.acme.example", verified=True)
    marketing = acme.workspaces.get(slug="marketing")
    marketing.whitelabel_domain = domain
    marketing.save()
    sso = SSOConfigurationFactory(org=acme)
    sso.domains.add(domain)
    before = ActivityEntry.objects.filter(org=acme).count()

    services.domain_remove(actor=None, domain=domain)

    marketing.refresh_from_db()
    assert marketing.whitelabel_domain is None
    assert not sso.domains.exists()
    types = list(
        ActivityEntry.objects.filter(org=acme)
        .order_by("id")[before:]
        .values_list("entity_type", "action")
    )
    assert ("workspace", "updated") in types
    assert ("sso", "updated") in types
    assert ("domain", "deleted") in types


def test_domain_add_verified_adds_the_hostname_verified_and_logs_it():
    from audit.models import ActivityEntry

    org = OrganizationFactory()
    domain = services.domain_add_verified(
        actor="ops@flowadmin.test", org=org, hostname="Go.Demo.test"
    )
    assert (domain.org, domain.hostname, domain.is_verified) == (org, "go.demo.test", True)
    assert domain.verified_at is not None
    entry = ActivityEntry.objects.get(org=org, entity_type="domain")
    assert (entry.action, entry.actor_email) == ("created", "ops@flowadmin.test")


def test_domain_add_verified_verifies_the_orgs_pending_claim_and_is_idempotent():
    domain = DomainFactory(hostname="go.demo.test")
    again = services.domain_add_verified(actor=None, org=domain.org, hostname="go.demo.test")
    assert again.pk == domain.pk and again.is_verified
    services.domain_add_verified(actor=None, org=domain.org, hostname="go.demo.test")
    assert Domain.objects.get().is_verified


def test_domain_add_verified_refuses_a_hostname_another_org_verified():
    DomainFactory(hostname="go.demo.test", verified=True)
    org = OrganizationFactory()
    with pytest.raises(ServiceError, match="verified for use elsewhere"):
        services.domain_add_verified(actor=None, org=org, hostname="go.demo.test")
    assert not Domain.objects.filter(org=org).exists()
