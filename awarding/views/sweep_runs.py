"""Sweep Runs: every run of the sweep, for administrators."""

from django.conf import settings
from django.views.generic import ListView

from awarding.selectors import (
    sweep_runs_for_user,
)
from common.views import PortalPermissionMixin


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
