from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor: settings, URL configuration, the dashboard and the demo data. Only this
    package knows every app."""

    name = "lms_portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django_structlog import signals

        from common.observability import answer_with_request_id, bind_client_address

        signals.bind_extra_request_metadata.connect(
            bind_client_address, dispatch_uid="portal_log_client_address"
        )
        signals.bind_extra_request_finished_metadata.connect(
            answer_with_request_id, dispatch_uid="portal_answer_with_request_id"
        )
