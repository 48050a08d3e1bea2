"""Settings shared by every environment. Deployment values come from the environment
(or a `.env` file beside manage.py) through django-environ."""

from pathlib import Path

import environ
from django_guid.integrations import CeleryIntegration

from flowadmin.database import postgres_options, sqlite_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# In DEBUG (the demo) show the designed 403/404/500 pages, not the technical ones.
DESIGNED_ERROR_PAGES = env.bool("DESIGNED_ERROR_PAGES", default=True)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-flowadmin-development-only-key-000000")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
# None: Django's ALLOWED_HOSTS check alone; production sets it (middleware.HostsMiddleware).
APP_HOSTS = None
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "health_check",
    "django_prometheus",
    "django_guid",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    # Each signed-in session, per user: so enforcing an org's SSO can end the sessions that
    # did not sign in through it (orgs.services.sso_configure). No pages, no middleware.
    "allauth.usersessions",
    "flowadmin.apps.FlowadminConfig",
    "orgs",
    "workspaces",
    "audit",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # A request id (X-Request-ID, kept from the load balancer or made) on every log line.
    "django_guid.middleware.guid_middleware",
    "flowadmin.middleware.HostsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /s/<code> is answered here: what follows is the console's (README "Results").
    "flowadmin.middleware.ShortLinkMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "flowadmin.params.QueryParametersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "flowadmin.htmx.VaryOnHtmxMiddleware",
    "flowadmin.middleware.HtmxSessionMiddleware",
    "flowadmin.middleware.DesignedErrorPagesMiddleware",
    "flowadmin.middleware.ActorContextMiddleware",
    "flowadmin.routers.ReadYourWritesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "flowadmin.middleware.BusyMiddleware",
    "flowadmin.middleware.UnreadableSecretsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "flowadmin.urls"
WSGI_APPLICATION = "flowadmin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "flowadmin.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Bounded waits (seconds; README "Concurrency"): a lock wait longer than this ends as a 503
# "busy, try again" page with nothing written.
DATABASE_LOCK_TIMEOUT = env.float("DATABASE_LOCK_TIMEOUT", default=5.0)
DATABASE_STATEMENT_TIMEOUT = env.float("DATABASE_STATEMENT_TIMEOUT", default=30.0)
DATABASE_IDLE_IN_TRANSACTION_TIMEOUT = env.float(
    "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", default=60.0
)
BUSY_RETRY_AFTER = 2  # seconds, the 503 page's Retry-After
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = postgres_options(
        lock_timeout=DATABASE_LOCK_TIMEOUT,
        statement_timeout=DATABASE_STATEMENT_TIMEOUT,
        idle_in_transaction_timeout=DATABASE_IDLE_IN_TRANSACTION_TIMEOUT,
    )
    # psycopg prepares a statement a server-binding cursor has run 5 times on a connection.
    # Django's own cursors bind on the client and never prepare: only the scan redirect's
    # statement is prepared (flowadmin.database.prepared_cursor). Off for PgBouncer < 1.21.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        5 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        sqlite_options(busy_timeout=DATABASE_LOCK_TIMEOUT)
    )
# A streaming replica of the primary for the heavy read-only pages (flowadmin/routers.py).
if DATABASE_REPLICA_URL := env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["OPTIONS"] = DATABASES["default"].get("OPTIONS", {})
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["flowadmin.routers.ReplicaRouter"]
# Seconds after a write during which that browser reads only the primary (read-your-writes).
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    # Login throttling first: it refuses locked-out attempts before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Logs in people whom django-allauth authenticated (SSO sign-ins, 2FA stages).
    "allauth.account.auth_backends.AuthenticationBackend",
    # Answers user.has_perm("<capability>", org_or_workspace) from orgs.permissions.
    "orgs.backends.PolicyBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "flowadmin.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- shared state for many web instances (README "Deployment") -----------------------------
# Unset, `make run` keeps the zero-setup defaults: a per-process locmem cache, database sessions
# and uploads under MEDIA_ROOT. Set, every instance shares Redis and S3-compatible storage.
REDIS_URL = env("REDIS_URL", default="")
# Django's database sessions, read by one SELECT written once (flowadmin/sessions).
SESSION_ENGINE = "flowadmin.sessions.db"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="flowadmin"),
            # Seconds; a Redis that stops answering fails the request instead of hanging it.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
    # Read from Redis, written through to the database: a Redis restart signs nobody out.
    SESSION_ENGINE = "flowadmin.sessions.cached_db"

# Every upload (avatars, workspace assets, brand-kit logos) goes to this bucket when it is set;
# files are only ever served by the member-only views, which stream them from storage.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    # None: AWS itself; set for an S3-compatible server (MinIO, Ceph, moto in the tests).
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a role).
    AWS_DEFAULT_ACL = None  # the bucket's policy: private
    AWS_S3_FILE_OVERWRITE = False  # a name taken gets a suffix, as on the filesystem
    AWS_QUERYSTRING_EXPIRE = 300  # seconds a signed URL lasts, where one is handed out

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds before an unresponsive SMTP server fails a send (invitations, password resets).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="flowadmin <no-reply@flowadmin.test>")

# --- background tasks (flowadmin/celery.py) ------------------------------------------------
# Unset: tasks run eagerly in the process that queues them (`make run`, the tests). Set (e.g.
# redis://host:6379/1): web instances queue, `celery -A flowadmin worker` runs them and
# `celery -A flowadmin beat` queues the schedule below.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
# The queue web instances put tasks on and workers read (one per deployment sharing a Redis).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="flowadmin")
CELERY_TASK_IGNORE_RESULT = True  # tasks record their outcome in the database
# A task is acknowledged once done, so a worker killed mid-task leaves it to another worker;
# tasks are idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Seconds a queued task may wait unacknowledged before Redis hands it to another worker: longer
# than the longest task (a large export).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE = {
    "expire-invitations": {
        "task": "orgs.tasks.expire_invitations",
        "schedule": env.int("EXPIRE_INVITATIONS_EVERY_SECONDS", default=15 * 60),
    },
    # The activity log's signed checkpoints and its streams (audit/tasks.py).
    "checkpoint-activity": {
        "task": "audit.tasks.checkpoint_activity",
        "schedule": env.int("ACTIVITY_CHECKPOINT_EVERY_SECONDS", default=10 * 60),
    },
    "deliver-activity-streams": {
        "task": "audit.tasks.deliver_activity_streams",
        "schedule": env.int("ACTIVITY_STREAM_EVERY_SECONDS", default=60),
    },
    "verify-activity": {
        "task": "audit.tasks.verify_activity",
        "schedule": env.int("ACTIVITY_VERIFY_EVERY_SECONDS", default=24 * 60 * 60),
    },
    # Expiring access (orgs.access_expiry): ended grants removed, reminders sent.
    "expire-access": {
        "task": "orgs.tasks.expire_access",
        "schedule": env.int("EXPIRE_ACCESS_EVERY_SECONDS", default=15 * 60),
    },
    "expire-domain-claims": {
        "task": "orgs.tasks.expire_domain_claims",
        "schedule": env.int("EXPIRE_DOMAIN_CLAIMS_EVERY_SECONDS", default=60 * 60),
    },
    # Access reviews past their deadline: report or remove the unreviewed items.
    "close-access-reviews": {
        "task": "orgs.tasks.close_access_reviews",
        "schedule": env.int("CLOSE_ACCESS_REVIEWS_EVERY_SECONDS", default=5 * 60),
    },
}
# Days a domain claim may stay unverified before it lapses (and no longer counts anywhere).
DOMAIN_CLAIM_TTL_DAYS = env.int("DOMAIN_CLAIM_TTL_DAYS", default=7)

# flowadmin's own settings
# Empty: the host the console is served on (flowadmin.hosts.short_link_host).
SHORT_LINK_HOST = env("SHORT_LINK_HOST", default="")
SHORT_LINK_SCHEME = env("SHORT_LINK_SCHEME", default="http")
# Fernet keys for stored secrets, newest first (orgs.crypto). Empty: only the key derived from
# SECRET_KEY, for development; production requires them.
# The single key of earlier versions (FIELD_ENCRYPTION_KEY), when still set, decrypts after them.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) + (
    [env("FIELD_ENCRYPTION_KEY")] if env("FIELD_ENCRYPTION_KEY", default="") else []
)
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# Days before a grant's end (orgs.expiry) that the member and the org's admins are emailed.
ACCESS_EXPIRY_REMINDER_DAYS = env.int("ACCESS_EXPIRY_REMINDER_DAYS", default=7)
# Activity exports of more entries than this are written by a background task and offered for
# download when ready; smaller ones stream from the request.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=50_000)
# Retries of an invitation email after an SMTP error (30 s, 1, 2, 4, 8 min…) before it shows
# "not delivered".
INVITATION_EMAIL_RETRIES = env.int("INVITATION_EMAIL_RETRIES", default=5)
INVITATION_EMAIL_RETRY_SECONDS = env.int("INVITATION_EMAIL_RETRY_SECONDS", default=30)
# Where this site is reached, for links in emails sent outside a request (e.g. `invite`).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# The path prefix the app is mounted under ("/flowadmin"), when it is: a request learns it from
# SCRIPT_NAME, but links made outside one (short links in jobs and commands) only from here.
FORCE_SCRIPT_NAME = env("FORCE_SCRIPT_NAME", default=None)
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=2 * 1024 * 1024)
ASSET_MAX_BYTES = env.int("ASSET_MAX_BYTES", default=10 * 1024 * 1024)

# The activity log's keys (audit/keys.py): HMAC chain keys "id:base64,…" (the first signs) and
# the Ed25519 checkpoint key (base64 of 32 raw bytes). Unset: derived from SECRET_KEY, for
# development and tests only — production settings require them.
ACTIVITY_CHAIN_KEYS = env("ACTIVITY_CHAIN_KEYS", default="")
ACTIVITY_SIGNING_KEY = env("ACTIVITY_SIGNING_KEY", default="")
ACTIVITY_VERIFY_KEY = env("ACTIVITY_VERIFY_KEY", default="")
# Signed checkpoints of every org's chain head (audit/checkpoints.py) go to this directory and,
# when ACTIVITY_S3_BUCKET is set, to that S3-compatible bucket too (django-storages).
ACTIVITY_CHECKPOINT_DIR = env.path(
    "ACTIVITY_CHECKPOINT_DIR", default=BASE_DIR / "activity-checkpoints"
)
if ACTIVITY_S3_BUCKET := env("ACTIVITY_S3_BUCKET", default=""):
    STORAGES["activity_s3"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ACTIVITY_S3_BUCKET,
            "endpoint_url": env("ACTIVITY_S3_ENDPOINT_URL", default=None),
            "region_name": env("ACTIVITY_S3_REGION", default=None),
            "access_key": env("ACTIVITY_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("ACTIVITY_S3_SECRET_ACCESS_KEY", default=None),
            "file_overwrite": False,
        },
    }

# Login throttling (django-axes): lock a user+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)

# SCIM (orgs.scim): requests per token per window (seconds), and failed authentications per
# client IP per window. Counted in the default cache.
SCIM_RATE_LIMIT = (
    env.int("SCIM_RATE_LIMIT", default=1200),
    env.int("SCIM_RATE_WINDOW_SECONDS", default=60),
)
SCIM_FAILED_AUTH_LIMIT = env.int("SCIM_FAILED_AUTH_LIMIT", default=30)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login form posts the email in a field named "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
# Keyed on the normalised email, as sign-in compares it (flowadmin.throttling).
AXES_USERNAME_CALLABLE = "flowadmin.throttling.axes_username"
# Password-reset emails per address (django-ratelimit syntax: count/period).
PASSWORD_RESET_RATE = env("PASSWORD_RESET_RATE", default="3/h")
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sign-in: django-allauth runs the SSO flows (socialaccount: OpenID Connect and SAML 2.0, one
# app per org built from orgs.SSOConfiguration by flowadmin.sso_adapters) and two-factor
# authentication (mfa). The login page itself is flowadmin.signin (email first).
ACCOUNT_ADAPTER = "flowadmin.sso_adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "flowadmin.sso_adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT", default=10)
MFA_ADAPTER = "flowadmin.sso_adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="flowadmin")
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# An SSO sign-in satisfies an org's "Require two-factor authentication": the IdP is responsible
# for the second factor. False: people signing in through SSO also enrol and enter a code here.
SSO_SATISFIES_TWO_FACTOR = env.bool("SSO_SATISFIES_TWO_FACTOR", default=True)
# Loopback IdPs may use http:// (tests, `make sso-demo`); every other IdP URL must be https://.
SSO_ALLOW_HTTP_LOOPBACK = env.bool("SSO_ALLOW_HTTP_LOOPBACK", default=DEBUG)

# Logs: one JSON object per line with the request id when LOG_JSON is on (production's
# default), plain text otherwise; either way each line carries the request's id.
LOG_JSON = env.bool("LOG_JSON", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {"correlation_id": "request_id", "levelname": "level"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_JSON else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django_guid": {"level": "WARNING"}},
}
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": False,  # keep the load balancer's id whatever its format
    "IGNORE_URLS": ["healthz", "readyz", "metrics"],
    # Tasks log the id of the request that queued them.
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True)],
}

# --- operations: /healthz, /readyz, /metrics (flowadmin/operations.py) ---------------------
# Who may read /metrics: addresses or networks (the Prometheus scraper's).
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])

# Content-Security-Policy on every response (django-csp): scripts only from our own static
# files (no inline script or handler anywhere), no plugins, no framing, forms post only here.
# Inline style attributes stay allowed (brand-kit swatches, chart bars, htmx's indicator style).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
