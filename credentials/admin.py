from django.contrib import admin, messages

from accounts.models import Organization

from .models import IssuerKey
from .ob3_services import issuer_key_rotate


@admin.register(IssuerKey)
class IssuerKeyAdmin(admin.ModelAdmin):
    """Organizations' Open Badges 3.0 signing keys: the public half only. The private key is
    neither shown nor editable (its ciphertext included); keys are made when first needed and
    replaced with the action below or `manage.py rotate_issuer_key`."""

    list_display = ["organization", "public_key_multibase", "created_at", "retired_at"]
    list_filter = ["organization", ("retired_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organization"]
    fields = ["organization", "public_key_multibase", "created_at", "retired_at"]
    readonly_fields = fields
    actions = ["rotate"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted public key would make its credentials unverifiable

    @admin.action(description="Rotate the signing key of these keys' organizations")
    def rotate(self, request, queryset):
        organizations = Organization.objects.filter(
            pk__in=queryset.values("organization_id")
        ).order_by("pk")
        for organization in organizations:
            issuer_key_rotate(organization=organization)
        self.message_user(
            request,
            f"New signing keys for {len(organizations)} organization(s); the old public keys "
            "stay published.",
            messages.SUCCESS,
        )
