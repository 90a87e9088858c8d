"""Participate in Achievements (a student) and Enable Achievements (an organization): whether
the sweep and the re-evaluation look at them at all."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from accounts.selectors import user_administers_organization, user_may_set_participation

from .reevaluation import students_reevaluate_on_commit


@transaction.atomic
def student_set_participation(*, actor: User, student: User, participates: bool) -> bool:
    """Opt a student out of achievements (no completions, no points, no automatic badges; what
    they hold stays) or back in. Back in, everything they would have earned is restored: they
    are re-evaluated over their whole history as soon as this commits, and the next sweep does
    it too (their `participation_changed_at` makes all their records news), so a broker that is
    down loses nothing. Returns whether anything changed."""
    if not user_may_set_participation(user=actor, student=student):
        raise PermissionDenied("You may not change this student's participation.")
    changed = (
        User.objects.filter(pk=student.pk)
        .exclude(participates_in_achievements=participates)
        .update(participates_in_achievements=participates, participation_changed_at=timezone.now())
    )
    student.participates_in_achievements = participates
    if changed and participates:
        students_reevaluate_on_commit(student_ids=[student.pk])
    return bool(changed)


def user_may_switch_achievements(*, user: User, organization: Organization) -> bool:
    return user.has_perm("achievements.change_achievement") and user_administers_organization(
        user=user, organization_id=organization.pk
    )


@transaction.atomic
def organization_set_achievements_enabled(
    *, actor: User, organization: Organization, enabled: bool
) -> None:
    """Enable Achievements. Off, the sweep and the re-evaluation skip the organization's
    achievements (each run counts them as skipped) and their watermarks stay where they were;
    back on, the next sweep looks at every record made in the meantime. Manual issuance goes on
    either way."""
    if not user_may_switch_achievements(user=actor, organization=organization):
        raise PermissionDenied("You may not change this organization's achievements.")
    Organization.objects.filter(pk=organization.pk).update(achievements_enabled=enabled)
    organization.achievements_enabled = enabled
