"""Find Issued Badges with its Issued Status filter: per channel, Pending, Sent, Accepted,
Failed or Not sent."""

import django_filters

from badges.filters import IssuedBadgeFilter
from deliveries.models import Delivery
from deliveries.selectors import ISSUED_STATUS_CHOICES, issuances_with_issued_status

CHANNEL_LABELS = dict(Delivery.Channel.choices)
ISSUED_STATUS_FILTER_CHOICES = [
    (
        CHANNEL_LABELS[channel],
        [
            (f"{channel}:{value}", f"{CHANNEL_LABELS[channel]}: {label}")
            for value, label in ISSUED_STATUS_CHOICES
        ],
    )
    for channel in Delivery.Channel.values
]


class IssuedBadgeStatusFilter(IssuedBadgeFilter):
    issued_status = django_filters.ChoiceFilter(
        label="Issued Status",
        choices=ISSUED_STATUS_FILTER_CHOICES,
        empty_label="Any Issued Status",
        method="filter_issued_status",
    )

    def filter_issued_status(self, queryset, name, value):
        channel, _, status = value.partition(":")
        return issuances_with_issued_status(queryset, channel=channel, status=status)
