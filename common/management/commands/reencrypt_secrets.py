from django.core.management.base import BaseCommand
from django.db import transaction

from common.crypto import reencrypt_secret, secret_field_columns


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS, so that the older "
        "keys can then be removed."
    )

    def handle(self, *args, **options):
        for model, field_name in secret_field_columns():
            rewritten = 0
            with transaction.atomic():
                rows = model._default_manager.select_for_update().exclude(**{field_name: ""})
                for pk, ciphertext in rows.values_list("pk", field_name).iterator():
                    model._default_manager.filter(pk=pk).update(
                        **{field_name: reencrypt_secret(ciphertext)}
                    )
                    rewritten += 1
            label = f"{model._meta.label}.{field_name}"
            self.stdout.write(f"{label}: {rewritten} re-encrypted")
