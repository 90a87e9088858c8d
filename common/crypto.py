"""Secrets the portal keeps in its database (issuers' signing keys, providers' API tokens) are
encrypted with a key-encryption key that lives only in the environment, never in the database:
a dump of the database alone cannot sign a credential or call a provider.

`ENCRYPTION_KEYS` is a comma-separated list of Fernet keys (`manage.py generate_encryption_key`
prints one). The first key encrypts; every key decrypts, so a key is rotated by putting a new one
first, running `manage.py reencrypt_secrets`, then removing the old one. Without the variable a
development machine (DEBUG on) derives a key from SECRET_KEY, which is not in the database either;
production refuses to encrypt or decrypt (`check --deploy` says so: common.E001).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class EncryptionKeyMissing(RuntimeError):
    """Production without ENCRYPTION_KEYS: nothing secret may be stored or used."""


class SecretUnreadable(RuntimeError):
    """A stored secret that none of the configured keys decrypts (a key was removed too early,
    or the row was copied from another deployment)."""


def _development_key() -> bytes:
    seed = b"badge-portal-development-kek:" + settings.SECRET_KEY.encode()
    digest = hashlib.sha256(seed).digest()
    return base64.urlsafe_b64encode(digest)


def configured_keys() -> list[bytes]:
    keys = [key.strip().encode() for key in settings.ENCRYPTION_KEYS if key.strip()]
    if keys:
        return keys
    if settings.DEBUG and settings.SECRET_KEY:
        return [_development_key()]
    raise EncryptionKeyMissing(
        "ENCRYPTION_KEYS is not set: the portal cannot store or use secrets (signing keys, API "
        "tokens) without its key-encryption key. Generate one with "
        "`manage.py generate_encryption_key`."
    )


def _box() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in configured_keys()])


def encrypt_secret(plaintext: bytes) -> str:
    """The ciphertext to store (ASCII, authenticated, carries its own timestamp)."""
    return _box().encrypt(plaintext).decode("ascii")


def decrypt_secret(ciphertext: str) -> bytes:
    try:
        return _box().decrypt(ciphertext.encode("ascii"))
    except InvalidToken:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with ENCRYPTION_KEYS (was a key removed before "
            "`manage.py reencrypt_secrets` ran?)."
        ) from None


def reencrypt_secret(ciphertext: str) -> str:
    """The same secret under the first (newest) key."""
    return _box().rotate(ciphertext.encode("ascii")).decode("ascii")


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


def secret_field_columns():
    """Every (model, field name) that holds a secret encrypted here, for key rotation."""
    from django.apps import apps

    from common.fields import EncryptedSecretField

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedSecretField):
                yield model, field.name
