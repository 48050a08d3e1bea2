"""How views answer htmx: one template per page, the swapped part a partial of it."""


def wants_partial(request) -> bool:
    """An htmx request swapping part of the page — not a history restore, which needs the
    whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def partial_or_page(request, template: str, partial: str) -> str:
    """`template#partial` for an htmx swap, the whole `template` otherwise."""
    return f"{template}#{partial}" if wants_partial(request) else template


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
