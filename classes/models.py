from django.conf import settings
from django.db import models


class CourseClass(models.Model):
    """An instructor-led run of a course, owned by an organization.

    Its instructors may belong to the organization (organization instructors) or not (contract
    instructors); the difference is derived from `User.organization`, never stored.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="classes"
    )
    course = models.ForeignKey("catalog.Course", on_delete=models.PROTECT, related_name="classes")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="taught_classes"
    )
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Enrollment",
        related_name="enrolled_classes",
    )

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="class_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Enrollment(models.Model):
    """A student on a class's roster. Completing it completes the class's course."""

    course_class = models.ForeignKey(
        CourseClass, on_delete=models.CASCADE, related_name="enrollments"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the portal learnt of the completion: the sweep's watermark, set with completed_at.
    completion_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["course_class", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_class", "student"], name="unique_enrollment_per_class"
            ),
        ]
        indexes = [
            models.Index(fields=["student"], name="enrollment_student_idx"),
            models.Index(
                fields=["course_class", "student", "completed_at"],
                name="enrollment_completed_idx",
                condition=models.Q(completed_at__isnull=False),
            ),
            models.Index(
                fields=["completion_recorded_at"],
                name="enrollment_recorded_idx",
                condition=models.Q(completion_recorded_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.course_class}"

    @property
    def status(self) -> str:
        return "Completed" if self.completed_at else "Enrolled"
