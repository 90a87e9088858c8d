from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor: settings, URL configuration, the dashboard and the demo data. Only this
    package knows every app."""

    name = "lms_portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from django_structlog import signals

        from common.lookups import register_integer_lookups
        from common.observability import answer_with_request_id, bind_request_metadata

        register_integer_lookups()

        signals.bind_extra_request_metadata.connect(
            bind_request_metadata, dispatch_uid="portal_bind_request_metadata"
        )
        signals.bind_extra_request_finished_metadata.connect(
            answer_with_request_id, dispatch_uid="portal_answer_with_request_id"
        )
        # A server error's page too: the person who saw it can quote the id.
        signals.update_failure_response.connect(
            answer_with_request_id, dispatch_uid="portal_answer_failure_with_request_id"
        )
