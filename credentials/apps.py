from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credentials"
    verbose_name = "Credentials (Open Badges)"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
