"""`python -m bench.scim` at a tiny size, for real: gunicorn on loopback against the test
database (PostgreSQL: SQLite's test database lives in this process only)."""

import pytest
from django.conf import settings

from bench import scim
from orgs.models import OrgMembership, Team


def test_percentile():
    values = [i / 1000 for i in range(1, 101)]
    assert scim.percentile(values, 0.5) == 0.05
    assert scim.percentile(values, 0.99) == 0.099
    assert scim.percentile([0.2], 0.99) == 0.2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_provisions_users_and_groups(monkeypatch, capsys):
    db = settings.DATABASES["default"]
    monkeypatch.setenv(
        "DATABASE_URL",
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    )
    assert scim.run(["--users", "12", "--groups", "3", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "POST /Users" in out and "PATCH /Groups (+4 members)" in out
    org_members = OrgMembership.objects.filter(org__slug=scim.ORG_SLUG)
    assert org_members.count() == 13
    assert Team.objects.filter(org__slug=scim.ORG_SLUG, managed_by_idp=True).count() == 3
