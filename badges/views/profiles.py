"""Badge profiles: the Badges list, a badge's Profile, Create and Edit (three tabs saved
together), Archive and Delete.

Views stay thin: a selector narrows what the user may see (anything outside is a 404), a form
validates, a service writes.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from accounts.selectors import user_is_org_admin
from badges.filters import BadgeListFilter
from badges.forms.profiles import BadgeForm
from badges.models import BadgeIssuance
from badges.selectors import (
    badge_history,
    badges_available_from_elsewhere,
    badges_for_user,
    badges_with_holder_counts,
    latest_issuances_of_badge,
)
from badges.services.profiles import badge_archive, badge_create, badge_delete, badge_update
from badges.statistics import issuances_per_week
from common.charts import ChartRow
from common.views import (
    ForgivingPaginationMixin,
    HtmxPartialMixin,
    PortalPermissionMixin,
    filter_query_string,
)


class BadgeObjectMixin:
    """The badge named in the URL, among those the user may edit; a 404 for any other."""

    def get_badge(self):
        if not hasattr(self, "_badge"):
            self._badge = get_object_or_404(
                badges_with_holder_counts(badges=badges_for_user(user=self.request.user)),
                pk=self.kwargs["pk"],
            )
        return self._badge


class BadgeListView(PortalPermissionMixin, HtmxPartialMixin, ForgivingPaginationMixin, ListView):
    permission_required = "badges.change_badge"
    template_name = "badges/badge_list.html"
    partial_template_name = "badges/includes/badge_table.html"
    context_object_name = "badges"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = BadgeListFilter(
            self.request.GET or None,
            queryset=badges_with_holder_counts(badges=badges_for_user(user=self.request.user)),
        )
        return self.filterset.qs.order_by("name", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter=self.filterset,
            query_string=filter_query_string(self.request, self.filterset),
            available_badges=badges_available_from_elsewhere(user=self.request.user)[:50],
            **kwargs,
        )


class BadgeProfileView(PortalPermissionMixin, BadgeObjectMixin, DetailView):
    permission_required = "badges.change_badge"
    template_name = "badges/badge_profile.html"
    context_object_name = "badge"

    def get_object(self, queryset=None):
        return self.get_badge()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_issuances"] = latest_issuances_of_badge(badge=self.object)
        context["history"] = badge_history(badge=self.object)
        methods = BadgeIssuance.Method
        context["issuance_series"] = [methods.AUTOMATIC.label, methods.MANUAL.label]
        context["issuance_rows"] = [
            ChartRow(
                f"{week.week_start:%d %b}",
                (week.by_method[methods.AUTOMATIC], week.by_method[methods.MANUAL]),
            )
            for week in issuances_per_week(issuances=self.object.issuances.all())
        ]
        return context


class BadgeFormViewMixin:
    template_name = "badges/badge_form.html"
    form_class = BadgeForm

    def get_form(self, form_class=None):
        """The Automatic Issuance tab previews, as the achievement's page does, how many students
        the next sweep would issue the badge to with the achievement chosen."""
        form = super().get_form(form_class)
        badge = form.badge
        form.fields["achievement"].widget.attrs.update(
            {
                "hx-get": reverse("badges:automatic_preview"),
                "hx-trigger": "change, load",
                "hx-target": "#automatic-preview",
                **({"hx-vals": json.dumps({"badge": badge.pk})} if badge is not None else {}),
            }
        )
        return form

    def form_saved_or_invalid(self, form, save):
        """Run the service; a rule it refuses (a name taken a moment ago) shows on the form."""
        try:
            badge = save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return redirect("badges:profile", pk=badge.pk)


def _badge_fields(cleaned_data) -> dict:
    return {
        "name": cleaned_data["name"],
        "description": cleaned_data["description"],
        "is_active": cleaned_data["is_active"],
        "manual_issuance_enabled": cleaned_data["manual_issuance_enabled"],
        "achievement": cleaned_data["achievement"],
        "image": cleaned_data["image"],
        **{name: cleaned_data[name] for name in BadgeForm.CREDENTIAL_FIELDS},
        "availability": cleaned_data["availability"],
        "available_to": cleaned_data["available_to"],
        "notify_existing": cleaned_data["notify_existing"],
    }


class BadgeCreateView(PortalPermissionMixin, BadgeFormViewMixin, FormView):
    permission_required = "badges.add_badge"

    def get_organization(self):
        user = self.request.user
        if not user_is_org_admin(user=user):
            raise PermissionDenied(
                "Badges are created by their organization's administrators (platform staff use "
                "the administration site)."
            )
        return user.organization

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organization": self.get_organization()}

    def form_valid(self, form):
        def save(data):
            badge = badge_create(
                actor=self.request.user, organization=self.get_organization(), **_badge_fields(data)
            )
            messages.success(self.request, f"Badge “{badge.name}” created.")
            return badge

        return self.form_saved_or_invalid(form, save)


class BadgeEditView(PortalPermissionMixin, BadgeObjectMixin, BadgeFormViewMixin, FormView):
    permission_required = "badges.change_badge"

    def get_form_kwargs(self):
        badge = self.get_badge()
        return {
            **super().get_form_kwargs(),
            "organization": badge.organization,
            "badge": badge,
            "active_tab": self.request.GET.get("tab", ""),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(badge=self.get_badge(), **kwargs)

    def form_valid(self, form):
        def save(data):
            badge = badge_update(
                actor=self.request.user,
                badge=self.get_badge(),
                remove_image=data.get("remove_image", False),
                **_badge_fields(data),
            )
            messages.success(self.request, "Badge saved.")
            return badge

        return self.form_saved_or_invalid(form, save)


class BadgeArchiveView(PortalPermissionMixin, BadgeObjectMixin, View):
    permission_required = "badges.change_badge"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        badge = badge_archive(actor=request.user, badge=self.get_badge())
        messages.success(
            request,
            f"Badge “{badge.name}” archived: its holders keep it, and nobody can be issued it.",
        )
        return redirect("badges:profile", pk=badge.pk)


class BadgeDeleteView(PortalPermissionMixin, BadgeObjectMixin, TemplateView):
    """GET asks for confirmation (in the dialog, or as a page without JavaScript); POST deletes a
    badge nobody holds. A badge with holders is archived instead."""

    permission_required = "badges.delete_badge"
    template_name = "badges/badge_confirm_delete.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["badges/includes/badge_delete_dialog.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            badge=self.get_badge(), in_dialog=bool(self.request.htmx), **kwargs
        )

    def post(self, request, *args, **kwargs):
        badge = self.get_badge()
        try:
            badge_delete(actor=request.user, badge=badge)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("badges:profile", pk=badge.pk)
        messages.success(request, f"Badge “{badge.name}” deleted.")
        return redirect("badges:list")
