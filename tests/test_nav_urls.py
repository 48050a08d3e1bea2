"""The layout's and the sidebar's reversed URLs (flowadmin.nav_urls): kept per URL
configuration and script prefix, at most URL_CACHE_SIZE of them, read-only, and reversed anew
when ROOT_URLCONF changes. This module is also a URL configuration: the site under /moved/."""

import pytest
from django.urls import include, path, reverse

from flowadmin import nav_urls

urlpatterns = [path("moved/", include("flowadmin.urls"))]


def test_a_new_root_urlconf_reverses_anew(settings):
    assert nav_urls.site_urls()["home"] == reverse("home")
    assert not nav_urls.nav_url("orgs:users", "acme").startswith("/moved/")
    settings.ROOT_URLCONF = __name__
    assert nav_urls.site_urls()["home"] == "/moved/"
    assert nav_urls.nav_url("orgs:users", "acme") == reverse("orgs:users", args=["acme"])
    assert nav_urls.nav_url("orgs:users", "acme").startswith("/moved/")


def test_the_caches_are_bounded():
    assert nav_urls._site_urls.cache_info().maxsize == nav_urls.URL_CACHE_SIZE
    assert nav_urls._url_formats.cache_info().maxsize == nav_urls.URL_CACHE_SIZE


def test_the_shared_urls_are_read_only():
    with pytest.raises(TypeError):
        nav_urls.site_urls()["home"] = "/elsewhere/"
