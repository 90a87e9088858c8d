from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class Organization(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        indexes = [
            models.Index(fields=["organization", "last_name", "first_name"]),
            # Find Issued Badges sorted by student, across organizations.
            models.Index(
                fields=["last_name", "first_name", "username"], name="accounts_user_name_idx"
            ),
            models.Index(Lower("email"), name="accounts_user_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
