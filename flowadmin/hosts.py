"""The hosts the app answers on: the console's (`ALLOWED_HOSTS`, or `APP_HOSTS` in production),
the host flow short links are made with, the DNS record pointing a whitelabel domain at it, and
the cache key of a whitelabel host's verified state. Which Host header reaches what is
flowadmin.middleware.HostsMiddleware's (it sets `request_host` for the request); the short
link's path is flowadmin.nav_urls.short_link_code's."""

import ipaddress
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host

# The Host (with port) of the request being served: the short-link host when none is set.
request_host: ContextVar[str | None] = ContextVar("request_host", default=None)


def short_link_host() -> str:
    """The host[:port] of flow short links without a whitelabel domain: SHORT_LINK_HOST when
    configured; otherwise the host the current request came in on (so `make run` on any PORT
    prints working links and QR codes); outside a request, the host of SITE_URL."""
    return settings.SHORT_LINK_HOST or request_host.get() or urlsplit(settings.SITE_URL).netloc


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


def request_hostname(request) -> str:
    host, _port = split_domain_port(request.get_host())
    return host


def is_app_host(hostname: str) -> bool:
    """One of the hosts the console runs on (which also serve every flow's short link), as
    opposed to an org's whitelabel domain."""
    app_hosts = getattr(settings, "APP_HOSTS", None)
    return validate_host(hostname, app_hosts if app_hosts is not None else settings.ALLOWED_HOSTS)


def verified_domain_cache_key(hostname: str) -> str:
    """The cache key of whether `hostname` is a verified whitelabel domain
    (flowadmin.middleware.is_verified_domain); deleted when a domain is verified or removed."""
    return f"verified-domain:{hostname}"
