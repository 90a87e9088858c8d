from django.conf import settings
from django.db import models
from django.utils import timezone


class Badge(models.Model):
    """A credential an organization issues: automatically (mapped to an achievement), by hand
    (manual issuance enabled), or both."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="badges"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="badges/", blank=True)
    is_active = models.BooleanField(
        "active", default=True, help_text="Archived badges are kept for their holders only."
    )
    manual_issuance_enabled = models.BooleanField("Enable Manual Issuance", default=False)
    achievement = models.ForeignKey(
        "achievements.Achievement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="badges",
        help_text="Issue this badge automatically to every student who completes it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [("issue_badge", "Can issue badges by hand")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="unique_badge_name_per_org"
            ),
        ]
        indexes = [
            models.Index(fields=["achievement"], name="badge_achievement_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def issuance_mode(self) -> str:
        automatic = self.achievement_id is not None
        if automatic and self.manual_issuance_enabled:
            return "Automatic and manual"
        if automatic:
            return "Automatic"
        if self.manual_issuance_enabled:
            return "Manual"
        return "Not issued"


class BadgeIssuance(models.Model):
    """One badge issued to one student. The unique constraint is the one-badge-per-student rule."""

    class Method(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic"
        MANUAL = "manual", "Manual"

    class Source(models.TextChoices):
        ACHIEVEMENT = "achievement", "Achievement"
        ROSTER = "roster", "Class roster"
        BATCH = "batch", "Batch issuance"
        COURSE_ASSIGNMENT = "course_assignment", "Course assignment"
        ADMIN = "admin", "Administration"

    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="issuances")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_issuances"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=10, choices=Method.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_achievement = models.ForeignKey(
        "achievements.Achievement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_class = models.ForeignKey(
        "classes.CourseClass", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_assignment = models.ForeignKey(
        "assignments.CourseAssignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="badge_issuances",
    )

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge", "recipient"], name="one_issuance_per_badge_and_student"
            ),
        ]
        indexes = [
            models.Index(fields=["-issued_at"], name="issuance_issued_at_idx"),
            models.Index(fields=["recipient", "-issued_at"], name="issuance_recipient_idx"),
            models.Index(fields=["badge", "-issued_at"], name="issuance_badge_idx"),
            models.Index(fields=["source_class", "-issued_at"], name="issuance_class_idx"),
            models.Index(fields=["source_assignment"], name="issuance_assignment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.badge} to {self.recipient}"


class BadgeChange(models.Model):
    """One recorded change to a badge: who, when, what (each field's old and new value).

    Kept when the badge is deleted (the badge link becomes empty; the name and organization stay),
    so the trail outlives what it describes. Written only by the badge services.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Edited"
        ARCHIVED = "archived", "Archived"
        DELETED = "deleted", "Deleted"

    badge = models.ForeignKey(
        Badge, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    badge_name = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=10, choices=Action.choices)
    # [{"field": "Enable Manual Issuance", "old": "No", "new": "Yes"}, ...]
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["badge", "-changed_at"], name="badgechange_badge_idx"),
            models.Index(
                fields=["organization", "-changed_at"], name="badgechange_organization_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.badge_name}"
