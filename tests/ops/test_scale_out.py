"""The scale-out test: two gunicorn instances on two ports share PostgreSQL, Redis and
S3 (moto's server), so whatever one instance does, the other sees — with the same session
cookie. Each instance gets its own MEDIA_ROOT and process memory, so any state kept per process
or on local disk makes these tests fail."""

import io

import pytest
import redis
import requests
from PIL import Image

from orgs.models import OrgMembership
from orgs.roles import OrgRole
from tests.factories import PASSWORD, OrganizationFactory, OrgMembershipFactory
from tests.services import s3_client

from .conftest import post_form, sign_in

pytestmark = pytest.mark.postgres


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def org(real_hashers):
    org = OrganizationFactory(slug="scale")
    admin = OrgMembershipFactory(org=org, role=OrgRole.ADMIN, user__email="admin@scale.test")
    member = OrgMembershipFactory(org=org, role=OrgRole.USER, user__email="member@scale.test")
    return org, admin.user, member.user


def test_a_session_upload_and_role_change_made_on_a_are_seen_on_b(cluster, org, s3_server):
    org, admin, member = org
    a = cluster.start_web("a")
    b = cluster.start_web("b")
    browser = requests.Session()  # one cookie jar: cookies of 127.0.0.1 go to both ports

    assert sign_in(browser, a, admin.email, PASSWORD).status_code == 302
    settings_url = f"/orgs/{org.slug}/settings/"
    uploaded = post_form(
        browser,
        a + settings_url,
        {"description": "Scaled out"},
        files={"avatar": ("logo.png", png_bytes(), "image/png")},
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    role_url = f"/orgs/{org.slug}/users/{member.pk}/role/"
    changed = post_form(
        browser,
        a + role_url,
        {"role": OrgRole.ADMIN},
        form_url=a + f"/orgs/{org.slug}/users/{member.pk}/",
    )
    assert changed.status_code == 302, changed.text[:500]

    # Instance B: the same cookie is a signed-in session there too (sessions in Redis + DB).
    page = browser.get(b + settings_url, allow_redirects=False, timeout=20)
    assert page.status_code == 200
    org.refresh_from_db()
    assert org.avatar.name
    avatar = browser.get(
        f"{b}/orgs/{org.slug}/avatars/org/{org.pk}/{org.avatar.name.rsplit('/', 1)[1]}",
        timeout=20,
    )
    assert avatar.status_code == 200
    assert Image.open(io.BytesIO(avatar.content)).size == (256, 256)
    profile = browser.get(f"{b}/orgs/{org.slug}/users/{member.pk}/", timeout=20)
    assert OrgMembership.objects.get(org=org, user=member).role == OrgRole.ADMIN
    assert 'value="admin" selected' in profile.text

    # The file is in the bucket, not on either instance's disk.
    listed = s3_client(s3_server).list_objects_v2(Bucket=cluster.env["AWS_STORAGE_BUCKET_NAME"])
    assert [item["Key"] for item in listed["Contents"]] == [org.avatar.name]
    assert not any((cluster.logs / name).exists() for name in ("media-a", "media-b"))
    # The session is cached in the shared Redis under this cluster's prefix.
    keys = redis.Redis.from_url(cluster.env["REDIS_URL"]).keys(
        f"{cluster.env['CACHE_KEY_PREFIX']}:*session*"
    )
    assert keys


def test_failed_logins_spread_over_both_instances_lock_the_account(cluster, org, settings):
    org, admin, _ = org
    a = cluster.start_web("a")
    b = cluster.start_web("b")
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(1, limit + 1):
        base = (a, b)[attempt % 2]
        failed = sign_in(requests.Session(), base, admin.email, "wrong-password")
        # The form again with an error, until the limit-th failure (on either instance) locks.
        assert failed.status_code == (429 if attempt == limit else 200), attempt
    for base in (a, b):
        locked = sign_in(requests.Session(), base, admin.email, PASSWORD)
        assert locked.status_code == 429, f"{base} let a locked account in"
