"""Hostname validation and DNS TXT verification of custom domains."""

import re

from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# The refusal when another org verified the hostname: it names no tenant.
CLAIM_REFUSED = "{host} can't be added: it is verified for use elsewhere."
RESERVED_SUFFIXES = (".local", ".localhost", ".invalid", ".test.invalid")


def normalize_hostname(value: str) -> str:
    return (value or "").strip().lower().rstrip(".")


def validate_hostname(value: str) -> str:
    """A fully-qualified public hostname (no scheme, path, port or wildcard); returns it
    normalized."""
    host = normalize_hostname(value)
    if not host:
        raise ValidationError("Enter a hostname, e.g. go.example.com.", code="required")
    if "://" in host or "/" in host or ":" in host:
        raise ValidationError(
            "Enter only the hostname, without http://, a port or a path.", code="invalid"
        )
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError("This is not a valid hostname.", code="invalid") from None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(
            "This is not a valid hostname: use letters, digits and hyphens, with at least one dot.",
            code="invalid",
        )
    if labels[-1].isdigit():
        raise ValidationError("Enter a hostname, not an IP address.", code="invalid")
    if host.endswith(RESERVED_SUFFIXES) or host == "localhost":
        raise ValidationError("This hostname cannot be used publicly.", code="invalid")
    return host


def lookup_txt(name: str) -> list[str]:
    """The TXT records published at `name` (empty when none or on a DNS failure).
    Tests replace this function."""
    import dns.exception
    import dns.resolver

    try:
        answers = dns.resolver.resolve(name, "TXT", lifetime=5)
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(rdata.strings).decode(errors="replace") for rdata in answers]
