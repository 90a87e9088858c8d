"""Achievements: the list, create and edit (one criteria type each), enable and disable."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView, ListView

from achievements.forms import CRITERIA_FIELDS, AchievementForm
from achievements.models import Achievement
from achievements.selectors import achievements_for_user
from achievements.services import achievement_create, achievement_set_enabled, achievement_update
from awarding.selectors import (
    achievement_for_page,
    achievements_with_counts,
)
from common.views import PortalPermissionMixin


class AchievementListView(PortalPermissionMixin, ListView):
    permission_required = "achievements.view_achievement"
    template_name = "achievements/achievement_list.html"
    context_object_name = "achievements"
    paginate_by = 50

    def get_queryset(self):
        return achievements_with_counts(achievements=achievements_for_user(user=self.request.user))


class AchievementObjectMixin:
    """The achievement of the URL, narrowed to the user's organization: 404 outside it."""

    def get_achievement(self) -> Achievement:
        if not hasattr(self, "_achievement"):
            try:
                self._achievement = achievement_for_page(
                    user=self.request.user, pk=self.kwargs["pk"]
                )
            except Achievement.DoesNotExist as missing:
                raise Http404("No such achievement.") from missing
        return self._achievement


class OrganizationRequiredMixin:
    """Creating needs an organization to own the achievement (platform staff use the admin)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.organization_id is None:
            raise PermissionDenied("Achievements are created by an organization's administrators.")
        return super().dispatch(request, *args, **kwargs)


class AchievementFormMixin:
    template_name = "achievements/achievement_form.html"
    form_class = AchievementForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organization"] = self.organization()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["criteria_fields"] = CRITERIA_FIELDS
        return context


class AchievementCreateView(
    PortalPermissionMixin, OrganizationRequiredMixin, AchievementFormMixin, FormView
):
    permission_required = "achievements.add_achievement"

    def organization(self):
        return self.request.user.organization

    def form_valid(self, form):
        try:
            achievement = achievement_create(
                organization=self.organization(),
                achievement=form.save(commit=False),
                course_set=form.cleaned_data["course_set"],
                available_to=form.cleaned_data["available_to"],
            )
        except ValidationError as refused:  # the name was taken since the form checked it
            form.add_error(None, refused)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Achievement “{achievement.name}” saved. The next sweep records who already meets it.",
        )
        return redirect("achievements:detail", pk=achievement.pk)


class AchievementUpdateView(
    PortalPermissionMixin, AchievementObjectMixin, AchievementFormMixin, FormView
):
    permission_required = "achievements.change_achievement"

    def organization(self):
        return self.get_achievement().organization

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_achievement()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["achievement"] = self.get_achievement()
        return context

    def form_valid(self, form):
        try:
            achievement = achievement_update(
                achievement=form.save(commit=False),
                course_set=form.cleaned_data["course_set"],
                available_to=form.cleaned_data["available_to"],
            )
        except ValidationError as refused:  # the name was taken since the form checked it
            form.add_error(None, refused)
            return self.form_invalid(form)
        messages.success(self.request, f"Achievement “{achievement.name}” saved.")
        return redirect("achievements:detail", pk=achievement.pk)


class AchievementEnableView(PortalPermissionMixin, AchievementObjectMixin, View):
    permission_required = "achievements.change_achievement"

    def post(self, request, pk):
        achievement = self.get_achievement()
        enabled = request.POST.get("enabled") == "on"
        achievement_set_enabled(achievement=achievement, enabled=enabled)
        messages.success(
            request,
            "Achievement enabled: the next sweep evaluates it over all history."
            if enabled
            else "Achievement disabled: the sweep no longer evaluates it or issues its badges.",
        )
        return redirect("achievements:detail", pk=achievement.pk)
