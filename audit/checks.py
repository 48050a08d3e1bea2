"""System checks: the activity log's keys parse (so a bad key fails `check`, not a write)."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import keys


@checks.register(checks.Tags.security)
def activity_keys_check(app_configs, **kwargs):
    errors = []
    for check_id, load in (("audit.E001", keys.chain_keys), ("audit.E002", keys.verify_key)):
        try:
            load()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id=check_id))
    return errors
