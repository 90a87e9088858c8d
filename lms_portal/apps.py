from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor: settings, URL configuration, the dashboard and the demo data. Only this
    package knows every app."""

    name = "lms_portal"
    verbose_name = "Portal"

    def ready(self):
        from common.lookups import register_integer_lookups

        register_integer_lookups()
