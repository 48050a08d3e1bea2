"""Which Host headers the app answers.

The console runs on the hosts of `ALLOWED_HOSTS`. Flow short links may also point at an org's
verified whitelabel domains (SPEC §2), which operators cannot list in advance. In production
Django's own check is therefore opened (`ALLOWED_HOSTS = ["*"]`) and this middleware takes its
place: the configured hosts reach everything, a verified domain reaches only `/s/<code>`, any
other host gets 400.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseBadRequest
from django.http.request import split_domain_port, validate_host

from orgs.models import Domain, DomainStatus

CACHE_SECONDS = 60


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
        app_hosts = getattr(settings, "APP_HOSTS", None)
        if app_hosts is not None:
            host, _port = split_domain_port(request.get_host())
            if not validate_host(host, app_hosts) and not (
                request.path.startswith("/s/") and host and is_verified_domain(host)
            ):
                return HttpResponseBadRequest("Unknown host.", content_type="text/plain")
        return self.get_response(request)
