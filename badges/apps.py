from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "badges"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from . import audit

        request_started.connect(audit.request_started, dispatch_uid="badges_audit_started")
        request_finished.connect(audit.request_finished, dispatch_uid="badges_audit_finished")
