"""System checks of the credentials app."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_public_https(app_configs, **kwargs):
    """Every shared badge names SITE_URL for good: in production it must be the public https
    address, not the development default."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and parts.hostname not in {None, "127.0.0.1", "localhost"}:
        return []
    return [
        Warning(
            f"SITE_URL is {settings.SITE_URL!r}: Open Badges documents, verification links and "
            "baked images name it for good, so set it to the portal's public https address.",
            id="credentials.W001",
        )
    ]
