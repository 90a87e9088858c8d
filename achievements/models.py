from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Availability


class Achievement(models.Model):
    """A rule that finds the completion of a task; badges mapped to it are issued automatically.

    Exactly one kind of criteria applies, chosen by `criteria_type`; the database checks that the
    fields that kind needs are set. A student who meets the rule gains `points`.
    """

    class CriteriaType(models.TextChoices):
        LAB = "lab", "Complete a lab"
        COURSE = "course", "Complete a course"
        COURSE_SET = "course_set", "Complete every course of a set"
        TAGGED_COURSES = "tagged_courses", "Complete at least N courses with a tag"
        LEARNING_PATH = "learning_path", "Complete a learning path and pass its exam"
        POINTS = "points", "Accumulate at least N points"

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="achievements"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_enabled = models.BooleanField("enabled", default=True)
    points = models.PositiveIntegerField(
        default=0, help_text="Points a student gains by completing this achievement."
    )
    criteria_type = models.CharField(max_length=20, choices=CriteriaType.choices)
    lab = models.ForeignKey(
        "catalog.Lab", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        "catalog.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    course_set = models.ManyToManyField(
        "catalog.Course", blank=True, related_name="+", verbose_name="courses"
    )
    tag = models.ForeignKey(
        "catalog.Tag", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    min_courses = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many distinct tagged courses are needed."
    )
    learning_path = models.ForeignKey(
        "catalog.LearningPath", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    points_threshold = models.PositiveIntegerField(null=True, blank=True)
    availability = models.CharField(
        "Availability",
        max_length=10,
        choices=Availability.choices,
        default=Availability.OWN,
        db_default=Availability.OWN,
        help_text="Whose students it counts: this organization's, or also those of its child "
        "organizations (their completions, and its badges go to them automatically).",
    )
    available_to = models.ManyToManyField(
        "accounts.Organization", blank=True, related_name="achievements_available"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped whenever the rule or its mapping changes: the next sweep then evaluates the whole
    # history for this achievement instead of only what changed since its last run.
    criteria_changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="unique_achievement_name_per_org"
            ),
            models.CheckConstraint(
                name="achievement_criteria_fields_match_type",
                condition=(
                    Q(criteria_type="lab", lab__isnull=False)
                    | Q(criteria_type="course", course__isnull=False)
                    | Q(criteria_type="course_set")
                    | Q(
                        criteria_type="tagged_courses",
                        tag__isnull=False,
                        min_courses__isnull=False,
                        min_courses__gte=1,
                    )
                    | Q(criteria_type="learning_path", learning_path__isnull=False)
                    | Q(
                        criteria_type="points",
                        points_threshold__isnull=False,
                        points_threshold__gte=1,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def criteria_template(self) -> str:
        """The template that words this achievement's criteria: one per criteria type
        (templates/achievements/criteria/), as each type has its own class of SQL."""
        return f"achievements/criteria/{self.criteria_type}.html"


class AchievementCompletion(models.Model):
    """A student met an achievement; `first_met_at` is when the requirement was first met."""

    # No single-column indexes: the unique constraint leads with the achievement and
    # achcompl_student_idx with the student, and every index slows the sweep's inserts.
    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="completions", db_index=False
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="achievement_completions",
        db_index=False,
    )
    first_met_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_met_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "student"], name="unique_achievement_completion"
            ),
        ]
        indexes = [
            models.Index(fields=["student", "achievement"], name="achcompl_student_idx"),
            models.Index(fields=["achievement", "recorded_at"], name="achcompl_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} completed {self.achievement}"


class AchievementWatermark(models.Model):
    """How far the sweep has evaluated one achievement.

    Completion records recorded before `evaluated_through` (less the overlap margin) have been
    looked at, for the criteria as they stood at `criteria_version`. A sweep evaluates only the
    students with newer records, unless the criteria or a mapped badge changed since, in which case
    it evaluates the whole history again. Written in the same transaction as the completions it
    describes, so it never runs ahead of them.
    """

    achievement = models.OneToOneField(
        Achievement, on_delete=models.CASCADE, primary_key=True, related_name="watermark"
    )
    evaluated_through = models.DateTimeField()
    criteria_version = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.achievement} evaluated through {self.evaluated_through}"


class SweepRun(models.Model):
    """One run of the completion sweep: what it did, how long it took, and how it ended."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (another sweep was running)"
        INTERRUPTED = "interrupted", "Interrupted"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Worker"
        COMMAND = "command", "Management command"

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    achievements_evaluated = models.PositiveIntegerField(default=0)
    achievements_evaluated_in_full = models.PositiveIntegerField(
        default=0, help_text="Achievements new or changed, evaluated over all history."
    )
    achievements_completed = models.PositiveIntegerField(
        default=0, help_text="Achievement completions recorded (students who newly met one)."
    )
    badges_issued = models.PositiveIntegerField(default=0)
    achievements_skipped = models.PositiveIntegerField(
        default=0,
        db_default=0,
        help_text="Enabled achievements not evaluated: their organization has Enable "
        "Achievements off.",
    )
    error = models.TextField(blank=True)
    # A distributed sweep (awarding/sweep/distributed.py): the lease that stands for the lock
    # while its tasks run on any worker, and the achievements still waiting for theirs.
    lease_until = models.DateTimeField(null=True, blank=True)
    pending = models.JSONField(default=list, blank=True, null=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-started_at"], name="sweeprun_started_idx")]

    def __str__(self) -> str:
        return f"Sweep of {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def went_wrong(self) -> bool:
        """Failed or interrupted: the run stands out on Sweep Runs."""
        return self.status in {self.Status.FAILED, self.Status.INTERRUPTED}

    @property
    def was_skipped(self) -> bool:
        return self.status == self.Status.SKIPPED
