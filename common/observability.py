"""Logs and errors: the logging configuration (JSON lines in production, one per record, with the
request id), the receivers that bind the client's address and answer with the request id, and
Sentry's start when SENTRY_DSN is set.

django-structlog's middleware gives each request an id and binds it (with the user's id) to the
context of everything logged while answering it; its Celery receivers carry that context in the
headers of every task the request queues, and bind it again in the worker, so the task's log lines
carry the request id that queued it. Loggers of the standard library (`logging.getLogger`) get the
same fields: the formatter merges the context into every record.
"""

from __future__ import annotations

import sentry_sdk
import structlog

from .client_address import client_address

LOG_FORMATS = ("json", "console")

# What every record goes through, from structlog or from the standard library.
_SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


def logging_config(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: every record to standard error, as JSON or for a person to read."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    renderer = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    final = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if log_format == "json":
        final.append(structlog.processors.format_exc_info)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [*final, renderer],
                "foreign_pre_chain": _SHARED_PROCESSORS,
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def structlog_configure() -> None:
    """structlog's loggers (django-structlog's) hand their events to the standard library's
    handlers, so that one formatter renders every line."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def bind_request_metadata(sender, request, logger, **kwargs) -> None:
    """django-structlog's `bind_extra_request_metadata`: the request's lines say which client
    they answer, the address the lockout and the audit trail use (its own would trust any
    X-Forwarded-For); an error sent to Sentry carries the request id, to find its log lines."""
    structlog.contextvars.bind_contextvars(ip=client_address(request.META))
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        sentry_sdk.set_tag("request_id", request_id)


def answer_with_request_id(sender, request, response, logger, **kwargs) -> None:
    """django-structlog's `bind_extra_request_finished_metadata`: the response names its request
    id (X-Request-ID), so that a person reporting a problem can quote it and the logs find it."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        response["X-Request-ID"] = request_id


def sentry_init(
    *, dsn: str, environment: str, release: str, traces_sample_rate: float = 0.0
) -> bool:
    """Send errors to Sentry, with its Django and Celery integrations, when `dsn` is set; without
    it nothing starts and nothing is sent. Returns whether it started."""
    if not dsn:
        return False
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=False)],
        traces_sample_rate=traces_sample_rate,
        # No e-mail addresses, names or cookies of students leave the portal.
        send_default_pii=False,
    )
    return True
