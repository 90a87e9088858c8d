"""The Celery application: settings under the CELERY_ namespace, tasks autodiscovered per app.

Without DJANGO_SETTINGS_MODULE the app uses the production settings; `make run` sets the local
ones. With the embedded filesystem broker the app makes the broker's folders when it is
configured: importing the settings creates nothing on disk.
"""

import logging.config
import os
from pathlib import Path

from celery import Celery
from celery.signals import setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_portal.settings.production")

app = Celery("lms_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The worker binds the context (request id, user) that the web request queuing a task sent in its
# headers, so that the task's log lines carry the request id (common/observability.py).
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def _log_as_the_web_does(**kwargs) -> None:
    # With a receiver here Celery leaves logging alone: the worker's and beat's lines are the
    # portal's own (JSON in production), not Celery's format.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# The transport options of Kombu's filesystem transport that name a folder.
FILESYSTEM_BROKER_FOLDERS = (
    "data_folder_in",
    "data_folder_out",
    "processed_folder",
    "control_folder",
)


def create_filesystem_broker_folders(conf) -> list[Path]:
    """Make the folders of the filesystem broker if `conf` uses it (Kombu expects them to exist);
    returns them. Any other broker: nothing to do."""
    if not (conf.broker_url or "").startswith("filesystem://"):
        return []
    options = conf.broker_transport_options or {}
    folders = [Path(options[key]) for key in FILESYSTEM_BROKER_FOLDERS if options.get(key)]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


@app.on_after_configure.connect
def _prepare_broker(sender, source, **kwargs) -> None:
    # Sent once per process, when the configuration is first read: by a worker or beat at
    # start-up, by a web process or command when it first sends a task.
    create_filesystem_broker_folders(source)
