"""The session engines (flowadmin.sessions): a session is read by one SELECT written once, and
reads as Django's own stores read it — the data, the expiry, an expired or unknown key."""

import datetime

import pytest
from django.contrib.sessions.backends import cached_db as django_cached_db
from django.contrib.sessions.backends import db as django_db
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from flowadmin.sessions import cached_db, db

pytestmark = pytest.mark.django_db

STORES = [
    (db.SessionStore, django_db.SessionStore),
    (cached_db.SessionStore, django_cached_db.SessionStore),
]


def saved_session(**data) -> str:
    store = django_db.SessionStore()
    store.update(data)
    store.create()
    return store.session_key


@pytest.mark.parametrize(("ours", "djangos"), STORES, ids=["db", "cached_db"])
def test_reads_what_djangos_store_reads(ours, djangos, django_assert_num_queries):
    key = saved_session(_auth_user_id="7", when="now")
    cache.clear()
    with django_assert_num_queries(1):
        session = ours(key)
        assert dict(session.items()) == {"_auth_user_id": "7", "when": "now"}
    cache.clear()
    assert dict(djangos(key).items()) == dict(session.items())
    row = session._get_session_from_db()
    expected = Session.objects.get(pk=key)
    assert (row.session_key, row.session_data, row.expire_date) == (
        expected.session_key,
        expected.session_data,
        expected.expire_date,
    )
    assert row.expire_date.tzinfo is not None


@pytest.mark.parametrize(("ours", "djangos"), STORES, ids=["db", "cached_db"])
def test_an_expired_or_unknown_session_is_empty_and_forgotten(ours, djangos):
    key = saved_session(_auth_user_id="7")
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    for session_key in [key, "x" * 32]:
        cache.clear()
        session = ours(session_key)
        assert dict(session.items()) == {}
        assert session.session_key is None
        theirs = djangos(session_key)
        assert dict(theirs.items()) == {}
        assert theirs.session_key is None


def test_the_cached_store_keeps_the_session_until_it_expires():
    key = saved_session(_auth_user_id="7")
    expires = timezone.now() + datetime.timedelta(hours=1, seconds=17)  # no default's length
    Session.objects.filter(pk=key).update(expire_date=expires)
    cache.clear()
    session = cached_db.SessionStore(key)
    session.load()
    assert cache.get(session.cache_key) == {"_auth_user_id": "7"}
    # the test settings' locmem cache: its expiry instants (time.time()) by the stored key
    cached_until = cache._expire_info[cache.make_and_validate_key(session.cache_key)]
    assert cached_until == pytest.approx(expires.timestamp(), abs=2)
