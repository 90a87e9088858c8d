"""Settings for a development machine: `manage.py`'s default and what `make run` uses.

DEBUG is on unless DEBUG=off, a development SECRET_KEY stands in while DEBUG is on, static files
are served plain, e-mail is written to files in var/mail and Celery defaults to the embedded
filesystem broker, so nothing else has to be installed or started.
"""

from common.observability import logging_config

from .base import *  # noqa: F403
from .base import LOG_LEVEL, STORAGES, VAR_DIR, celery_broker_transport_options, env

DEBUG = env.bool("DEBUG", default=True)
# A development key is only acceptable while DEBUG is on. Without DEBUG and without SECRET_KEY the
# key stays empty, as in production (see base.py).
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    "django-insecure-development-only-key-do-not-use-in-production" if DEBUG else ""
)

if DEBUG:
    STORAGES = {
        **STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

# Mail (the award e-mails of the demo, password resets) is written to files in var/mail, one per
# message, where the web server and the worker both put theirs; EMAIL_URL sends it elsewhere
# (smtp://127.0.0.1:1025 for docker-compose's Mailpit, consolemail:// to print it).
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
    )
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

# Celery. The embedded default is Kombu's filesystem transport: a folder of message files that a
# worker and beat on the same machine share, with nothing to install or start. Its folders are
# made by the Celery app when it is configured with it (lms_portal/celery.py), not here.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker_transport_options(CELERY_BROKER_URL)

# Logs for a person to read; LOG_FORMAT=json gives production's lines.
LOG_FORMAT = env.str("LOG_FORMAT", default="console")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
