"""The layout's and the sidebar's reversed URLs (flowadmin.nav_urls): kept per URL
configuration and script prefix, at most URL_CACHE_SIZE of them, read-only, and reversed anew
when ROOT_URLCONF changes; no template spells a path of its own. This module is also a URL
configuration: the site under /moved/."""

import re
from pathlib import Path

import pytest
from django.conf import settings
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


# A link's or form's target (the parts htmx requests too), and the template tags in it.
TARGET = re.compile(r'\b(?:href|action|src|hx-(?:get|post|put|patch|delete))="([^"]*)"')
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
# A path written around a variable in text: "/orgs/{{ org.slug }}/".
PATH_AROUND_VARIABLE = re.compile(r"/[\w.-]+/\{\{")


def hand_built_paths(text: str) -> list[str]:
    """The targets in `text` with a "/" outside a {% url %}/{{ variable }} (an address spelled
    by hand; external https:, mailto: and #fragment links aside), and addresses written in
    text around a variable."""
    found = []
    for match in TARGET.finditer(text):
        target = match[1]
        if re.match(r"(?:https?:|mailto:|data:|#)", target):
            continue
        if "/" in TEMPLATE_TAG.sub("", target):
            found.append(match[0])
    found += [match[0] for match in PATH_AROUND_VARIABLE.finditer(text)]
    return found


@pytest.mark.parametrize(
    "text",
    [
        '<a href="/orgs/{{ org.slug }}/">',
        '<a href="{% if ok %}/orgs/{{ org.slug }}/{% else %}{{ home }}{% endif %}">',
        '<form action="{{ base }}edit/">',
        '<button hx-post="/s/{{ code }}">',
        "<code>/orgs/{{ request.org.slug }}/</code>",
    ],
)
def test_the_check_finds_a_hand_built_path(text):
    assert hand_built_paths(text)


@pytest.mark.parametrize(
    "text",
    [
        "<a href=\"{% url 'orgs:team' org.slug team.pk %}#access\">",
        '<a href="{{ site_urls.home }}#org-{{ org.slug }}">',
        '<a href="https://example.test/docs/">',
        "<code>{% url 'orgs:dashboard' org.slug %}</code>",
    ],
)
def test_the_check_lets_reversed_urls_pass(text):
    assert not hand_built_paths(text)


def test_no_template_builds_a_path_by_hand():
    """Every address in a template comes from {% url %} or a URL the view reversed."""
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    found = {
        str(path): hand_built_paths(path.read_text())
        for folder in folders
        for path in folder.rglob("*.html")
    }
    assert {path: paths for path, paths in found.items() if paths} == {}


@pytest.mark.parametrize("script_prefix", ["/", "/app/"])
@pytest.mark.parametrize("code", ["aB3xYz9", "a b&c"])
def test_a_short_links_path_is_what_reverse_gives(script_prefix, code):
    from django.urls import reverse, set_script_prefix

    from flowadmin.nav_urls import short_link_path

    set_script_prefix(script_prefix)
    try:
        assert short_link_path(code) == reverse("scan", args=[code])
    finally:
        set_script_prefix("/")
