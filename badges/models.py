from django.conf import settings
from django.db import models
from django.utils import timezone

from .images import badge_image_url


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
    def image_url(self) -> str:
        """The uploaded image, or the one generated from the name (badges.images)."""
        return badge_image_url(self)

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
    # Where the issuance came from: "POST /classes/3/issue/ from 203.0.113.7", "sweep", ...
    origin = models.CharField(max_length=300, blank=True, default="", db_default="")

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

    # How each source reads after "Automatic," or "Manual, by <name>,": the achievement, class or
    # course assignment it names follows. Written once, beside the choices it words.
    HOW_ISSUED = {
        Source.ACHIEVEMENT: "via the achievement",
        Source.ROSTER: "from the roster of",
        Source.BATCH: "in a batch issuance for",
        Source.COURSE_ASSIGNMENT: "from the course assignment",
        Source.ADMIN: "from the administration site",
    }

    @property
    def is_automatic(self) -> bool:
        return self.method == self.Method.AUTOMATIC

    @property
    def how_issued(self) -> str:
        """Where the issuance came from, in words: "from the roster of", "via the achievement"."""
        return self.HOW_ISSUED.get(self.source, "")

    @property
    def is_from_class(self) -> bool:
        """Issued from a class (its roster or its Issue Badges page): the class is named after."""
        return self.source in {self.Source.ROSTER, self.Source.BATCH}

    @property
    def is_from_course_assignment(self) -> bool:
        return self.source == self.Source.COURSE_ASSIGNMENT


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
    origin = models.CharField(max_length=300, blank=True, default="", db_default="")

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

    @property
    def is_creation(self) -> bool:
        """A creation lists each first value; any other change each old and new value."""
        return self.action == self.Action.CREATED


class BadgeRevocation(models.Model):
    """A revoked issuance: what the issuance said (it is deleted, so its facts are copied here),
    who revoked it, when, why and from where. Written only by `badge_issuance_revoke`, never
    edited: together with the issuances that remain, the complete trail of every badge issued."""

    badge = models.ForeignKey(
        Badge, on_delete=models.SET_NULL, null=True, blank=True, related_name="revocations"
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    badge_name = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="badge_revocations",
    )
    recipient_name = models.CharField(max_length=300)
    issued_at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=BadgeIssuance.Method.choices)
    source = models.CharField(max_length=20, choices=BadgeIssuance.Source.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_from = models.CharField(max_length=300, blank=True)
    revoked_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_from = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["-revoked_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-revoked_at"], name="revocation_recipient_idx"),
            models.Index(
                fields=["organization", "-revoked_at"], name="revocation_organization_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.badge_name} revoked from {self.recipient_name}"
