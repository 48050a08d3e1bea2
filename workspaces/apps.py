from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workspaces"
    verbose_name = "Workspaces and content"

    def ready(self):
        # Registers the audience's background export kind with audit.exports.
        from .services import content  # noqa: F401
