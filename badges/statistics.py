"""Figures for the charts: issuances per week by method, the most-issued badges. Each is one
grouped query over issuances the caller has already narrowed to what the user may see."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Badge, BadgeIssuance

CHART_WEEKS = 12


@dataclass(frozen=True)
class WeekOfIssuances:
    week_start: date
    by_method: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_method.values())


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def issuances_per_week(
    *, issuances: QuerySet[BadgeIssuance], weeks: int = CHART_WEEKS, now: datetime | None = None
) -> list[WeekOfIssuances]:
    """The last `weeks` weeks (Monday to Sunday, in the portal's time zone), oldest first, each
    with its count per method (every method present, zeros included). One query: per day and
    method, folded into weeks here (a week truncation differs between SQLite and PostgreSQL)."""
    today = timezone.localdate(now)
    first = _week_start(today) - timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    rows = (
        issuances.filter(issued_at__gte=since)
        .annotate(day=TruncDate("issued_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "method")
        .annotate(count=Count("pk"))
        .order_by()
    )
    methods = [value for value, _ in BadgeIssuance.Method.choices]
    result = {first + timedelta(weeks=offset): dict.fromkeys(methods, 0) for offset in range(weeks)}
    for row in rows:
        result[_week_start(row["day"])][row["method"]] += row["count"]
    return [WeekOfIssuances(week_start=week, by_method=counts) for week, counts in result.items()]


def most_issued_badges(*, badges: QuerySet[Badge], limit: int = 5) -> list[Badge]:
    """The badges with the most holders, most first (`holder_count`), ties by name. One query."""
    return list(
        badges.annotate(holder_count=Count("issuances"))
        .filter(holder_count__gt=0)
        .order_by("-holder_count", "name", "pk")[:limit]
    )
