"""Sweep Runs: every run of the sweep, with the figures the viewer may see, and Run sweep now."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from awarding.selectors import (
    reevaluations_summary,
    sweep_run_errors_for_user,
    sweep_runs_for_user,
    sweep_schedule,
)
from awarding.services.sweeping import sweep_queue_on_commit
from common.charts import ChartRow
from common.views import PortalPermissionMixin

REEVALUATIONS_WINDOW = timedelta(hours=24)
RUN_NOW_PERMISSIONS = ("achievements.view_sweeprun", "achievements.change_achievement")


class SweepRunListView(PortalPermissionMixin, ListView):
    permission_required = "achievements.view_sweeprun"
    template_name = "achievements/sweep_run_list.html"
    context_object_name = "runs"
    paginate_by = 50

    def get_queryset(self):
        return sweep_runs_for_user(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = list(context["runs"])
        sweep_run_errors_for_user(user=self.request.user, runs=runs)
        schedule = sweep_schedule()
        chart_runs = [run for run in reversed(runs) if run.duration is not None]
        labels = [f"{timezone.localtime(run.started_at):%d %b %H:%M}" for run in chart_runs]
        context.update(
            runs=runs,
            chart_runs=chart_runs,
            duration_series=["Seconds"],
            duration_rows=[
                ChartRow(label, (round(run.duration.total_seconds(), 2),))
                for label, run in zip(labels, chart_runs, strict=True)
            ],
            badge_series=["Badges issued"],
            badge_rows=[
                ChartRow(label, (run.shown_badges_issued,))
                for label, run in zip(labels, chart_runs, strict=True)
            ],
            schedule=schedule,
            interval_minutes=int(schedule.interval.total_seconds() // 60),
            reevaluations=reevaluations_summary(
                user=self.request.user, since=timezone.now() - REEVALUATIONS_WINDOW
            ),
            may_run_now=self.request.user.has_perms(RUN_NOW_PERMISSIONS),
        )
        return context


class SweepRunNowView(PortalPermissionMixin, View):
    """Run sweep now: the worker runs the same sweep as beat's, once this request has committed;
    the one-sweep-at-a-time lock still applies (a sweep already running makes it a skipped run)."""

    permission_required = RUN_NOW_PERMISSIONS
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        sweep_queue_on_commit()
        messages.success(
            request,
            "The sweep is queued: it appears below when the worker has run it "
            "(skipped if another sweep is running).",
        )
        return redirect("achievements:sweep_runs")
