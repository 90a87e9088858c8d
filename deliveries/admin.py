"""Platform staff see every delivery (read-only: Resend is the way to start one again)."""

from django.contrib import admin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["issuance", "channel", "action", "status", "attempts", "next_attempt_at"]
    list_filter = ["channel", "action", "status"]
    list_select_related = ["issuance__badge", "issuance__recipient"]
    search_fields = ["issuance__uuid", "external_id", "issuance__recipient__email"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
