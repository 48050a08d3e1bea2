"""`seed_demo` touches only the demo: a rerun leaves the
orgs people created alone, an empty password is refused, `--if-empty` seeds once (`make run`)
and `--reset` starts the demo orgs over (`make demo-reset`)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgs.models import Organization, User
from tests.factories import OrganizationFactory, UserFactory
from workspaces import services as workspace_services
from workspaces.models import Flow, Scan

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def mine(demo):
    org = OrganizationFactory(slug="mine")
    return workspace_services.workspace_create(actor=UserFactory(), org=org, name="My own")


def test_a_rerun_fills_no_workspace_people_created(mine):
    seed()
    assert not Flow.objects.filter(workspace=mine).exists()
    assert not Scan.objects.filter(workspace=mine).exists()


@pytest.mark.parametrize("password", ["", "   "])
def test_an_empty_password_is_refused(demo, password):
    with pytest.raises(CommandError, match="must not be empty"):
        call_command("seed_demo", "--password", password)


def test_if_empty_does_nothing_when_the_demo_is_there(demo):
    flows = Flow.objects.count()
    assert "nothing to do" in seed("--if-empty")
    assert Flow.objects.count() == flows


def test_if_empty_seeds_an_empty_database(db):
    seed("--if-empty")
    assert Organization.objects.filter(slug__in=["acme", "globex"]).count() == 2


def test_reset_starts_the_demo_over_and_leaves_other_orgs(mine, acme):
    Flow.objects.filter(workspace__org=acme).delete()
    user = User.objects.get(email="viewer@acme.test")
    user.set_password("changed-it")
    user.save()
    seed("--reset", "--password", "again-demo")
    assert Flow.objects.filter(workspace__org__slug="acme").exists()
    assert User.objects.get(email="viewer@acme.test").check_password("again-demo")
    assert Organization.objects.filter(slug="mine").exists()
    assert not Flow.objects.filter(workspace=mine).exists()


def test_reset_logs_a_password_set_again_in_the_persons_other_orgs(mine):
    from audit.models import ActivityEntry
    from orgs import services

    viewer = User.objects.get(email="viewer@acme.test")
    services.member_add(actor=None, org=mine.org, user=viewer)
    seed("--reset", "--actor", "ops@flowadmin.test")
    entry = ActivityEntry.objects.filter(org=mine.org, entity_type="user").latest("id")
    assert (entry.entity_label, entry.actor_email) == ("viewer@acme.test", "ops@flowadmin.test")
    assert entry.changes == {"password": ["[redacted]", "[redacted]"]}


def test_make_run_and_demo_reset_seed_as_documented():
    """`make run` seeds only an empty database; only `make demo-reset` seeds over the demo
    (`make -n` prints the commands without running them)."""
    import shutil
    import subprocess
    from pathlib import Path

    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[2]

    def commands(target):
        done = subprocess.run([make, "-n", target], cwd=root, capture_output=True, text=True)
        return [line for line in done.stdout.splitlines() if "seed_demo" in line]

    assert [c.split("manage.py ")[1] for c in commands("run")] == ["seed_demo --if-empty"]
    assert [c.split("manage.py ")[1] for c in commands("demo-reset")] == ["seed_demo --reset"]
