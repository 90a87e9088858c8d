"""Settings for the test suite: production settings with a test secret and fast hashing.

The database comes from DATABASE_URL as usual: SQLite by default, PostgreSQL in CI.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DEBUG", "off")

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# Tests log in with force_login; the lockout test turns django-axes back on.
AXES_ENABLED = False
