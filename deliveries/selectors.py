"""Reads of delivery state for the pages of lower floors: each issuance's deliveries attached in
one query, the Issued Status of each channel as an annotation (for the CSV and the filter)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import (
    Case,
    CharField,
    Exists,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)

from accounts.models import User
from badges.models import Badge, BadgeIssuance
from badges.selectors import issuances_visible_to
from badges.services.revocation import user_may_revoke
from deliveries.models import Delivery

Status = Delivery.Status
# A channel with no row for an issuance reads as "Not sent", as a skipped one does.
NOT_SENT = "none"
ISSUED_STATUS_CHOICES = [
    (Status.PENDING, "Pending"),
    (Status.SENT, "Sent"),
    (Status.ACCEPTED, "Accepted"),
    (Status.FAILED, "Failed"),
    (NOT_SENT, "Not sent"),
]


def issuances_attach_deliveries(*, issuances: Sequence[BadgeIssuance], user: User) -> None:
    """Give each issuance `delivery_list` (its deliveries, e-mail first) and `may_resend`: one
    query for the deliveries, none per row."""
    prefetch_related_objects(
        list(issuances),
        Prefetch(
            "deliveries",
            queryset=Delivery.objects.order_by("channel", "action").only(
                "pk",
                "issuance_id",
                "channel",
                "action",
                "status",
                "attempts",
                "last_error",
                "external_state",
                "sent_at",
                "next_attempt_at",
            ),
            to_attr="delivery_list",
        ),
    )
    permissions: dict[int, bool] = {}
    for issuance in issuances:
        badge = issuance.badge
        if badge.organization_id not in permissions:
            permissions[badge.organization_id] = user_may_revoke(user=user, badge=badge)
        issuance.may_resend = permissions[badge.organization_id]


def issuances_with_issued_status(
    queryset: QuerySet[BadgeIssuance], *, channel: str, status: str
) -> QuerySet[BadgeIssuance]:
    """The issuances whose delivery on `channel` stands at `status` ("none": not sent, which is
    skipped or no row)."""
    rows = Delivery.objects.filter(
        issuance=OuterRef("pk"), channel=channel, action=Delivery.Action.ISSUE
    )
    if status == NOT_SENT:
        return queryset.exclude(Exists(rows.exclude(status=Status.SKIPPED)))
    return queryset.filter(Exists(rows.filter(status=status)))


def issuances_annotate_issued_status(queryset: QuerySet[BadgeIssuance]) -> QuerySet[BadgeIssuance]:
    """`email_issued_status` and `credly_issued_status`, the label of each channel's state, read
    by one LEFT JOIN per channel in the query that reads the rows: an issuance has at most one
    issue delivery per channel (delivery_once_per_channel), so no row is repeated, and the
    planner can hash-join a whole export instead of probing the index twice per row (the CSV
    streams them in chunks, or by COPY)."""
    labels = dict(ISSUED_STATUS_CHOICES)
    joins = {}
    annotations = {}
    for channel in Delivery.Channel.values:
        alias = f"{channel}_issue_delivery"
        joins[alias] = FilteredRelation(
            "deliveries",
            condition=Q(deliveries__channel=channel, deliveries__action=Delivery.Action.ISSUE),
        )
        annotations[f"{channel}_issued_status"] = Case(
            *(
                When(**{f"{alias}__status": value}, then=Value(text))
                for value, text in labels.items()
            ),
            default=Value(labels[NOT_SENT]),
            output_field=CharField(),
        )
    return queryset.annotate(**joins).annotate(**annotations)


def failed_deliveries_of_badge(*, badge: Badge) -> int:
    return Delivery.objects.filter(issuance__badge=badge, status=Status.FAILED).count()


def deliveries_visible_to(*, user: User) -> QuerySet[Delivery]:
    """The deliveries of the issuances a user may see (Find Issued Badges' narrowing)."""
    return Delivery.objects.filter(issuance__in=issuances_visible_to(user=user).values("pk"))
