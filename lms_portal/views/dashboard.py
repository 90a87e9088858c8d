from django.db.models import Count, Q
from django.views.generic import TemplateView

from accounts.selectors import (
    administered_by,
    user_is_instructor,
    user_is_org_admin,
    user_is_student,
)
from assignments.selectors import assignments_for_user
from awarding.selectors import sweep_runs_for_user, sweep_schedule
from badges.models import BadgeIssuance
from badges.selectors import badges_for_user, badges_with_holder_counts, issuances_of_student
from badges.statistics import issuances_per_week, most_issued_badges
from classes.selectors import classes_for_user
from common.charts import ChartRow

DASHBOARD_LIST_SIZE = 8


class DashboardView(TemplateView):
    """The landing page: each role sees what it works with first."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user_is_org_admin(user=user):
            context["admin"] = self.administrator_figures(user)
        if user_is_instructor(user=user):
            context["taught_classes"] = (
                classes_for_user(user=user)
                .filter(instructors=user)
                .annotate(student_count=Count("enrollments"))
            )
        if user_is_student(user=user):
            context["my_issuances"] = issuances_of_student(student=user)
        return context

    def administrator_figures(self, user) -> dict:
        badges = badges_for_user(user=user)
        badge_counts = badges.aggregate(
            total=Count("pk"), archived=Count("pk", filter=Q(is_active=False))
        )
        classes = classes_for_user(user=user).annotate(student_count=Count("enrollments"))
        issuances = administered_by(
            user=user, queryset=BadgeIssuance.objects.all(), field="badge__organization_id"
        )
        weeks = issuances_per_week(issuances=issuances)
        methods = BadgeIssuance.Method
        most_issued = most_issued_badges(badges=badges)
        return {
            "badges": badges_with_holder_counts(badges=badges)[:DASHBOARD_LIST_SIZE],
            "badge_count": badge_counts["total"],
            "archived_count": badge_counts["archived"],
            "classes": classes[:DASHBOARD_LIST_SIZE],
            "class_count": classes.count(),
            "assignments": assignments_for_user(user=user)[:DASHBOARD_LIST_SIZE],
            "assignment_count": assignments_for_user(user=user).count(),
            "issuance_count": issuances.count(),
            "recent_issuances": issuances.select_related("badge", "recipient").order_by(
                "-issued_at", "-pk"
            )[:DASHBOARD_LIST_SIZE],
            "last_sweep": sweep_runs_for_user(user=user).order_by("-started_at").first(),
            "schedule": sweep_schedule(),
            "week_series": [methods.AUTOMATIC.label, methods.MANUAL.label],
            "week_rows": [
                ChartRow(
                    f"{week.week_start:%d %b}",
                    (week.by_method[methods.AUTOMATIC], week.by_method[methods.MANUAL]),
                )
                for week in weeks
            ],
            "most_issued_series": ["Holders"],
            "most_issued_rows": [
                ChartRow(badge.name, (badge.holder_count,)) for badge in most_issued
            ],
        }
