"""The pages of lower floors that show where each delivery stands (Issued Status): Find Issued
Badges (its filter and CSV), a student's Achievements/Badges page and a badge's Profile. Each
extends the lower floor's view and is routed in its place by lms_portal/urls.py; the lower
floor's templates show the column when the view names `issued_status_template`."""

from badges.views.profiles import BadgeProfileView
from badges.views.search import ExportIssuedBadgesView, FindIssuedBadgesView
from badges.views.students import StudentBadgesView
from deliveries.filters import IssuedBadgeStatusFilter
from deliveries.selectors import (
    failed_deliveries_of_badge,
    issuances_annotate_issued_status,
    issuances_attach_deliveries,
)
from deliveries.services.resend import user_may_resend

ISSUED_STATUS_TEMPLATE = "deliveries/includes/issued_status.html"


class FindIssuedBadgesWithStatusView(FindIssuedBadgesView):
    filterset_class = IssuedBadgeStatusFilter

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issuances_attach_deliveries(issuances=context["issuances"], user=self.request.user)
        context["issued_status_template"] = ISSUED_STATUS_TEMPLATE
        return context


class ExportIssuedBadgesWithStatusView(ExportIssuedBadgesView):
    filterset_class = IssuedBadgeStatusFilter

    def csv_stream(self, issuances):
        return super().csv_stream(
            issuances_annotate_issued_status(issuances),
            extra_columns=(
                ("Issued Status (e-mail)", "email_issued_status"),
                ("Issued Status (Credly)", "credly_issued_status"),
            ),
        )


class StudentBadgesWithStatusView(StudentBadgesView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issuances_attach_deliveries(issuances=context["issuances"], user=self.request.user)
        context["issued_status_template"] = ISSUED_STATUS_TEMPLATE
        context["award_emails_template"] = "deliveries/includes/award_emails_form.html"
        return context


class BadgeProfileWithStatusView(BadgeProfileView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = list(context["latest_issuances"])
        issuances_attach_deliveries(issuances=latest, user=self.request.user)
        context["latest_issuances"] = latest
        context["issued_status_template"] = ISSUED_STATUS_TEMPLATE
        if user_may_resend(user=self.request.user, badge=self.object):
            context["failed_deliveries"] = failed_deliveries_of_badge(badge=self.object)
            context["resend_failed_template"] = "deliveries/includes/resend_failed.html"
        return context
