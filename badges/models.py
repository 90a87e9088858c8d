from __future__ import annotations

import calendar
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from accounts.models import Availability
from common.sql import RandomHex, RandomUUID

from .images import badge_image_url


def _add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 month
    is 28 or 29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


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
    criteria_narrative = models.TextField(
        "Criteria",
        blank=True,
        help_text="What a student does to earn this badge, in your words. Shown on the badge's "
        "public criteria page after the criteria of its achievement.",
    )

    class Expiry(models.TextChoices):
        NEVER = "never", "Never expires"
        AFTER = "after", "Expires a period after it is issued"
        ON_DATE = "on_date", "Expires on a fixed date"

    class ExpiryUnit(models.TextChoices):
        DAYS = "days", "days"
        MONTHS = "months", "months"
        YEARS = "years", "years"

    notify_recipients = models.BooleanField(
        "Notify recipients",
        default=True,
        db_default=True,
        help_text="E-mail each student who receives this badge.",
    )
    # The administrator's choice when a mapping would award many students at once: those who
    # met the achievement before this moment receive the badge without an award e-mail.
    notify_completions_from = models.DateTimeField(
        "E-mail only students who meet the achievement from",
        null=True,
        blank=True,
        help_text="Students who met the achievement earlier receive the badge without an e-mail.",
    )
    credly_template_id = models.CharField(
        "Credly badge template ID",
        max_length=64,
        blank=True,
        default="",
        db_default="",
        help_text="Deliver this badge through the organization's Credly account as this template.",
    )

    expiry = models.CharField(
        "Expiry", max_length=10, choices=Expiry.choices, default=Expiry.NEVER, db_default="never"
    )
    expiry_amount = models.PositiveIntegerField("Expires after", null=True, blank=True)
    expiry_unit = models.CharField(
        "Period", max_length=10, choices=ExpiryUnit.choices, blank=True, default=""
    )
    expires_on = models.DateField("Expires on", null=True, blank=True)
    availability = models.CharField(
        "Availability",
        max_length=10,
        choices=Availability.choices,
        default=Availability.OWN,
        db_default=Availability.OWN,
    )
    available_to = models.ManyToManyField(
        "accounts.Organization",
        blank=True,
        related_name="badges_available",
        help_text="With “Chosen child organizations”: the child organizations that may use it.",
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

    def expiry_for(self, issued_at: datetime) -> datetime | None:
        """When an issuance made at `issued_at` expires: never (None), a period later, or at the
        start of the fixed date in the portal's time zone."""
        if self.expiry == self.Expiry.AFTER and self.expiry_amount:
            if self.expiry_unit == self.ExpiryUnit.DAYS:
                return issued_at + timedelta(days=self.expiry_amount)
            months = self.expiry_amount * (12 if self.expiry_unit == self.ExpiryUnit.YEARS else 1)
            return _add_months(issued_at, months)
        if self.expiry == self.Expiry.ON_DATE and self.expires_on:
            return timezone.make_aware(datetime.combine(self.expires_on, time.min))
        return None

    @property
    def expiry_description(self) -> str:
        if self.expiry == self.Expiry.AFTER and self.expiry_amount:
            return f"Expires {self.expiry_amount} {self.expiry_unit} after it is issued"
        if self.expiry == self.Expiry.ON_DATE and self.expires_on:
            return f"Expires on {self.expires_on:%-d %B %Y}"
        return "Never expires"


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
        API = "api", "Integration API"

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
    # The public identity of the credential (its assertion URL), never the database key; and the
    # salt of the recipient's hashed e-mail in it. Made by the database, so that set-based
    # INSERTs get them too.
    uuid = models.UUIDField(db_default=RandomUUID(), unique=True, editable=False)
    recipient_salt = models.CharField(max_length=32, db_default=RandomHex(), editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.CharField(max_length=500, blank=True, default="", db_default="")
    revoked_from = models.CharField(max_length=300, blank=True, default="", db_default="")
    # When the row last changed (issued, revoked, reinstated, renewed): what the API's
    # `updated_since` reads for incremental sync. Set by the database on insert and by each
    # service that changes the row.
    updated_at = models.DateTimeField(db_default=Now(), editable=False)

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            # Also after a revocation or an expiry: a revoked issuance stays the pair's one row,
            # and an expired one is renewed in place (its earlier periods in IssuanceEvent).
            models.UniqueConstraint(
                fields=["badge", "recipient"], name="one_issuance_per_badge_and_student"
            ),
        ]
        indexes = [
            models.Index(fields=["-issued_at"], name="issuance_issued_at_idx"),
            models.Index(fields=["updated_at", "id"], name="issuance_updated_at_idx"),
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
        Source.API: "through the integration API",
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

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def status(self) -> str:
        if self.is_revoked:
            return self.Status.REVOKED
        if self.is_expired:
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID


class IssuanceEvent(models.Model):
    """What happened to an issuance after it was issued: revoked, reinstated, or renewed after it
    expired (with the period that ended). Written only by the badge services, never edited: with
    the issuance itself, the whole history of a student's badge."""

    class Kind(models.TextChoices):
        REVOKED = "revoked", "Revoked"
        REINSTATED = "reinstated", "Reinstated"
        RENEWED = "renewed", "Renewed"

    issuance = models.ForeignKey(BadgeIssuance, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin = models.CharField(max_length=300, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    # For a renewal, the period that ended: when it had been issued, how, and when it expired.
    period_issued_at = models.DateTimeField(null=True, blank=True)
    period_expires_at = models.DateTimeField(null=True, blank=True)
    period_method = models.CharField(max_length=10, blank=True, default="")
    period_source = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["issuance", "-at"], name="issuanceevent_issuance_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issuance_id} at {self.at:%Y-%m-%d}"


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
