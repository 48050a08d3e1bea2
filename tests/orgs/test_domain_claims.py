"""Domain claims cannot be squatted: a pending claim blocks no other org,
lapses after DOMAIN_CLAIM_TTL_DAYS, and a refusal never says which tenant holds a hostname.
Uniqueness holds among verified domains (a partial unique index)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from orgs import domains, services
from orgs.errors import ServiceError
from orgs.models import Domain
from tests.factories import DomainFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dns(monkeypatch):
    """Every claim's TXT record is published."""
    tokens = list(Domain.objects.values_list("verification_token", flat=True))
    monkeypatch.setattr(
        domains,
        "lookup_txt",
        lambda name: list(Domain.objects.values_list("verification_token", flat=True)) + tokens,
    )


def test_a_pending_claim_does_not_block_another_org(dns):
    squatter, owner = OrganizationFactory(name="Squatter"), OrganizationFactory()
    services.domain_add(actor=None, org=squatter, hostname="go.brand.example")
    claim = services.domain_add(actor=None, org=owner, hostname="GO.brand.example")
    services.domain_verify(actor=None, domain=claim)
    claim.refresh_from_db()
    assert claim.is_verified


def test_once_verified_nobody_else_can_verify_or_add_it(dns):
    first, second, third = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    a = services.domain_add(actor=None, org=first, hostname="go.brand.example")
    b = services.domain_add(actor=None, org=second, hostname="go.brand.example")
    services.domain_verify(actor=None, domain=a)
    with pytest.raises(ServiceError, match="verified for use elsewhere"):
        services.domain_verify(actor=None, domain=b)
    with pytest.raises(ServiceError) as refused:
        services.domain_add(actor=None, org=third, hostname="go.brand.example")
    assert first.name not in refused.value.text
    assert not Domain.objects.get(pk=b.pk).is_verified


def test_the_refusal_names_no_tenant():
    owner = OrganizationFactory(name="Secret Owner Inc")
    DomainFactory(org=owner, hostname="go.brand.example", verified=True)
    with pytest.raises(ServiceError) as refused:
        services.domain_add(actor=None, org=OrganizationFactory(), hostname="go.brand.example")
    assert "Secret Owner" not in refused.value.text


def test_the_database_allows_one_verified_hostname():
    DomainFactory(hostname="go.brand.example", verified=True)
    DomainFactory(hostname="go.brand.example")  # a pending claim elsewhere is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        DomainFactory(hostname="GO.brand.example", verified=True)


def test_an_org_cannot_claim_a_hostname_twice():
    org = OrganizationFactory()
    services.domain_add(actor=None, org=org, hostname="go.brand.example")
    with pytest.raises(ServiceError, match="already has"):
        services.domain_add(actor=None, org=org, hostname="go.brand.example")


def test_a_claim_expires_after_the_configured_days(dns, settings):
    settings.DOMAIN_CLAIM_TTL_DAYS = 3
    claim = DomainFactory(created_at=timezone.now() - timedelta(days=4))
    with pytest.raises(ServiceError, match="expired"):
        services.domain_verify(actor=None, domain=claim)
    fresh = DomainFactory(created_at=timezone.now() - timedelta(days=2))
    assert services.domain_claims_expire(actor="scheduler") == 1
    assert list(Domain.objects.values_list("pk", flat=True)) == [fresh.pk]
