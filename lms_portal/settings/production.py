"""Settings for production: the default of wsgi.py (gunicorn) and of the Celery app.

DEBUG is off whatever the environment says. Production sets DATABASE_URL (PostgreSQL),
CELERY_BROKER_URL (Redis), SECRET_KEY and ALLOWED_HOSTS. Without SECRET_KEY the key stays empty:
tooling that never signs anything (makemigrations, collectstatic) still runs, Django refuses
anything that needs the key, and the web server refuses to start (wsgi.py).
"""

from common.observability import sentry_init

from .base import *  # noqa: F403
from .base import env

DEBUG = False

# Security: strict, as DEBUG is off. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER via
# USE_X_FORWARDED_PROTO=on (base.py).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The health check and the scrapers inside the deployment speak plain HTTP to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

# Production's broker is Redis (docker-compose sets CELERY_BROKER_URL); without the variable, a
# Redis on this machine rather than Celery's own default, an AMQP server nobody runs here.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")

# Errors go to Sentry when SENTRY_DSN is set, from the web and from the workers (both run on these
# settings); nothing starts and nothing is sent without it.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
SENTRY_STARTED = sentry_init(
    dsn=SENTRY_DSN,
    environment=SENTRY_ENVIRONMENT,
    release=SENTRY_RELEASE,
    traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
)
