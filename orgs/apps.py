from django.apps import AppConfig


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orgs"
    verbose_name = "Organizations and people"

    def ready(self):
        from . import lookups

        lookups.register()
