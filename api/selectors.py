"""API clients as the clients page lists them."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.selectors import administered_by

from .models import ApiClient


def api_clients_of(*, organization_id: int) -> QuerySet[ApiClient]:
    return (
        ApiClient.objects.filter(organization_id=organization_id)
        .select_related("created_by")
        .order_by("revoked_at", "name", "pk")
    )


def api_client_for_admin(*, user: User, pk: int) -> ApiClient | None:
    """A client the user may manage, or None (so the page answers 404, not 403)."""
    return (
        administered_by(user=user, queryset=ApiClient.objects.all())
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
