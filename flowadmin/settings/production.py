"""Production: everything secret or host-specific must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, FIELD_ENCRYPTION_KEYS, LOGGING, STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# Persistent connections: each gunicorn worker keeps its connection for CONN_MAX_AGE seconds
# instead of opening one per request (a connect costs milliseconds, more than the scan redirect
# itself); Django checks a reused connection before handing it to a request. With many
# instances, put PgBouncer (transaction mode) in front of PostgreSQL (README "Configuration").
for database in DATABASES.values():  # the primary and, when set, the replica
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    # django-prometheus' wrapper of the same backend: query counts and errors in /metrics.
    database["ENGINE"] = database["ENGINE"].replace(
        "django.db.backends.", "django_prometheus.db.backends."
    )
# One JSON object per log line, with the request id (LOG_JSON=0 for plain text).
LOGGING["handlers"]["console"]["formatter"] = (
    "json" if env.bool("LOG_JSON", default=True) else "text"
)
# The console's hosts; verified whitelabel domains may also reach /s/<code>, so Django's own host
# check is opened and flowadmin.middleware.HostsMiddleware enforces both.
APP_HOSTS = env.list("ALLOWED_HOSTS")
ALLOWED_HOSTS = ["*"]
# The activity log's keys never default in production (`manage.py activity_keys` makes a set).
ACTIVITY_CHAIN_KEYS = env("ACTIVITY_CHAIN_KEYS")
ACTIVITY_SIGNING_KEY = env("ACTIVITY_SIGNING_KEY")
if not (ACTIVITY_CHAIN_KEYS and ACTIVITY_SIGNING_KEY):
    raise ImproperlyConfigured("ACTIVITY_CHAIN_KEYS and ACTIVITY_SIGNING_KEY must not be empty.")
# Stored secrets never depend on SECRET_KEY alone in production (orgs.crypto).
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        'FIELD_ENCRYPTION_KEYS must list at least one Fernet key (README "Configuration").'
    )

# Uploads: the filesystem or S3, as base.py chose from the environment.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Never plain-http identity providers or WebAuthn origins in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
SSO_ALLOW_HTTP_LOOPBACK = env.bool("SSO_ALLOW_HTTP_LOOPBACK", default=False)
