"""Reads for setting up automatic issuance: achievements with their badges, and the forecast of
what the next sweep will do, computed with the sweep's own query."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from accounts.models import User
from accounts.selectors import administered_by, user_is_org_admin
from achievements.criteria import COMPLETIONS, Criteria, met_students_sql
from achievements.models import Achievement, AchievementCompletion, SweepRun
from achievements.selectors import achievements_for_user
from badges.audit import SWEEP_ORIGIN
from badges.models import Badge, BadgeIssuance

ISSUANCES = BadgeIssuance._meta.db_table
USERS = User._meta.db_table
ACHIEVEMENT_ERROR = re.compile(r"^Achievement (?P<pk>\d+) \(")


def achievements_with_counts(*, achievements: QuerySet[Achievement]) -> QuerySet[Achievement]:
    return achievements.annotate(
        completion_count=Count("completions", distinct=True),
        badge_count=Count("badges", distinct=True),
    ).order_by("name", "pk")


def achievement_for_page(*, user: User, pk: int) -> Achievement:
    """One achievement with what its page shows, or DoesNotExist outside the user's reach."""
    return (
        achievements_with_counts(achievements=achievements_for_user(user=user))
        .select_related("lab", "course", "tag", "learning_path__exam")
        .prefetch_related("course_set", "learning_path__steps__course", "badges")
        .get(pk=pk)
    )


def sweep_runs_for_user(*, user: User) -> QuerySet[SweepRun]:
    """The sweep runs, each with the figures this user may see.

    One sweep serves every organization, so a run's own totals are platform-wide: platform staff
    see them; an organization's administrator sees each run's figures for their organization only,
    counted from what the run wrote (the sweep holds the one lock and writes with the origin
    "sweep", so its issuances are those with that origin between its start and end):
    `shown_badges_issued`, `shown_completions` and `shown_achievements` (achievements that gained
    completions). Anyone else sees no run. One query for a page, whatever the number of issuances.
    """
    if not user.has_perm("achievements.view_sweeprun"):
        return SweepRun.objects.none()
    runs = SweepRun.objects.all()
    if user.is_staff:
        return runs.annotate(
            shown_badges_issued=F("badges_issued"),
            shown_completions=F("achievements_completed"),
            shown_achievements=F("achievements_evaluated"),
        )
    if not user_is_org_admin(user=user):
        return SweepRun.objects.none()
    end = Coalesce(OuterRef("finished_at"), Now())
    completions = AchievementCompletion.objects.filter(
        achievement__organization_id=user.organization_id,
        recorded_at__gte=OuterRef("started_at"),
        recorded_at__lte=end,
    )
    issuances = BadgeIssuance.objects.filter(
        badge__organization_id=user.organization_id,
        method=BadgeIssuance.Method.AUTOMATIC,
        origin=SWEEP_ORIGIN,
        issued_at__gte=OuterRef("started_at"),
        issued_at__lte=end,
    )
    return runs.annotate(
        shown_badges_issued=_count(issuances),
        shown_completions=_count(completions),
        shown_achievements=_count(completions, distinct="achievement_id"),
    )


def _count(queryset: QuerySet, *, distinct: str | None = None) -> Subquery:
    counted = Count(distinct, distinct=True) if distinct else Count("pk")
    return Coalesce(
        Subquery(
            queryset.order_by()
            .annotate(group=Value(1))
            .values("group")
            .annotate(n=counted)
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def sweep_run_errors_for_user(*, user: User, runs: Sequence[SweepRun]) -> None:
    """Set `shown_errors` on each run: every error line for platform staff; for an organization's
    administrator the lines about the sweep as a whole and those about their own achievements
    (a line about one achievement starts "Achievement <id> ("). One query at most."""
    if user.is_staff or not any(run.error for run in runs):
        for run in runs:
            run.shown_errors = run.error.splitlines()
        return
    own = {
        str(pk)
        for pk in Achievement.objects.filter(organization_id=user.organization_id).values_list(
            "pk", flat=True
        )
    }
    for run in runs:
        shown = []
        for line in run.error.splitlines():
            about = ACHIEVEMENT_ERROR.match(line)
            if about is None or about["pk"] in own:
                shown.append(line)
        run.shown_errors = shown


@dataclass(frozen=True)
class SweepSchedule:
    """When the scheduled sweep last started and is due next (beat runs it every `interval`)."""

    interval: timedelta
    last_scheduled: SweepRun | None
    next_due_at: datetime | None


def sweep_schedule() -> SweepSchedule:
    interval = timedelta(seconds=settings.SWEEP_INTERVAL_SECONDS)
    last = (
        SweepRun.objects.filter(trigger=SweepRun.Trigger.SCHEDULE).order_by("-started_at").first()
    )
    next_due_at = None
    if last is not None:
        next_due_at = last.started_at + interval
        now = timezone.now()
        if next_due_at < now:
            # Missed beats (the worker was down): the next is due at the next multiple.
            missed = (now - next_due_at) // interval + 1
            next_due_at += missed * interval
    return SweepSchedule(interval=interval, last_scheduled=last, next_due_at=next_due_at)


@dataclass(frozen=True)
class ReevaluationSummary:
    """What the re-evaluations after completions recorded in the portal did, outside the sweep."""

    since: datetime
    badges_issued: int
    students: int


def reevaluations_summary(*, user: User, since: datetime) -> ReevaluationSummary:
    """Automatic issuances not made by the sweep (made right after a completion was recorded),
    of the badges this user administers, since `since`. One query."""
    issuances = administered_by(
        user=user,
        queryset=BadgeIssuance.objects.filter(
            method=BadgeIssuance.Method.AUTOMATIC, issued_at__gte=since
        ).exclude(origin=SWEEP_ORIGIN),
        field="badge__organization_id",
    )
    figures = issuances.aggregate(
        badges_issued=Count("pk"), students=Count("recipient_id", distinct=True)
    )
    return ReevaluationSummary(since=since, **figures)


@dataclass(frozen=True)
class BadgePreview:
    badge: Badge
    recipients: int
    # Of them, those an award e-mail would reach (Notify recipients on, the student not opted
    # out, an address): the number the administrator decides about when mapping.
    emailed: int = 0


@dataclass(frozen=True)
class Preview:
    """What the next sweep would do for an achievement, as it is or as a form would change it.

    `meeting`: students who meet the criteria now; `newly`: those of them who have not completed
    the achievement yet (the next sweep records their completion); per mapped badge, the students
    who would receive it (they have completed or newly meet the achievement, and do not hold it).
    """

    meeting: int
    newly: int
    badges: tuple[BadgePreview, ...] = ()


def achievement_preview(
    *, criteria: Criteria, badges: Sequence[Badge] = (), achievement_id: int | None = None
) -> Preview:
    """Counts only, computed with the sweep's own query; one query, plus one per badge."""
    met, params = met_students_sql(criteria)
    if achievement_id is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({met}) m", params)
            meeting = cursor.fetchone()[0]
        return Preview(meeting=meeting, newly=meeting)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), "
            "COALESCE(SUM(CASE WHEN done.student_id IS NULL THEN 1 ELSE 0 END), 0) "
            f"FROM ({met}) m LEFT JOIN {COMPLETIONS} done "
            "ON done.achievement_id = %s AND done.student_id = m.student_id",
            [*params, achievement_id],
        )
        meeting, newly = cursor.fetchone()
        previews = []
        for badge in badges:
            cursor.execute(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN u.receives_award_emails "
                "AND u.email <> '' THEN 1 ELSE 0 END), 0) "
                f"FROM (SELECT m.student_id FROM ({met}) m "
                f"UNION SELECT done.student_id FROM {COMPLETIONS} done "
                "WHERE done.achievement_id = %s) due "
                f"JOIN {USERS} u ON u.id = due.student_id "
                f"WHERE NOT EXISTS (SELECT 1 FROM {ISSUANCES} i "
                "WHERE i.badge_id = %s AND i.recipient_id = due.student_id)",
                [*params, achievement_id, badge.pk],
            )
            recipients, emailed = cursor.fetchone()
            previews.append(
                BadgePreview(
                    badge=badge,
                    recipients=recipients,
                    emailed=emailed if badge.notify_recipients else 0,
                )
            )
    return Preview(meeting=meeting, newly=newly, badges=tuple(previews))
