"""System checks of what every app shares."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def encryption_keys_are_set(app_configs, **kwargs):
    """Production signs credentials and calls providers with secrets encrypted by ENCRYPTION_KEYS
    (common/crypto.py); without it the portal refuses to sign or deliver."""
    if any(key.strip() for key in settings.ENCRYPTION_KEYS):
        return []
    return [
        Error(
            "ENCRYPTION_KEYS is not set: the portal refuses to sign credentials or use stored API "
            "tokens without its key-encryption key.",
            hint="Generate one with `manage.py generate_encryption_key` and keep it out of the "
            "database and its backups.",
            id="common.E001",
        )
    ]
