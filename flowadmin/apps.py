from django.apps import AppConfig


class FlowadminConfig(AppConfig):
    """The project package as an app, so its signal receivers (sign-in glue) connect once."""

    name = "flowadmin"

    def ready(self):
        from . import signin, sso_adapters  # noqa: F401 - connects their receivers
