"""The HTTP side of SCIM: bearer-token authentication, rate limiting, SCIM JSON responses and
the one place SCIM error bodies are built (`error_response`). Views are wrapped in
`scim_endpoint`, which turns every refusal into an RFC 7644 §3.12 error."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import wraps

import pydantic
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from scim2_models import Context, Error, InvalidSyntaxException, SCIMException

from audit.context import Actor, acting_as

from ..errors import LastAdminError, ServiceError
from ..models import ScimToken

CONTENT_TYPE = "application/scim+json"
# How often a token's "last used" time is written (a busy IdP would otherwise update it on
# every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token: what is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def json_response(payload: dict, status: int = 200, *, headers: dict | None = None):
    """A SCIM response: `payload` (already in SCIM JSON shape) as application/scim+json."""
    response = HttpResponse(json.dumps(payload), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(status: int, detail: str, scim_type: str | None = None):
    """The SCIM error body (urn:ietf:params:scim:api:messages:2.0:Error) with `status`;
    `scim_type` is one of RFC 7644 Table 9 (invalidFilter, uniqueness, invalidValue…)."""
    error = Error(status=status, scim_type=scim_type, detail=detail)
    headers = {"WWW-Authenticate": 'Bearer realm="SCIM"'} if status == 401 else None
    return json_response(
        error.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE), status, headers=headers
    )


def _validation_error(error: pydantic.ValidationError):
    """A refused payload: scim2-models reports SCIM error types as `scim_<scimType>`."""
    first = error.errors()[0]
    kind = first.get("type", "")
    where = ".".join(str(part) for part in first.get("loc", ()))
    detail = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    if kind.startswith("scim_") and kind != "scim_error":
        return error_response(400, detail, kind.removeprefix("scim_"))
    if kind == "extra_forbidden":
        return error_response(400, f"Unknown attribute {where!r}.", "invalidSyntax")
    if kind == "missing":
        return error_response(400, f"{where} is required.", "invalidValue")
    return error_response(400, detail, "invalidValue")


def _service_error(error: ServiceError):
    if error.code == "duplicate":
        return error_response(409, error.text, "uniqueness")
    if isinstance(error, LastAdminError):
        return error_response(400, error.text, "mutability")
    return error_response(400, error.text, "invalidValue")


def read_json(request) -> dict:
    """The request body as a JSON object; SCIMException (invalidSyntax) when it is not."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise InvalidSyntaxException(detail="The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="The request body must be a JSON object.")
    return body


# --- authentication and rate limiting ----------------------------------------------------


def _over_limit(key: str, limit: int, window: int) -> bool:
    """Fixed-window counter in the cache: True once `key` made more than `limit` calls in the
    current `window` seconds."""
    bucket = f"scim:rl:{key}:{int(timezone.now().timestamp()) // window}"
    cache.add(bucket, 0, window)
    try:
        return cache.incr(bucket) > limit
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, window)
        return False


def _bearer(request) -> str:
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def authenticate(request, org_slug: str) -> ScimToken | None:
    """The active token of org `org_slug` the request carries, or None. A token of another org
    is None too, so a 401 never tells whether an org exists."""
    token = _bearer(request)
    if not token:
        return None
    found = (
        ScimToken.objects.select_related("org")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, org__slug=org_slug)
        .first()
    )
    if found is not None:
        now = timezone.now()
        if found.last_used_at is None or found.last_used_at < now - LAST_USED_RESOLUTION:
            # An UPDATE, not save(): using a token is not a change to log.
            ScimToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
    return found


def scim_endpoint(view):
    """Wrap a SCIM view `view(request, token, *args)`: CSRF-exempt (bearer auth, no cookies),
    rate limited, authenticated by the org's token, run with the token as the activity log's
    actor, and every refusal answered with a SCIM error body."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, org_slug, *args, **kwargs):
        limit, window = settings.SCIM_RATE_LIMIT
        ip = request.META.get("REMOTE_ADDR") or ""
        raw = _bearer(request)
        client = hash_token(raw) if raw else f"ip:{ip}"
        if _over_limit(client, limit, window):
            response = error_response(429, "Too many requests: slow down and retry.")
            response["Retry-After"] = str(window)
            return response
        token = authenticate(request, org_slug)
        if token is None:
            if _over_limit(f"fail:{ip}", settings.SCIM_FAILED_AUTH_LIMIT, window):
                return error_response(429, "Too many failed attempts.")
            return error_response(401, "A valid SCIM bearer token is required.")
        try:
            with acting_as(Actor(None, token.actor_label, ip)):
                return view(request, token, *args, **kwargs)
        except SCIMException as error:
            return error_response(error.status, error.detail, error.scim_type or None)
        except pydantic.ValidationError as error:
            return _validation_error(error)
        except ServiceError as error:
            return _service_error(error)

    return wrapper
