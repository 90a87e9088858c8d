from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from lms_portal.mixins import PortalPermissionMixin

from .criteria import Criteria
from .forms import CRITERIA_FIELDS, AchievementForm, BadgeMappingForm
from .models import Achievement
from .selectors import (
    achievement_for_page,
    achievement_preview,
    achievements_for_user,
    achievements_with_counts,
    sweep_runs_for_user,
)
from .services import (
    achievement_create,
    achievement_map_badge,
    achievement_set_enabled,
    achievement_unmap_badge,
    achievement_update,
)


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
        achievement = achievement_create(
            organization=self.organization(),
            achievement=form.save(commit=False),
            course_set=form.cleaned_data["course_set"],
        )
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
        achievement = achievement_update(
            achievement=form.save(commit=False), course_set=form.cleaned_data["course_set"]
        )
        messages.success(self.request, f"Achievement “{achievement.name}” saved.")
        return redirect("achievements:detail", pk=achievement.pk)


class AchievementPreviewView(PortalPermissionMixin, AchievementObjectMixin, View):
    """htmx: how many students meet the criteria of the (unsaved) form, and who would receive
    the mapped badges on the next sweep."""

    permission_required = "achievements.view_achievement"

    def post(self, request, pk=None):
        achievement = self.get_achievement() if pk is not None else None
        if achievement is not None:
            organization = achievement.organization
        elif request.user.organization_id is not None:
            organization = request.user.organization
        else:
            raise PermissionDenied("Achievements are created by an organization's administrators.")
        form = AchievementForm(request.POST, instance=achievement, organization=organization)
        preview = None
        if form.is_valid():
            preview = achievement_preview(
                criteria=form.criteria(),
                badges=list(achievement.badges.all()) if achievement else (),
                achievement_id=achievement.pk if achievement else None,
            )
        return render(
            request,
            "achievements/includes/preview.html",
            {
                "preview": preview,
                "saved": achievement is not None,
                "enabled": form.cleaned_data.get("is_enabled", False),
            },
        )


class AchievementDetailView(PortalPermissionMixin, AchievementObjectMixin, DetailView):
    permission_required = "achievements.view_achievement"
    template_name = "achievements/achievement_detail.html"
    context_object_name = "achievement"

    def get_object(self, queryset=None):
        return self.get_achievement()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        achievement = self.object
        context["badges"] = list(achievement.badges.all())
        context["preview"] = achievement_preview(
            criteria=Criteria.of(achievement),
            badges=context["badges"],
            achievement_id=achievement.pk,
        )
        mapping_form = BadgeMappingForm(achievement=achievement)
        mapping_form.fields["badge"].widget.attrs.update(
            {
                "class": "form-select",
                "hx-get": reverse("achievements:mapping_preview", kwargs={"pk": achievement.pk}),
                "hx-target": "#mapping-preview",
                "hx-trigger": "change",
            }
        )
        context["mapping_form"] = mapping_form
        return context


class BadgeMappingPreviewView(PortalPermissionMixin, AchievementObjectMixin, View):
    """htmx: before mapping, how many students would receive the chosen badge next sweep."""

    permission_required = "achievements.change_achievement"

    def get(self, request, pk):
        achievement = self.get_achievement()
        form = BadgeMappingForm(request.GET, achievement=achievement)
        badge_preview = None
        if form.is_valid():
            [badge_preview] = achievement_preview(
                criteria=Criteria.of(achievement),
                badges=[form.cleaned_data["badge"]],
                achievement_id=achievement.pk,
            ).badges
        return render(
            request,
            "achievements/includes/mapping_preview.html",
            {"badge_preview": badge_preview, "achievement": achievement},
        )


class BadgeMapView(PortalPermissionMixin, AchievementObjectMixin, View):
    permission_required = "achievements.change_achievement"

    def post(self, request, pk):
        achievement = self.get_achievement()
        form = BadgeMappingForm(request.POST, achievement=achievement)
        if form.is_valid():
            badge = form.cleaned_data["badge"]
            achievement_map_badge(achievement=achievement, badge=badge)
            messages.success(
                request,
                f"“{badge.name}” is mapped to this achievement: the next sweep issues it to "
                "every student who has completed it.",
            )
        else:
            messages.error(request, "Choose a badge of your organization to map.")
        return redirect("achievements:detail", pk=achievement.pk)


class BadgeUnmapView(PortalPermissionMixin, AchievementObjectMixin, View):
    permission_required = "achievements.change_achievement"

    def post(self, request, pk, badge_pk):
        achievement = self.get_achievement()
        badge = next((b for b in achievement.badges.all() if b.pk == badge_pk), None)
        if badge is None:
            raise Http404("This badge is not mapped to this achievement.")
        achievement_unmap_badge(achievement=achievement, badge=badge)
        messages.success(
            request, f"“{badge.name}” is no longer issued for this achievement (holders keep it)."
        )
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


class SweepRunListView(PortalPermissionMixin, ListView):
    permission_required = "achievements.view_sweeprun"
    template_name = "achievements/sweep_run_list.html"
    context_object_name = "runs"
    paginate_by = 50

    def get_queryset(self):
        return sweep_runs_for_user(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["interval_minutes"] = settings.SWEEP_INTERVAL_SECONDS // 60
        return context
