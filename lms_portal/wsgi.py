import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms_portal.settings.production")

application = get_wsgi_application()

# Fail at start-up, not on the first request that needs a signature. (Reading an empty SECRET_KEY
# already raises ImproperlyConfigured in Django; the explicit check keeps that promise here.)
if not settings.SECRET_KEY:
    raise ImproperlyConfigured(
        "Set SECRET_KEY (or run on lms_portal.settings.local for local development)."
    )
