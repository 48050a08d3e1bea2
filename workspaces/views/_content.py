"""Small helpers shared by the workspace content views (templates, assets, brand kits,
audience)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

PER_PAGE = 25


def ws_url(request, name: str, *args) -> str:
    """reverse() of a workspaces URL inside the request's workspace (`args`: the URL's own
    arguments after the org and workspace slugs, e.g. a flow id)."""
    return reverse(f"workspaces:{name}", args=[request.org.slug, request.workspace.slug, *args])


def confirm_delete(request, obj, *, kind: str, consequence: str, cancel: str, next: str = ""):
    """The confirmation page of deleting `obj` (a `kind`: "asset", "brand kit", …):
    components/confirm.html in the workspace layout; the button POSTs to the same URL (with
    `next`, where to go after, when given), Cancel goes to `cancel`."""
    context = {
        "title": f"Delete this {kind}?",
        "message": format_html(
            "You are about to delete the {} <strong>{}</strong>. This cannot be undone.", kind, obj
        ),
        "note": consequence,
        "fields": {"next": next} if next else {},
        "button": f"Delete {kind}",
        "cancel": cancel,
    }
    return render(request, "workspaces/confirm.html", context)


def safe_next(request, fallback: str) -> str:
    """The `next` parameter when it is a path inside the same workspace, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = reverse("workspaces:home", args=[request.org.slug, request.workspace.slug])
    if target.startswith(prefix) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return fallback
