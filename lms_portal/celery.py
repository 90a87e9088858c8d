"""The Celery application: settings under the CELERY_ namespace, tasks autodiscovered per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_portal.settings")

app = Celery("lms_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
