"""Settings for the test suite: production settings with a test secret and fast hashing.

The database comes from DATABASE_URL as usual: SQLite by default, PostgreSQL in CI. Celery runs
tasks eagerly; its broker defaults to the embedded filesystem transport, as in local.py.
"""

import os

# Set in the environment (not only here) so that the processes the tests start inherit them.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DEBUG", "off")
# A fixed key-encryption key for the suite (common/crypto.py); never used anywhere else.
os.environ.setdefault("ENCRYPTION_KEYS", "dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLTAxMjM0NTY=")

from .production import *  # noqa: E402,F403
from .production import BASE_DIR, STORAGES, celery_broker_transport_options, env  # noqa: E402

SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker_transport_options(CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
# Tests log in with force_login; the lockout test turns django-axes back on.
AXES_ENABLED = False
# The webhook tests run their receiver on 127.0.0.1 (tests/tools/webhook_receiver.py).
WEBHOOK_ALLOW_LOCAL_URLS = env.bool("WEBHOOK_ALLOW_LOCAL_URLS", default=True)
# The test client's address is 127.0.0.1, which production lets read /metrics: here nobody may,
# and the tests that read it say who (tests/test_metrics.py).
METRICS_ALLOWED_NETWORKS: list[str] = []
