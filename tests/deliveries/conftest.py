"""Fixtures of the delivery tests: a real SMTP server and a Credly stand-in, each on a free
127.0.0.1 port for the length of one test."""

import pytest

from tests.tools.credly_standin import CredlyStandin
from tests.tools.smtp_server import SmtpServer


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server, and Django's SMTP backend pointed at it (no TLS, no login)."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        yield server


@pytest.fixture
def credly_standin(settings):
    """A running Credly stand-in. Its `api_url`, `organization_id` and `token` are what an
    organization's Credly settings would hold; the client's read timeout is shortened so that a
    scripted timeout (`time_out_next(2)`) is one."""
    settings.CREDLY_CONNECT_TIMEOUT_SECONDS = 2.0
    settings.CREDLY_READ_TIMEOUT_SECONDS = 0.5
    with CredlyStandin() as standin:
        yield standin
