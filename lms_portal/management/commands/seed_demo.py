"""Build the demo world (lms_portal/demo/), idempotently: running it twice changes nothing."""

import os

from django.core.management.base import BaseCommand

from lms_portal.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_build


class Command(BaseCommand):
    help = (
        "Create demo organizations, people, catalog, classes, completions, badges and achievements."
    )

    def handle(self, *args, **options):
        demo_build()
        port = os.environ.get("PORT", "8000")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Log in at http://127.0.0.1:{port}/ with:")
        )
        for username, role in DEMO_LOGINS:
            self.stdout.write(f"  {username:<22} {DEMO_PASSWORD}   {role}")
