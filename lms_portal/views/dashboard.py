from django.db.models import Count
from django.views.generic import TemplateView

from accounts.selectors import user_is_instructor, user_is_org_admin, user_is_student
from assignments.selectors import assignments_for_user
from badges.selectors import badges_for_user, badges_with_holder_counts, issuances_of_student
from classes.selectors import classes_for_user

DASHBOARD_LIST_SIZE = 8


class DashboardView(TemplateView):
    """The landing page: each role sees what it works with first."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user_is_org_admin(user=user):
            badges = badges_with_holder_counts(badges=badges_for_user(user=user))
            classes = classes_for_user(user=user).annotate(student_count=Count("enrollments"))
            context["admin"] = {
                "badges": badges[:DASHBOARD_LIST_SIZE],
                "badge_count": badges.count(),
                "classes": classes[:DASHBOARD_LIST_SIZE],
                "class_count": classes.count(),
                "assignments": assignments_for_user(user=user)[:DASHBOARD_LIST_SIZE],
                "assignment_count": assignments_for_user(user=user).count(),
            }
        if user_is_instructor(user=user):
            context["taught_classes"] = (
                classes_for_user(user=user)
                .filter(instructors=user)
                .annotate(student_count=Count("enrollments"))
            )
        if user_is_student(user=user):
            context["my_issuances"] = issuances_of_student(student=user)
        return context
