"""Model fields shared by the apps."""

from django.db import models


class EncryptedSecretField(models.TextField):
    """The ciphertext of a secret (common/crypto.py), never its plaintext. Reading and writing go
    through encrypt_secret/decrypt_secret explicitly, at the one place that needs the secret, so
    that no form, admin page, serializer or log line sees it by accident. `manage.py
    reencrypt_secrets` finds every field of this type when a key is rotated."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)
