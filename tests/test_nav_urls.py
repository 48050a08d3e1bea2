"""The layout's and the sidebar's reversed URLs (flowadmin.context_processors): kept per URL
configuration and script prefix, at most URL_CACHE_SIZE of them, read-only, and reversed anew
when ROOT_URLCONF changes. This module is also a URL configuration: the site under /moved/."""

import pytest
from django.urls import include, path, reverse

from flowadmin import context_processors as cp

urlpatterns = [path("moved/", include("flowadmin.urls"))]


def test_a_new_root_urlconf_reverses_anew(settings):
    assert cp.site_urls()["home"] == reverse("home")
    assert not cp.nav_url("orgs:users", "acme").startswith("/moved/")
    settings.ROOT_URLCONF = __name__
    assert cp.site_urls()["home"] == "/moved/"
    assert cp.nav_url("orgs:users", "acme") == reverse("orgs:users", args=["acme"])
    assert cp.nav_url("orgs:users", "acme").startswith("/moved/")


def test_the_caches_are_bounded():
    assert cp._site_urls.cache_info().maxsize == cp.URL_CACHE_SIZE
    assert cp._url_formats.cache_info().maxsize == cp.URL_CACHE_SIZE


def test_the_shared_urls_are_read_only():
    with pytest.raises(TypeError):
        cp.site_urls()["home"] = "/elsewhere/"
