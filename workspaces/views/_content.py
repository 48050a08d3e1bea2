"""Small helpers shared by the workspace content views (templates, assets, brand kits,
audience)."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

PER_PAGE = 25


def ws_url(request, name: str, *args) -> str:
    """reverse() of a workspaces URL inside the request's workspace (`args`: the URL's own
    arguments after the org and workspace slugs, e.g. a flow id)."""
    return reverse(f"workspaces:{name}", args=[request.org.slug, request.workspace.slug, *args])


def safe_next(request, fallback: str) -> str:
    """The `next` parameter when it is a path inside the same workspace, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = reverse("workspaces:home", args=[request.org.slug, request.workspace.slug])
    if target.startswith(prefix) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return fallback
