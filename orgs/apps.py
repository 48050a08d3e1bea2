from django.apps import AppConfig


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orgs"
    verbose_name = "Organizations and people"

    def ready(self):
        from . import lookups

        lookups.register()

        from django.core import checks

        checks.register(field_encryption_keys_check, checks.Tags.security)


def field_encryption_keys_check(app_configs, **kwargs):
    """`manage.py check`: every FIELD_ENCRYPTION_KEYS entry is a Fernet key."""
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    from . import crypto

    try:
        crypto.keys()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="orgs.E001")]
    return []
