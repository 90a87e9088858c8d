"""Settings shared by every environment of the badge portal, read from the environment (12-factor).

Pick one of the modules beside this one with DJANGO_SETTINGS_MODULE: `local` (manage.py's default,
and what `make run` uses), `production` (the default of wsgi.py and the Celery app) or `test` (the
suite's, from pyproject.toml). This module is the shared part and is not meant to be used alone.

With no environment at all the local settings run on a SQLite file and an embedded, file-based
Celery broker, so `make run` needs no external server. Production sets DATABASE_URL (PostgreSQL),
CELERY_BROKER_URL (Redis), SECRET_KEY and ALLOWED_HOSTS.

Importing a settings module creates nothing on disk: the folders of the filesystem broker are made
by the Celery app when it is configured with that broker (lms_portal/celery.py).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from common.client_address import networks_of
from common.observability import logging_config, structlog_configure

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# local.py turns DEBUG on by default; production.py forces it off.
DEBUG = env.bool("DEBUG", default=False)
# Without SECRET_KEY the key stays empty: tooling that never signs anything (makemigrations,
# collectstatic) still runs, Django refuses anything that needs the key, and the web server refuses
# to start (wsgi.py). Only local.py falls back on a development key, and only while DEBUG is on.
SECRET_KEY = env.str("SECRET_KEY", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# The portal's public address: every Open Badges document, verification link and baked image
# names it, so it must be the address people and verifiers reach (https in production).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The key-encryption keys of the secrets kept in the database (signing keys, API tokens):
# common/crypto.py. Comma-separated Fernet keys, newest first; never stored in the database.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "csp",
    "axes",
    "django_structlog",
    "django_prometheus",
    "common",
    "accounts",
    "catalog",
    "classes",
    "assignments",
    "achievements",
    "badges",
    "credentials",
    "deliveries",
    "awarding",
    "ninja",
    "api",
    "lms_portal",
]

MIDDLEWARE = [
    # First and last: django-prometheus times the whole answer.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "common.middleware.PrivatePagesMiddleware",
    # After authentication, so that every line logged while answering names the user.
    "django_structlog.middlewares.RequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last but one, as django-axes requires: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "lms_portal.urls"
WSGI_APPLICATION = "lms_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles the sweep's and the export's large statements every time they
    # run, and the compiling costs more than it saves (5.2 s of a 7.6 s export of 104,372 rows,
    # docs/performance.md): off for the portal's sessions unless DATABASE_JIT=on.
    if not env.bool("DATABASE_JIT", default=False):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the busy timeout waits for a lock
    # instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Behind a proxy (docker-compose's Caddy, a load balancer) every request comes from the proxy's
# address: TRUSTED_PROXIES lists the proxies (addresses or networks) whose X-Forwarded-For header
# is believed. Empty (the default), the socket's address is the client's and the header is ignored.
# The lockout, the audit trail and the logs all take the client's address from one helper.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
networks_of(tuple(TRUSTED_PROXIES))  # a bad entry stops the start, not a request
# Login rate limiting: five failures for a username from one address lock it for 15 minutes.
AXES_CLIENT_IP_CALLABLE = "common.client_address.client_address_of_request"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "accounts.forms.lockout_username"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Compressed, hashed static files; local.py serves them plain while DEBUG is on.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A request with more fields than any page posts is a 400 before it is parsed further. The
# largest form is Choose Student(s) on a roster of a few thousand; a larger selection than a batch
# takes (common/limits.py) is refused by the form itself, with a message naming the maxima.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security. The TLS-only part (SSL redirect, secure cookies, HSTS) is in production.py. Behind a
# TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via USE_X_FORWARDED_PROTO=on.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Every script and style is a vendored file served from this host: no inline code, no other host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def celery_broker_transport_options(broker_url: str) -> dict:
    """Kombu's options for `broker_url`. The filesystem transport keeps its message files in
    var/celery-broker (and var/celery-processed, its exchange tables in var/celery-control, rather
    than a `control/` folder wherever the process started); nothing is created here: the Celery
    app makes the folders when it is configured with this broker (lms_portal/celery.py)."""
    if broker_url.startswith("filesystem://"):
        broker_dir = VAR_DIR / "celery-broker"
        return {
            "data_folder_in": str(broker_dir),
            "data_folder_out": str(broker_dir),
            "processed_folder": str(VAR_DIR / "celery-processed"),
            "control_folder": str(VAR_DIR / "celery-control"),
            "store_processed": False,
        }
    return {"visibility_timeout": 3600}


# Celery. Production points CELERY_BROKER_URL at Redis. local.py (and test.py) default to the
# embedded broker, Kombu's filesystem transport: a folder of message files that a worker and beat
# on the same machine share, with nothing to install or start.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker_transport_options(CELERY_BROKER_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task has a time limit: these, unless it sets its own (awarding/tasks.py).
CELERY_TASK_TIME_LIMIT = 60 * 30
CELERY_TASK_SOFT_TIME_LIMIT = 60 * 25
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat wakes at least once a minute and says so in BEAT_HEARTBEAT_FILE (lms_portal/beat.py), which
# its container's health check reads.
CELERY_BEAT_SCHEDULER = "lms_portal.beat.HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
CELERY_TIMEZONE = TIME_ZONE
# The completion sweep (awarding/sweep/): how often beat runs it, and how far back before its
# watermark it looks again for records stamped by another machine's clock.
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=3600)
SWEEP_OVERLAP_SECONDS = env.int("SWEEP_OVERLAP_SECONDS", default=60)
SWEEP_LOCK_FILE = env.path("SWEEP_LOCK_FILE", default=VAR_DIR / "sweep.lock")
# PostgreSQL connections the sweep evaluates achievements on at once (one per core of the
# database server is plenty).
SWEEP_CONNECTIONS = env.int("SWEEP_CONNECTIONS", default=2)
# One sweep's per-achievement evaluations as Celery tasks on every worker (awarding/sweep/
# distributed.py), under one run whose lease (SWEEP_LEASE_SECONDS, renewed by each task) is the
# lock between processes. PostgreSQL only.
SWEEP_DISTRIBUTED = env.bool("SWEEP_DISTRIBUTED", default=False)
SWEEP_LEASE_SECONDS = env.int("SWEEP_LEASE_SECONDS", default=600)
# A sweep still running after this long is stopped (SoftTimeLimitExceeded: recorded as a failed
# run, the lock released); its worker process is killed two minutes later if it did not stop.
SWEEP_TIME_LIMIT_SECONDS = env.int("SWEEP_TIME_LIMIT_SECONDS", default=50 * 60)
# Deliveries (deliveries/retry.py): a failed delivery that may succeed later (timeout, connection
# error, 5xx, 429) is tried again after a random wait in
# [0, min(DELIVERY_RETRY_MAX_SECONDS, DELIVERY_RETRY_BASE_SECONDS * 2**(attempt - 1))] ("full
# jitter"), never sooner than the provider's Retry-After (itself capped by
# DELIVERY_RETRY_AFTER_MAX_SECONDS); after DELIVERY_MAX_ATTEMPTS attempts it stays failed.
DELIVERY_RETRY_BASE_SECONDS = env.int("DELIVERY_RETRY_BASE_SECONDS", default=30)
DELIVERY_RETRY_MAX_SECONDS = env.int("DELIVERY_RETRY_MAX_SECONDS", default=3600)
DELIVERY_RETRY_AFTER_MAX_SECONDS = env.int("DELIVERY_RETRY_AFTER_MAX_SECONDS", default=6 * 3600)
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=8)
# Credly (deliveries/credly.py): seconds to connect, and to wait for an answer, per request.
CREDLY_CONNECT_TIMEOUT_SECONDS = env.float("CREDLY_CONNECT_TIMEOUT_SECONDS", default=5.0)
CREDLY_READ_TIMEOUT_SECONDS = env.float("CREDLY_READ_TIMEOUT_SECONDS", default=20.0)
# The hosts an organization's Credly API URL may name (https, these domains and their subdomains):
# the workers send the organization's token there. A development machine (DEBUG on) may also name
# a Credly stand-in on 127.0.0.1/localhost (tests/tools/credly_standin.py).
CREDLY_API_HOSTS = env.list("CREDLY_API_HOSTS", default=["credly.com"])
CREDLY_ALLOW_LOCAL_API_URL = env.bool("CREDLY_ALLOW_LOCAL_API_URL", default=DEBUG)
CELERY_BEAT_SCHEDULE: dict = {
    "sweep-achievements": {
        "task": "awarding.tasks.sweep_achievements",
        "schedule": SWEEP_INTERVAL_SECONDS,
        # A sweep queued while no worker ran is superseded by the next one.
        "options": {"expires": SWEEP_INTERVAL_SECONDS},
    },
}

# Delivering badges (deliveries/): the award e-mails and Credly. EMAIL_URL is django-environ's
# e-mail URL (smtp://user:password@host:587 with ?tls=True, smtps://…, consolemail://); a provider
# through django-anymail sets EMAIL_BACKEND and ANYMAIL instead (README, "Delivering badges").
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Badge portal <badges@localhost>")
# Workers claim due deliveries DELIVERY_BATCH_SIZE at a time and hold them for
# DELIVERY_LEASE_SECONDS: a worker killed mid-batch leaves its rows to the next one after that.
DELIVERY_BATCH_SIZE = env.int("DELIVERY_BATCH_SIZE", default=100)
# Off: issuances write no delivery rows at all (what the benchmark compares the sweep against).
DELIVERIES_ENABLED = env.bool("DELIVERIES_ENABLED", default=True)
DELIVERY_LEASE_SECONDS = env.int("DELIVERY_LEASE_SECONDS", default=300)
# Sends per second per channel, shared by every worker through Redis (DELIVERY_RATE_LIMIT_URL,
# the broker's Redis by default); 0 for no limit.
DELIVERY_EMAIL_PER_SECOND = env.float("DELIVERY_EMAIL_PER_SECOND", default=20)
DELIVERY_CREDLY_PER_SECOND = env.float("DELIVERY_CREDLY_PER_SECOND", default=10)
DELIVERY_RATE_LIMIT_URL = env.str(
    "DELIVERY_RATE_LIMIT_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
DELIVERY_RATE_LIMIT_KEY_PREFIX = env.str("DELIVERY_RATE_LIMIT_KEY_PREFIX", default="")
# The API's requests per minute per client (api/ratelimit.py): a fixed-window counter in this
# Redis (the broker's by default); without one, Django's cache.
API_RATE_LIMIT_URL = env.str(
    "API_RATE_LIMIT_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
API_RATE_LIMIT_KEY_PREFIX = env.str("API_RATE_LIMIT_KEY_PREFIX", default="")
# A request body past this many bytes is refused with 413 (the API's bulk endpoints hold at most
# 1,000 items, well under it).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=2 * 1024 * 1024)
# Beat drains every DELIVERY_DRAIN_INTERVAL_SECONDS (besides the drain queued when an issuance
# commits); one drain works for at most DELIVERY_DRAIN_SECONDS.
DELIVERY_DRAIN_INTERVAL_SECONDS = env.int("DELIVERY_DRAIN_INTERVAL_SECONDS", default=60)
DELIVERY_DRAIN_SECONDS = env.int("DELIVERY_DRAIN_SECONDS", default=50)
# Webhooks (deliveries/webhooks.py): drained with the other channels, at most
# DELIVERY_WEBHOOK_PER_SECOND requests per second in all; seconds to connect and to wait for an
# answer. An endpoint's URL must be https to a public address; WEBHOOK_ALLOW_LOCAL_URLS (on with
# DEBUG) also allows http(s) to 127.0.0.1/localhost, for a receiver on a developer's machine.
DELIVERY_WEBHOOK_PER_SECOND = env.float("DELIVERY_WEBHOOK_PER_SECOND", default=20)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOK_CONNECT_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_READ_TIMEOUT_SECONDS = env.float("WEBHOOK_READ_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_ALLOW_LOCAL_URLS = env.bool("WEBHOOK_ALLOW_LOCAL_URLS", default=DEBUG)
CELERY_BEAT_SCHEDULE["drain-deliveries"] = {
    "task": "deliveries.tasks.drain_deliveries",
    "schedule": DELIVERY_DRAIN_INTERVAL_SECONDS,
    "options": {"expires": DELIVERY_DRAIN_INTERVAL_SECONDS},
}

# Logs: one line per record on standard error, JSON (LOG_FORMAT=json, the default but in local)
# with the request id that django-structlog gives each request and carries into the Celery tasks
# it queues (common/observability.py).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_config(log_format=LOG_FORMAT, level=LOG_LEVEL)
structlog_configure()
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# The client's address is bound by common.observability.bind_request_metadata instead, the one the
# lockout and the audit trail use.
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
# The worker logs as the web does (lms_portal/celery.py) rather than with Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Prometheus metrics at /metrics (lms_portal/metrics.py): never for anyone from outside. A scraper
# either comes from an address of METRICS_ALLOWED_NETWORKS (this machine by default), or sends
# "Authorization: Bearer <METRICS_TOKEN>" (refused without a token set).
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
networks_of(tuple(METRICS_ALLOWED_NETWORKS))
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
