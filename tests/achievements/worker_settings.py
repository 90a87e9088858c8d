"""Settings of the Celery worker that test_celery_worker.py starts: the production settings, with
every Redis key of the broker under the run's prefix (TEST_REDIS_KEY_PREFIX, tests/helpers.py), so
that the worker shares a developer's Redis without touching a key the suite does not own."""

import os

from lms_portal.settings.production import *  # noqa: F403
from lms_portal.settings.production import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": os.environ["TEST_REDIS_KEY_PREFIX"],
}
