"""Test settings: fast hashing, in-memory email, plain static storage."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default=BASE_DIR / ".test-media")
FIELD_ENCRYPTION_KEYS = []
# Tasks run in the test's process (the scale-out tests start real workers themselves).
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
SHORT_LINK_HOST = "flow.test"
SHORT_LINK_SCHEME = "https"
# Each database gets its own test database name so parallel runs don't collide.
DATABASES["default"].setdefault("TEST", {})
SSO_ALLOW_HTTP_LOOPBACK = True
