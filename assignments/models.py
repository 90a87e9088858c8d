from django.conf import settings
from django.db import models


class CourseAssignment(models.Model):
    """A course assigned to one student by an organization. Completing it completes the course."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="course_assignments"
    )
    course = models.ForeignKey(
        "catalog.Course", on_delete=models.PROTECT, related_name="assignments"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField()
    due_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-assigned_at"]
        indexes = [
            models.Index(fields=["organization", "-assigned_at"], name="assignment_org_idx"),
            models.Index(fields=["student"], name="assignment_student_idx"),
            models.Index(
                fields=["course", "student", "completed_at"],
                name="assignment_completed_idx",
                condition=models.Q(completed_at__isnull=False),
            ),
            models.Index(
                fields=["completion_recorded_at"],
                name="assignment_recorded_idx",
                condition=models.Q(completion_recorded_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} for {self.student}"

    @property
    def status(self) -> str:
        return "Completed" if self.completed_at else "Assigned"
