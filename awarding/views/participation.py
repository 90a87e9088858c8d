"""Participate in Achievements (on a student's page) and Enable Achievements (on the
Organization page): POST only, then back to the page they are on."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from awarding.services.participation import (
    organization_set_achievements_enabled,
    student_set_participation,
)
from badges.selectors import students_visible_to


class ParticipationView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        student = get_object_or_404(students_visible_to(user=request.user), pk=pk)
        participates = request.POST.get("participates") == "on"
        student_set_participation(actor=request.user, student=student, participates=participates)
        if participates:
            messages.success(
                request,
                f"{student.display_name} takes part in achievements: everything they have "
                "completed counts again.",
            )
        else:
            messages.success(
                request,
                f"{student.display_name} no longer takes part in achievements: no completions, "
                "points or automatic badges until they opt back in.",
            )
        return redirect("badges:student", pk=student.pk)


class EnableAchievementsView(View):
    http_method_names = ["post"]

    def post(self, request):
        organization = request.user.organization
        if organization is None:
            raise Http404("Platform staff switch achievements in the administration site.")
        enabled = request.POST.get("achievements_enabled") == "on"
        organization_set_achievements_enabled(
            actor=request.user, organization=organization, enabled=enabled
        )
        messages.success(
            request,
            "Achievements are on: the sweep evaluates this organization's achievements."
            if enabled
            else "Achievements are off: no achievement is evaluated and no badge is issued "
            "automatically. Badges can still be issued by hand.",
        )
        return redirect("organization")
