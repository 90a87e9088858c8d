import pytest

from lms_portal.celery import app as portal_app


def _forget_broker_connections():
    # Celery keeps a pool of broker connections per app, made for the broker of the moment.
    if portal_app._pool is not None:
        portal_app._pool.force_close_all()
        portal_app._pool = None
    portal_app.amqp._producer_pool = None


@pytest.fixture
def portal_app_on():
    """Point the portal's own Celery app at a real broker instead of eager mode, for one test."""
    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    saved = {key: portal_app.conf[key] for key in keys}

    def point_at(broker_url: str, transport_options: dict | None = None):
        _forget_broker_connections()
        portal_app.conf.update(
            broker_url=broker_url,
            broker_transport_options={
                **(saved["broker_transport_options"] or {}),
                **(transport_options or {}),
            },
            task_always_eager=False,
        )

    yield point_at
    _forget_broker_connections()
    portal_app.conf.update(saved)
