"""Where each issuance stands on its way to the student: one row per issuance, channel and action
(the outbox the workers drain), and the Credly account an organization delivers through."""

from django.db import models
from django.db.models.functions import Now

from common.fields import EncryptedSecretField


class OutboxRow(models.Model):
    """What every row the workers drain holds (deliveries/services/outbox.py QUEUES): its state,
    its attempts, when it is next due and the lease of the worker that holds it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    # When a worker may next try it; a claimed row is invisible to other workers until then.
    next_attempt_at = models.DateTimeField(db_default=Now())
    # A worker's lease on the row: a worker killed mid-batch leaves it, and the next one takes
    # the row again once the lease has run out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(db_default=Now())
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Delivery(OutboxRow):
    """One piece of delivery work and its state: written in the transaction that made the
    issuance (or its revocation), drained by the workers, retried with backoff until it is done
    or its last attempt has failed."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        CREDLY = "credly", "Credly"

    class Action(models.TextChoices):
        ISSUE = "issue", "Issue"
        REVOKE = "revoke", "Revoke"

    # No foreign-key constraint in the database: its deferred check at commit was half of what
    # the outbox cost the sweep (12,500 rows: ~50 of ~110 ms). Rows are only written from the
    # issuances the same statement inserted (or a locked one), and deleting an issuance
    # deletes its deliveries through Django's cascade; an orphan is never claimed (the claim
    # joins its issuance).
    issuance = models.ForeignKey(
        "badges.BadgeIssuance",
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    action = models.CharField(
        max_length=10, choices=Action.choices, default=Action.ISSUE, db_default=Action.ISSUE
    )
    # The provider's own id and state (Credly's badge id; pending, accepted, revoked…).
    external_id = models.CharField(max_length=100, blank=True, default="", db_default="")
    external_state = models.CharField(max_length=40, blank=True, default="", db_default="")

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["issuance", "channel", "action"], name="delivery_once_per_channel"
            ),
        ]
        indexes = [
            models.Index(
                fields=["channel", "next_attempt_at"],
                name="delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_action_display()} of {self.issuance_id}"


class CredlyConnection(models.Model):
    """An organization's Credly account, as its administrator configures it. The API token is
    stored encrypted (common/crypto.py) and never shown again in full: only its last characters."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="credly_connection"
    )
    credly_organization_id = models.CharField("Organization ID", max_length=64)
    api_url = models.URLField("API URL", max_length=200, default="https://api.credly.com")
    api_token = EncryptedSecretField("API token")
    token_hint = models.CharField(max_length=8, blank=True, default="")
    is_enabled = models.BooleanField("Deliver badges to Credly", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Credly for {self.organization}"


class WebhookEndpoint(models.Model):
    """An organization's receiver of issuance events: a URL, the events it wants, and a secret
    the portal generated (Standard Webhooks' `whsec_<base64>`), stored encrypted and shown once."""

    class Event(models.TextChoices):
        CREATED = "issuance.created", "issuance.created: a badge was issued"
        REVOKED = "issuance.revoked", "issuance.revoked: a badge was revoked"
        REINSTATED = "issuance.reinstated", "issuance.reinstated: a revoked badge was given back"
        RENEWED = "issuance.renewed", "issuance.renewed: a badge began a new period"

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField("URL", max_length=500)
    description = models.CharField(max_length=200, blank=True, default="")
    # A list of Event values.
    events = models.JSONField(default=list)
    is_active = models.BooleanField("Active", default=True)
    secret = EncryptedSecretField("Signing secret")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(OutboxRow):
    """One event for one endpoint: written with what happened to the issuance (set-based, in the
    same statement or transaction), drained by the same claim, lease and retry policy as the
    other deliveries. `event_id` is the Standard Webhooks message id: the same on every attempt
    and redelivery, so a receiver can refuse a replay. `body` is the payload as first sent, kept
    so that every later attempt sends the same bytes."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="+")
    # No database constraint, as Delivery.issuance (the cost at commit in the sweep).
    issuance = models.ForeignKey(
        "badges.BadgeIssuance", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=30, choices=WebhookEndpoint.Event.choices)
    occurred_at = models.DateTimeField(db_default=Now())
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, default="", db_default="")
    body = models.TextField(blank=True, default="", db_default="")

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} of {self.issuance_id} to endpoint {self.endpoint_id}"
