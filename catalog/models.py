"""The course catalog (courses, tags, labs, learning paths, exams) and the learning records that
refer to it directly (lab completions, exam attempts).

Learning records are facts with a timestamp. They are written by the portal, the admin, imports or
the lab platform, and never rewritten by badge logic. `recorded_at` is when the portal learnt the
fact (the sweep's watermark); `completed_at` / `attempted_at` is when it happened (which may be
long before, for imported history).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="courses")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Lab(models.Model):
    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Exam(models.Model):
    title = models.CharField(max_length=200)
    pass_mark = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Minimum score, in percent, of a passing attempt.",
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class LearningPath(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    courses = models.ManyToManyField(
        Course, through="LearningPathCourse", related_name="learning_paths"
    )
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="learning_paths")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class LearningPathCourse(models.Model):
    learning_path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["learning_path", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["learning_path", "course"], name="unique_course_per_learning_path"
            ),
            models.UniqueConstraint(
                fields=["learning_path", "position"], name="unique_position_per_learning_path"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learning_path} #{self.position}: {self.course}"


class LabCompletion(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_completions"
    )
    lab = models.ForeignKey(Lab, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_at"]
        constraints = [
            # The same lab finished at the same moment is one fact: re-imports add nothing.
            models.UniqueConstraint(
                fields=["student", "lab", "completed_at"], name="unique_lab_completion"
            ),
        ]
        indexes = [
            # Sweep: "students who completed lab L, and when first" is an index-only scan.
            models.Index(
                fields=["lab", "student", "completed_at"], name="labcompl_lab_student_idx"
            ),
            models.Index(fields=["recorded_at"], name="labcompl_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} completed {self.lab}"


class ExamAttempt(models.Model):
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_attempts"
    )
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    passed = models.BooleanField(help_text="Whether the attempt met the pass mark when taken.")
    attempted_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-attempted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "exam", "attempted_at"], name="unique_exam_attempt"
            ),
        ]
        indexes = [
            # Sweep: passing attempts per exam, by student, earliest first.
            models.Index(
                fields=["exam", "student", "attempted_at"],
                name="examatt_passed_idx",
                condition=models.Q(passed=True),
            ),
            models.Index(fields=["recorded_at"], name="examatt_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} scored {self.score} on {self.exam}"
