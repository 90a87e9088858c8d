from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from credentials.ob3_documents import verification_method_id
from credentials.ob3_services import issuer_key_rotate


class Command(BaseCommand):
    help = (
        "Give an organization a new Open Badges 3.0 signing key. The old public key stays in its "
        "DID document, so every credential it signed still verifies; new signatures use the new "
        "key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", type=int, required=True, help="organization id")

    def handle(self, *args, organization, **options):
        try:
            target = Organization.objects.get(pk=organization)
        except Organization.DoesNotExist:
            raise CommandError(f"No organization with id {organization}.") from None
        key = issuer_key_rotate(organization=target)
        method = verification_method_id(target.pk, key.public_key_multibase)
        self.stdout.write(f"{target}: new signing key {method}")
