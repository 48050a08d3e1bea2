"""Settings for `python -m bench`: the base settings (same DATABASE_URL as the app) with DEBUG
off, so pages are timed as in production, and the test client's host allowed."""

import warnings

from flowadmin.settings.base import *  # noqa: F403
from flowadmin.settings.base import ALLOWED_HOSTS, BASE_DIR, DATABASES, LOGGING, env

DEBUG = False
# The site's URLs plus the baselines it is compared with (stock admin, bare redirect views).
ROOT_URLCONF = "bench.urls"
# Persistent connections, as in production (flowadmin/settings/production.py).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "testserver" not in ALLOWED_HOSTS:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Static files are never requested by the benchmark; finders avoid whitenoise's warning about
# a missing STATIC_ROOT when collectstatic was not run.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
# The workspaces' demo files (brand-kit logos, assets) go beside the benchmark, not the demo's.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "bench" / "media")
# The bench org's signed checkpoints, beside the benchmark.
ACTIVITY_CHECKPOINT_DIR = env.path(
    "ACTIVITY_CHECKPOINT_DIR", default=BASE_DIR / "bench" / "checkpoints"
)
# Quiet: the benchmark prints its own progress and tables.
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
