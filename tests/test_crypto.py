import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from common.crypto import (
    EncryptionKeyMissing,
    SecretUnreadable,
    decrypt_secret,
    encrypt_secret,
    reencrypt_secret,
)


def test_a_secret_round_trips_and_its_ciphertext_does_not_contain_it():
    ciphertext = encrypt_secret(b"credly-token-123")

    assert b"credly-token-123" not in ciphertext.encode()
    assert decrypt_secret(ciphertext) == b"credly-token-123"


def test_production_without_keys_refuses_to_encrypt(settings):
    settings.ENCRYPTION_KEYS = []
    settings.DEBUG = False

    with pytest.raises(EncryptionKeyMissing, match="ENCRYPTION_KEYS is not set"):
        encrypt_secret(b"x")


def test_a_development_machine_derives_a_key_from_its_secret_key(settings):
    settings.ENCRYPTION_KEYS = []
    settings.DEBUG = True

    assert decrypt_secret(encrypt_secret(b"dev")) == b"dev"


def test_rotation_keeps_old_secrets_readable_until_they_are_reencrypted(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old_key]
    ciphertext = encrypt_secret(b"token")

    settings.ENCRYPTION_KEYS = [new_key, old_key]
    assert decrypt_secret(ciphertext) == b"token"
    rotated = reencrypt_secret(ciphertext)

    settings.ENCRYPTION_KEYS = [new_key]
    assert decrypt_secret(rotated) == b"token"
    with pytest.raises(SecretUnreadable):
        decrypt_secret(ciphertext)


def test_the_key_command_prints_a_usable_key(capsys, settings):
    call_command("generate_encryption_key")
    settings.ENCRYPTION_KEYS = [capsys.readouterr().out.strip()]

    assert decrypt_secret(encrypt_secret(b"ok")) == b"ok"


@pytest.mark.django_db
def test_reencrypt_secrets_moves_every_stored_secret_to_the_newest_key(settings, capsys):
    from deliveries.models import CredlyConnection
    from tests.factories import OrganizationFactory

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old_key]
    connection = CredlyConnection.objects.create(
        organization=OrganizationFactory(),
        credly_organization_id="org-1",
        api_token=encrypt_secret(b"token-abc"),
    )

    settings.ENCRYPTION_KEYS = [new_key, old_key]
    call_command("reencrypt_secrets")
    settings.ENCRYPTION_KEYS = [new_key]

    connection.refresh_from_db()
    assert decrypt_secret(connection.api_token) == b"token-abc"
    assert "deliveries.CredlyConnection.api_token: 1 re-encrypted" in capsys.readouterr().out
