"""Platform staff see every delivery (read-only: Resend is the way to start one again) and every
organization's Credly connection, whose token they may replace but never read."""

from django import forms
from django.contrib import admin

from deliveries.forms import TOKEN_MAX_LENGTH, clean_credly_token, credly_api_url_problem
from deliveries.models import CredlyConnection, Delivery
from deliveries.services.credly_settings import credly_token_set


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["issuance", "channel", "action", "status", "attempts", "next_attempt_at"]
    list_filter = ["channel", "action", "status"]
    list_select_related = ["issuance__badge", "issuance__recipient"]
    search_fields = ["issuance__uuid", "external_id", "issuance__recipient__email"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False


class CredlyConnectionAdminForm(forms.ModelForm):
    """The stored token is not a field of this form (its column is not editable): a new one may
    be pasted, write-only, and is encrypted on save."""

    new_api_token = forms.CharField(
        label="New API token",
        required=False,
        max_length=TOKEN_MAX_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only. Leave empty to keep the stored token.",
    )

    class Meta:
        model = CredlyConnection
        fields = ["organization", "credly_organization_id", "api_url", "is_enabled"]

    def clean_new_api_token(self):
        token = clean_credly_token(self.cleaned_data["new_api_token"])
        if not token and not self.instance.api_token:
            raise forms.ValidationError("Enter the API token Credly gave the organization.")
        return token

    def clean_api_url(self):
        url = self.cleaned_data["api_url"].strip().rstrip("/")
        problem = credly_api_url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


@admin.register(CredlyConnection)
class CredlyConnectionAdmin(admin.ModelAdmin):
    form = CredlyConnectionAdminForm
    list_display = ["organization", "credly_organization_id", "api_url", "token", "is_enabled"]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "credly_organization_id"]
    readonly_fields = ["token", "updated_at"]

    @admin.display(description="API token")
    def token(self, connection: CredlyConnection) -> str:
        return f"…{connection.token_hint}" if connection.api_token else "none"

    def save_model(self, request, obj, form, change):
        token = form.cleaned_data.get("new_api_token")
        if token:
            credly_token_set(connection=obj, api_token=token)
        super().save_model(request, obj, form, change)
