from django.core.management.base import BaseCommand

from common.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new key for ENCRYPTION_KEYS (put it first to rotate; keep the old ones after)."

    def handle(self, *args, **options):
        self.stdout.write(generate_key())
