from django.apps import AppConfig


class DeliveriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "deliveries"
    verbose_name = "Deliveries (award e-mails, Credly)"

    def ready(self) -> None:
        from deliveries import listeners

        listeners.register()
