"""An achievement's page: its criteria, its mapped badges (map and unmap) and what the next sweep
will do, and the live previews of the edit form and of a mapping."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView

from achievements.criteria import Criteria
from achievements.forms import AchievementForm
from achievements.selectors import achievements_for_user
from awarding.selectors import (
    achievement_preview,
)
from awarding.views.achievements import AchievementObjectMixin
from badges.forms.mapping import AutomaticIssuancePreviewForm, BadgeMappingForm
from badges.models import Badge
from badges.selectors import badges_for_user
from badges.services.profiles import badge_map_to_achievement
from common.views import PortalPermissionMixin


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
            notify = form.cleaned_data["notify_existing"]
            badge_map_to_achievement(
                actor=request.user, badge=badge, achievement=achievement, notify_existing=notify
            )
            messages.success(
                request,
                f"“{badge.name}” is mapped to this achievement: the next sweep issues it to "
                "every student who has completed it"
                + (
                    ", and e-mails them."
                    if notify
                    else "; those who already have are not e-mailed."
                ),
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
        badge_map_to_achievement(actor=request.user, badge=badge, achievement=None)
        messages.success(
            request, f"“{badge.name}” is no longer issued for this achievement (holders keep it)."
        )
        return redirect("achievements:detail", pk=achievement.pk)


class AutomaticIssuancePreviewView(PortalPermissionMixin, View):
    """htmx, from the badge form's Automatic Issuance tab: how many students the next sweep would
    issue the badge to with the achievement chosen (retroactive: everyone who completed it or
    meets it now and does not hold the badge), as the achievement's page says of a mapping."""

    permission_required = "badges.change_badge"

    def get(self, request):
        form = AutomaticIssuancePreviewForm(
            request.GET,
            achievements=achievements_for_user(user=request.user),
            badges=badges_for_user(user=request.user),
        )
        preview = None
        if form.is_valid() and form.cleaned_data["achievement"] is not None:
            achievement = form.cleaned_data["achievement"]
            # A badge being created holds nobody: an unsaved one stands in for it.
            badge = form.cleaned_data["badge"] or Badge(organization_id=achievement.organization_id)
            [badge_preview] = achievement_preview(
                criteria=Criteria.of(achievement), badges=[badge], achievement_id=achievement.pk
            ).badges
            preview = {
                "achievement": achievement,
                "recipients": badge_preview.recipients,
                "emailed": badge_preview.emailed,
            }
        return render(
            request, "badges/includes/automatic_issuance_preview.html", {"preview": preview}
        )
