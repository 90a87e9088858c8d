"""Property-based: schemathesis generates requests from the OpenAPI document (every operation,
valid and invalid inputs) and sends them with a valid token to the Django WSGI application.
No answer may be a 5xx, and every answer must match the schema it is documented with.
Derandomized and bounded, so it runs the same in well under a minute."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.api import api
from tests.api.conftest import make_integration, make_world

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

MAX_EXAMPLES = 15


@pytest.fixture(autouse=True)
def one_connection_per_test():
    """As Django's test client does: a request's start and end do not close the connection (it
    holds the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    world = make_world()
    return make_integration(organization=world.organization, requests_per_minute=100_000).token


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_request_within_its_schema(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
