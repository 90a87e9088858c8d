"""Run the completion sweep now (the same code the hourly Celery beat task runs)."""

from django.core.management.base import BaseCommand, CommandError

from achievements.models import SweepRun
from awarding.sweep.runs import sweep_run
from awarding.tasks import sweep_achievements


class Command(BaseCommand):
    help = (
        "Record the achievements students have completed and issue the badges mapped to them. "
        "Runs now in this process, or with --enqueue queues the sweep for a Celery worker."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the sweep task for a Celery worker instead of running it here.",
        )

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = sweep_achievements.delay()
            self.stdout.write(f"Sweep queued for a Celery worker (task {result.id}).")
            return
        run = sweep_run(trigger=SweepRun.Trigger.COMMAND)
        if run.status == SweepRun.Status.SKIPPED:
            self.stdout.write(self.style.WARNING("Another sweep is running: this one skipped."))
            return
        seconds = run.duration.total_seconds()
        self.stdout.write(
            f"Sweep {run.get_status_display().lower()} in {seconds:.2f} s: "
            f"{run.achievements_evaluated} achievement(s) evaluated "
            f"({run.achievements_evaluated_in_full} over all history), "
            f"{run.achievements_completed} completion(s) recorded, "
            f"{run.badges_issued} badge(s) issued."
        )
        if run.status == SweepRun.Status.FAILED:
            raise CommandError(f"The sweep failed:\n{run.error}")
