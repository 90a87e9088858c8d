"""Settings of the portal processes the reliability tests start (gunicorn, Celery workers): the
test settings, with Celery's eager mode switchable so that a real broker can be used."""

from lms_portal.settings.test import *  # noqa: F403
from lms_portal.settings.test import env

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
