from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class Availability(models.TextChoices):
    """Who may use a badge or an achievement besides its own organization."""

    OWN = "own", "This organization only"
    CHILDREN = "children", "All its child organizations"
    CHOSEN = "chosen", "Chosen child organizations"


class Organization(models.Model):
    """A customer. Organizations form a tree (a parent with child organizations, any depth, no
    cycles: `accounts.tree` finds descendants and ancestors with a recursive query)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The parent organization: it may make badges and achievements available here.",
    )
    achievements_enabled = models.BooleanField(
        "Enable Achievements",
        default=True,
        db_default=True,
        help_text="Off: the sweep and the re-evaluation skip this organization's achievements; "
        "badges are still issued by hand.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def person_name(first_name: str, last_name: str, username: str) -> str:
    """How the portal names a person: the full name, else the username (for names read as
    columns, without the user)."""
    return f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    """A person: administrator, instructor or student, by the groups they belong to.

    Every person belongs to at most one organization (platform staff to none). Whether an
    instructor is an organization or a contract instructor of a class is derived by comparing
    this organization with the class's, never stored.
    """

    email = models.EmailField("email address", blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    show_name_on_public_badges = models.BooleanField(
        "Show my name on my public badge pages",
        default=False,
        db_default=False,
        help_text="Anyone with the link to one of your badges sees your name beside it.",
    )
    receives_award_emails = models.BooleanField(
        "E-mail me when I receive a badge",
        default=True,
        db_default=True,
    )
    participates_in_achievements = models.BooleanField(
        "Participate in Achievements",
        default=True,
        db_default=True,
        help_text="Off: no achievement completions, no points and no automatic badges. Back on, "
        "everything earned in the meantime is restored.",
    )
    # When participation last changed: the next sweep evaluates such a student's whole history.
    participation_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        indexes = [
            models.Index(fields=["organization", "last_name", "first_name"]),
            # Find Issued Badges sorted by student, across organizations.
            models.Index(
                fields=["last_name", "first_name", "username"], name="accounts_user_name_idx"
            ),
            models.Index(Lower("email"), name="accounts_user_email_lower_idx"),
            # The sweep asks, every run, who changed their participation since it last looked:
            # few ever do, so the index holds only them.
            models.Index(
                fields=["participation_changed_at"],
                name="user_participation_idx",
                condition=models.Q(participation_changed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return person_name(self.first_name, self.last_name, self.username)
