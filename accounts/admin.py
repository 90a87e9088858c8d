from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Organization, User
from .tree import organization_would_cycle


class OrganizationAdminForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "slug", "parent", "achievements_enabled"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if (
            parent is not None
            and self.instance.pk is not None
            and organization_would_cycle(organization_id=self.instance.pk, parent_id=parent.pk)
        ):
            raise forms.ValidationError(
                "An organization cannot be placed under itself or one of its own child "
                "organizations."
            )
        return parent


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Platform staff arrange the tree here: a parent per organization, never a cycle."""

    form = OrganizationAdminForm
    list_display = ["name", "slug", "parent", "achievements_enabled", "created_at"]
    list_filter = ["achievements_enabled"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "organization", "is_staff"]
    list_filter = ["organization", "groups", "is_staff", "is_active"]
    list_select_related = ["organization"]
    search_fields = ["username", "email", "first_name", "last_name"]
    autocomplete_fields = ["organization"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Organization", {"fields": ["organization", "participates_in_achievements"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Organization", {"fields": ["email", "first_name", "last_name", "organization"]}),
    ]
