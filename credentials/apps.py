from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credentials"
    verbose_name = "Credentials (Open Badges)"

    def ready(self) -> None:
        from badges.events import issuance_listen

        from . import checks  # noqa: F401 - registers the system checks
        from .ob3_services import on_issuance_reinstated, on_issuance_revoked

        # The status list's bit is set and cleared inside the revoking transaction.
        issuance_listen("revoked", on_issuance_revoked)
        issuance_listen("reinstated", on_issuance_reinstated)
