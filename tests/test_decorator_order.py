"""One decorator order in every app: the method check first, then access (django-htmx's order).
A request with a method a view does not take is a 405 — for an anonymous visitor too, and the
same in the org console, the workspace pages and the activity log (it was a 302 to the login
page in one app and a 405 in the other)."""

import pytest
from django.urls import URLPattern, reverse

import audit.urls
import orgs.urls
import workspaces.urls

pytestmark = pytest.mark.django_db

PREFIX_KWARGS = {
    "orgs": {"org_slug": "acme"},
    "audit": {"org_slug": "acme"},
    "workspaces": {"org_slug": "acme", "ws_slug": "marketing"},
}


def _dummy(converter) -> object:
    return 1 if type(converter).__name__ in ("IntConverter", "IdConverter") else "x"


def console_urls():
    """(name, path) of every named URL of the three apps, with placeholder arguments."""
    urls = []
    for namespace, module in (
        ("orgs", orgs.urls),
        ("workspaces", workspaces.urls),
        ("audit", audit.urls),
    ):
        for pattern in module.urlpatterns:
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            kwargs = {name: _dummy(c) for name, c in pattern.pattern.converters.items()}
            kwargs.update(PREFIX_KWARGS[namespace])
            urls.append(
                (
                    f"{namespace}:{pattern.name}",
                    reverse(f"{namespace}:{pattern.name}", kwargs=kwargs),
                )
            )
    return urls


URLS = console_urls()


def test_every_app_is_covered():
    names = {name.split(":")[0] for name, _ in URLS}
    assert names == {"orgs", "workspaces", "audit"}
    assert len(URLS) > 60


@pytest.mark.parametrize("name, path", URLS, ids=[name for name, _ in URLS])
def test_a_method_no_view_takes_is_405_before_any_access_check(client, name, path):
    response = client.put(path)
    assert response.status_code == 405, (
        f"{name} answers {response.status_code}: state its methods first"
    )


@pytest.mark.parametrize(
    "path",
    ["/orgs/acme/", "/orgs/acme/w/marketing/manage/", "/orgs/acme/activity/"],
    ids=["org console", "workspace Manage page", "activity log"],
)
def test_an_anonymous_post_to_a_get_only_page_is_405_in_every_app(client, path):
    assert client.post(path).status_code == 405
