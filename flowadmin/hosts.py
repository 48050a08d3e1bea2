"""Which Host headers the app answers.

The console runs on the hosts of `ALLOWED_HOSTS`. Flow short links may also point at an org's
verified whitelabel domains (SPEC §2), which operators cannot list in advance. In production
Django's own check is therefore opened (`ALLOWED_HOSTS = ["*"]`) and this middleware takes its
place: the configured hosts reach everything, a verified domain reaches only `/s/<code>`, any
other host gets 400.
"""

import functools
import ipaddress
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseBadRequest
from django.http.request import split_domain_port, validate_host
from django.urls import get_resolver, get_urlconf

from orgs.models import Domain, DomainStatus

CACHE_SECONDS = 60

# The Host (with port) of the request being served: the short-link host when none is set.
_request_host: ContextVar[str | None] = ContextVar("request_host", default=None)


def short_link_host() -> str:
    """The host[:port] of flow short links without a whitelabel domain: SHORT_LINK_HOST when
    configured; otherwise the host the current request came in on (so `make run` on any PORT
    prints working links and QR codes); outside a request, the host of SITE_URL."""
    return settings.SHORT_LINK_HOST or _request_host.get() or urlsplit(settings.SITE_URL).netloc


# A code put in `reverse("scan")` once to read the path around it.
_CODE = "code-placeholder"


@functools.lru_cache(maxsize=8)
def short_link_prefix(urlconf: str) -> str:
    """The path of a flow's short link before its code ("/s/"), as the URL configuration
    `urlconf` spells the `scan` URL, without the script prefix (it is matched against
    request.path_info): reversed once per URL configuration, not per request."""
    return "/" + get_resolver(urlconf).reverse("scan", _CODE).removesuffix(_CODE)


def short_link_code(path_info: str) -> str | None:
    """The code of a short link's path (the URLconf's `s/<str:code>`: no slash in the code),
    None for any other path."""
    prefix = short_link_prefix(get_urlconf() or settings.ROOT_URLCONF)
    if not path_info.startswith(prefix):
        return None
    code = path_info[len(prefix) :]
    return code if code and "/" not in code else None


def dns_record_for(host: str) -> tuple[str, str]:
    """(record type, target) to point a whitelabel hostname at `host` ("name[:port]"): a CNAME
    to a name, an A/AAAA record for an IP address (a CNAME can't name an address, nor a port)."""
    name, _port = split_domain_port(host)
    name = name.strip("[]") or host
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return "CNAME", f"{name}."
    return ("A" if address.version == 4 else "AAAA"), name


def is_verified_domain(hostname: str) -> bool:
    """Cached for a minute: the scan redirect stays one read and one insert."""
    key = f"verified-domain:{hostname}"
    verified = cache.get(key)
    if verified is None:
        verified = Domain.objects.filter(hostname=hostname, status=DomainStatus.VERIFIED).exists()
        cache.set(key, verified, CACHE_SECONDS)
    return verified


def request_hostname(request) -> str:
    host, _port = split_domain_port(request.get_host())
    return host


def is_app_host(hostname: str) -> bool:
    """One of the hosts the console runs on (which also serve every flow's short link), as
    opposed to an org's whitelabel domain."""
    app_hosts = getattr(settings, "APP_HOSTS", None)
    return validate_host(hostname, app_hosts if app_hosts is not None else settings.ALLOWED_HOSTS)


class HostsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_host.set(request.get_host()) if not settings.SHORT_LINK_HOST else None
        try:
            return self._answer(request)
        finally:
            if token is not None:
                _request_host.reset(token)

    def _answer(self, request):
        app_hosts = getattr(settings, "APP_HOSTS", None)
        if app_hosts is not None:
            host, _port = split_domain_port(request.get_host())
            if not validate_host(host, app_hosts) and not (
                short_link_code(request.path_info) and host and is_verified_domain(host)
            ):
                return HttpResponseBadRequest("Unknown host.", content_type="text/plain")
        return self.get_response(request)
