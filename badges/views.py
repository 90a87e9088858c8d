from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from accounts.models import User
from lms_portal.mixins import PortalPermissionMixin

from .selectors import (
    badges_for_user,
    badges_with_holder_counts,
    issuances_of_student,
    students_visible_to,
)


class BadgeListView(PortalPermissionMixin, ListView):
    permission_required = "badges.change_badge"
    template_name = "badges/badge_list.html"
    context_object_name = "badges"
    paginate_by = 50

    def get_queryset(self):
        return badges_with_holder_counts(badges=badges_for_user(user=self.request.user))


class BadgeProfileView(PortalPermissionMixin, DetailView):
    permission_required = "badges.change_badge"
    template_name = "badges/badge_profile.html"
    context_object_name = "badge"

    def get_queryset(self):
        return badges_with_holder_counts(badges=badges_for_user(user=self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_issuances"] = self.object.issuances.select_related(
            "recipient", "issued_by"
        )[:10]
        return context


class StudentBadgesView(DetailView):
    """The Achievements/Badges page of one student."""

    template_name = "badges/student_badges.html"
    context_object_name = "student"

    def get_object(self, queryset=None):
        student = get_object_or_404(User, pk=self.kwargs["pk"])
        if not students_visible_to(user=self.request.user).filter(pk=student.pk).exists():
            raise Http404("No such student.")
        return student

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["issuances"] = issuances_of_student(student=self.object)
        context["achievement_completions"] = self.object.achievement_completions.select_related(
            "achievement"
        ).filter(~Q(achievement__isnull=True))
        return context
