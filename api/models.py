"""API clients (an organization's integrations, each with a hashed token and its scopes) and the
external ids of the completions they have sent (what makes a repeated item a duplicate)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class ApiClient(models.Model):
    """One integration of one organization (the lab platform, the LMS). Its token is shown once
    when it is made; only its SHA-256 is kept, and its first characters to tell tokens apart."""

    class Scope(models.TextChoices):
        COMPLETIONS_WRITE = "completions:write", "Record completions"
        ISSUANCES_READ = "issuances:read", "Read issuances, badges and achievements"
        ISSUANCES_WRITE = "issuances:write", "Issue, revoke and reinstate badges"
        WEBHOOKS_MANAGE = "webhooks:manage", "Manage webhook endpoints"

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="api_clients"
    )
    name = models.CharField(max_length=100)
    # SHA-256 of the whole token, hex: the token has 256 random bits, so a fast hash is enough.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=16, editable=False)
    # A list of Scope values.
    scopes = models.JSONField(default=list)
    requests_per_minute = models.PositiveIntegerField(default=600)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who the client acts as: a user of the organization in its administrators' group, made with
    # the client, with no usable password (it cannot log in). Every service the API calls checks
    # this user's permissions exactly as for a person, and records it as the actor ("issued by").
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_client",
    )
    created_at = models.DateTimeField(db_default=Now())
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_client_name_once_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ExternalCompletion(models.Model):
    """A completion item an API client has sent, by its own external id: the same id again is a
    duplicate, whatever it carries. Written in the transaction that records the completion, with
    ON CONFLICT DO NOTHING, so two identical batches at once record each item once."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"], name="external_completion_once_per_client"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} from {self.client_id}"
