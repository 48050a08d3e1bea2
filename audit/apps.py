from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Activity log"

    def ready(self):
        from . import checks, receivers  # noqa: F401 — checks registers on import

        receivers.connect()
