from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from accounts.models import User
from common.forms import IdModelChoiceField, IdModelMultipleChoiceField
from common.limits import BATCH_MAX_STUDENTS

from .models import Badge, BadgeChange, BadgeIssuance, IssuanceEvent
from .services.context import IssueContext
from .services.issuance import badge_issue_many


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "is_active", "manual_issuance_enabled", "achievement"]
    list_filter = ["organization", "is_active", "manual_issuance_enabled"]
    list_select_related = ["organization", "achievement"]
    search_fields = ["name"]
    autocomplete_fields = ["organization", "achievement"]


class AdminIssueForm(forms.Form):
    badge = IdModelChoiceField(queryset=Badge.objects.filter(is_active=True))
    recipients = IdModelMultipleChoiceField(
        queryset=User.objects.all(),
        max_choices=BATCH_MAX_STUDENTS,
        widget=admin.widgets.FilteredSelectMultiple("students", False),
    )


@admin.register(BadgeIssuance)
class BadgeIssuanceAdmin(admin.ModelAdmin):
    """Issuances are read-only records; staff issue through the one issuing service, and a badge
    is taken back only by revoking it on the student's page (which records the revocation)."""

    list_display = [
        "badge",
        "recipient",
        "issued_at",
        "expires_at",
        "revoked_at",
        "method",
        "source",
    ]
    list_filter = ["method", "source", "badge__organization"]
    list_select_related = ["badge", "recipient", "issued_by"]
    search_fields = ["badge__name", "recipient__username", "recipient__email"]
    date_hierarchy = "issued_at"
    readonly_fields = [f.name for f in BadgeIssuance._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return self.changelist_view(request)
        form = AdminIssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            badge = form.cleaned_data["badge"]
            with transaction.atomic():
                outcomes = badge_issue_many(
                    context=IssueContext.for_admin(actor=request.user),
                    pairs=[(badge.pk, student.pk) for student in form.cleaned_data["recipients"]],
                )
                refused = [o for o in outcomes if not o.issued and not o.already_earned]
                # A refusal (a recipient who is not a student, an archived badge) is the form's
                # error: nothing of the request is issued, so it can be corrected and sent again.
                transaction.set_rollback(bool(refused))
            if not refused:
                for outcome in outcomes:
                    if outcome.issued:
                        self.message_user(request, f"Issued {badge} to {outcome.student}.")
                    else:
                        self.message_user(
                            request,
                            f"{badge} to {outcome.student}: {outcome.reason}.",
                            messages.WARNING,
                        )
                return redirect("admin:badges_badgeissuance_changelist")
            for outcome in refused:
                form.add_error(
                    "recipients",
                    f"{outcome.student or f'User #{outcome.student_id}'}: {outcome.reason}. "
                    "Nothing was issued.",
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Issue a badge",
            "form": form,
            "media": self.media + form.media,
            "opts": self.model._meta,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/badges/issue_badge.html", context)


@admin.register(BadgeChange)
class BadgeChangeAdmin(admin.ModelAdmin):
    """The change history of badge profiles: written by the badge services, never edited."""

    list_display = ["changed_at", "badge_name", "organization", "action", "actor"]
    list_filter = ["action", "organization"]
    list_select_related = ["organization", "actor"]
    search_fields = ["badge_name", "actor__username"]
    date_hierarchy = "changed_at"
    readonly_fields = [f.name for f in BadgeChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuanceEvent)
class IssuanceEventAdmin(admin.ModelAdmin):
    """Revocations, reinstatements and renewals: written by the badge services, never edited."""

    list_display = ["at", "kind", "issuance", "actor", "reason"]
    list_filter = ["kind", "issuance__badge__organization"]
    list_select_related = ["actor", "issuance__badge", "issuance__recipient"]
    search_fields = ["issuance__badge__name", "issuance__recipient__username", "reason"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in IssuanceEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
