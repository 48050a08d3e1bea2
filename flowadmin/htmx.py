"""How views answer htmx — the one toolkit of every app's views: one template per page, the
swapped part a partial of it (`render_page`), a refused form answered with the status its asker
can use (`render_page(refused=…)`), a client-side redirect after a successful htmx POST
(`redirect_after_post`), and one page of a list (`paginate`)."""

from django.core.paginator import Page, Paginator
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect

PER_PAGE = 50


def wants_partial(request) -> bool:
    """An htmx request swapping part of the page — not a history restore, which needs the
    whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def partial_or_page(request, template: str, partial: str) -> str:
    """`template#partial` for an htmx swap, the whole `template` otherwise."""
    return f"{template}#{partial}" if wants_partial(request) else template


def refused_status(request) -> int:
    """The status of an answer to a form refused (shown again with its errors): 400 for a
    plain POST, 200 for htmx, which swaps no 4xx response (its fragment would be dropped)."""
    return 200 if getattr(request, "htmx", None) else 400


def render_page(request, template, context, *, partial=None, refused=False):
    """The whole page, or only `partial` of it for htmx: one template per page. `refused`
    (truthy, e.g. a bound form's `errors`): the page shows a form it refused, answered with
    `refused_status` instead of 200."""
    if partial and wants_partial(request):
        template = f"{template}#{partial}"
    status = refused_status(request) if refused else 200
    return render(request, template, context, status=status)


def form_partial(request, name):
    """The partial holding a form that htmx posts: swapped after a POST, never on a GET."""
    return name if request.method == "POST" else None


def redirect_after_post(request, url):
    """After a successful POST: a client-side redirect for htmx (HX-Redirect), a 302 otherwise."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def paginate(request, queryset, per_page: int = PER_PAGE, *, count: int | None = None) -> Page:
    """The page of `queryset` named by `?page=` (a COUNT and one SELECT; out of range: the
    last page). `count`: the number of rows when the caller counted them already (no COUNT)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    return paginator.get_page(request.GET.get("page"))


class VaryOnHtmxMiddleware:
    """Pages answer htmx with a fragment and browsers with the whole page at the same URL, so
    caches (and the browser's back button) must keep them apart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import patch_vary_headers

        response = self.get_response(request)
        if getattr(request, "htmx", None) is not None:
            patch_vary_headers(response, ["HX-Request"])
        return response


def in_main(request, response):
    """A whole page (a confirmation step) answering an htmx request made by a part of a page
    (a row's in-place save): htmx swaps the page's main content instead of that part."""
    if wants_partial(request):
        response["HX-Retarget"] = "#content"
        response["HX-Reswap"] = "outerHTML"
        response["HX-Reselect"] = "#content"
    return response


def resubmission(request) -> dict[str, str]:
    """The POSTed fields (one value each, without the CSRF token) and `confirmed`: what a
    confirmation step posts again to make the change it asked about."""
    fields = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    fields["confirmed"] = "1"
    return fields


def came_from(request, default: str) -> str:
    """Where Cancel goes on a confirmation step: the page an htmx request was made from (this
    host only), else `default`."""
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme

    current = getattr(getattr(request, "htmx", None), "current_url", None)
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return default
