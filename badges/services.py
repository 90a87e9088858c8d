"""Writes about badges. `badge_issue_many` is the one way a badge is issued by hand; the sweep uses
`badge_issue_for_achievements`. Both insert and let the unique constraint on (badge, recipient)
decide, so concurrent callers never produce two rows.

Badge profiles are written by `badge_create`, `badge_update`, `badge_archive` and `badge_delete`,
each of which records what it changed as a `BadgeChange`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from accounts.models import Organization, User
from accounts.selectors import user_is_org_admin
from achievements.models import Achievement, AchievementCompletion
from classes.selectors import class_enrollments_visible_to, user_may_issue_for_class
from common.sql import db_datetime, in_list

from .audit import current_origin
from .models import Badge, BadgeChange, BadgeIssuance, BadgeRevocation

# SQLite allows 32,766 bound variables per statement; two per pair leaves room for the constants.
_SQLITE_PAIRS_PER_STATEMENT = 10_000


@dataclass(frozen=True)
class IssueContext:
    """Where a manual issuance comes from, and so which rules apply to it.

    Built with one of the `for_*` constructors, which check that the actor may issue there.
    """

    actor: User | None
    method: str
    source: str
    organization_id: int | None
    course_class: object | None = None
    course_assignment: object | None = None
    achievement: object | None = None
    require_manual_enabled: bool = True

    @classmethod
    def for_class(cls, *, actor: User, course_class, batch: bool = False) -> IssueContext:

        if not user_may_issue_for_class(user=actor, course_class=course_class):
            raise PermissionDenied("You may not issue badges for this class.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.BATCH if batch else BadgeIssuance.Source.ROSTER,
            organization_id=course_class.organization_id,
            course_class=course_class,
        )

    @classmethod
    def for_assignment(cls, *, actor: User, course_assignment) -> IssueContext:

        allowed = actor.is_staff or (
            actor.has_perm("badges.issue_badge")
            and user_is_org_admin(user=actor)
            and actor.organization_id == course_assignment.organization_id
        )
        if not allowed:
            raise PermissionDenied("You may not issue badges for this course assignment.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.COURSE_ASSIGNMENT,
            organization_id=course_assignment.organization_id,
            course_assignment=course_assignment,
        )

    @classmethod
    def for_admin(cls, *, actor: User) -> IssueContext:
        """Platform staff issuing from the Django admin: any organization, any active badge."""
        if not actor.is_staff:
            raise PermissionDenied("Only platform staff issue from the administration site.")
        return cls(
            actor=actor,
            method=BadgeIssuance.Method.MANUAL,
            source=BadgeIssuance.Source.ADMIN,
            organization_id=None,
            require_manual_enabled=False,
        )


@dataclass(frozen=True)
class IssueOutcome:
    badge_id: int
    student_id: int
    issued: bool
    reason: str = ""
    badge: Badge | None = field(default=None, compare=False)
    student: User | None = field(default=None, compare=False)


def _already_earned_reason(issued_at: datetime) -> str:
    return f"already earned on {date_format(timezone.localtime(issued_at), 'j F Y')}"


def _visible_student_ids(*, context: IssueContext, student_ids: set[int]) -> set[int]:
    """The requested students this context may issue to, in one query."""
    if context.course_class is not None:
        return set(
            class_enrollments_visible_to(user=context.actor, course_class=context.course_class)
            .filter(student_id__in=student_ids)
            .values_list("student_id", flat=True)
        )
    if context.course_assignment is not None:
        return {context.course_assignment.student_id} & student_ids
    return student_ids


def _refusal(
    *, context: IssueContext, badge: Badge | None, student: User | None, visible: set[int]
):
    if badge is None:
        return "badge does not exist"
    if student is None:
        return "student does not exist"
    if context.organization_id is not None and badge.organization_id != context.organization_id:
        return "badge belongs to another organization"
    if not badge.is_active:
        return "badge is archived"
    if context.require_manual_enabled and not badge.manual_issuance_enabled:
        return "badge is not enabled for manual issuance"
    if student.pk not in visible:
        if context.course_assignment is not None:
            return "student is not the student of this course assignment"
        return "student is not enrolled in this class or not visible to you"
    return None


def _insert_pairs(*, pairs: list[tuple[int, int]], context: IssueContext) -> set[tuple[int, int]]:
    """Insert the pairs, skipping those the constraint refuses; return the pairs actually written.

    Pairs are sorted so that two overlapping batches take row locks in the same order and cannot
    deadlock each other.
    """
    if not pairs:
        return set()
    pairs = sorted(set(pairs))
    table = BadgeIssuance._meta.db_table
    constants = [
        timezone.now(),
        context.method,
        context.source,
        context.actor.pk if context.actor else None,
        context.achievement.pk if context.achievement else None,
        context.course_class.pk if context.course_class else None,
        context.course_assignment.pk if context.course_assignment else None,
        current_origin(default=context.source),
    ]
    columns = (
        "badge_id, recipient_id, issued_at, method, source, issued_by_id, "
        "source_achievement_id, source_class_id, source_assignment_id, origin"
    )
    written: set[tuple[int, int]] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                "SELECT p.badge_id, p.recipient_id, %s, %s, %s, %s, %s, %s, %s, %s "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS p(badge_id, recipient_id) "
                "ON CONFLICT (badge_id, recipient_id) DO NOTHING "
                "RETURNING badge_id, recipient_id",
                [*constants, [b for b, _ in pairs], [s for _, s in pairs]],
            )
            written.update(cursor.fetchall())
        else:
            for start in range(0, len(pairs), _SQLITE_PAIRS_PER_STATEMENT):
                chunk = pairs[start : start + _SQLITE_PAIRS_PER_STATEMENT]
                values = ", ".join(["(%s, %s)"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "
                    "SELECT p.column1, p.column2, %s, %s, %s, %s, %s, %s, %s, %s "
                    f"FROM (VALUES {values}) AS p WHERE true "
                    "ON CONFLICT (badge_id, recipient_id) DO NOTHING "
                    "RETURNING badge_id, recipient_id",
                    [*constants, *(value for pair in chunk for value in pair)],
                )
                written.update(cursor.fetchall())
    return written


def badge_issue_many(
    *, context: IssueContext, pairs: Iterable[tuple[int, int]]
) -> list[IssueOutcome]:
    """Issue each (badge id, student id) pair and say, for every pair, what happened.

    A pair is refused with a reason a person can read when a rule of the context forbids it, or
    when the student already holds the badge ("already earned on 12 March 2026"). The work takes a
    fixed number of statements whatever the number of pairs. Duplicate pairs in the input are
    reported once.
    """
    requested = list(dict.fromkeys((int(b), int(s)) for b, s in pairs))
    if not requested:
        return []
    badge_ids = {b for b, _ in requested}
    student_ids = {s for _, s in requested}
    badges = Badge.objects.in_bulk(badge_ids)
    students = User.objects.in_bulk(student_ids)
    visible = _visible_student_ids(context=context, student_ids=set(students))

    refusals: dict[tuple[int, int], str] = {}
    for pair in requested:
        reason = _refusal(
            context=context,
            badge=badges.get(pair[0]),
            student=students.get(pair[1]),
            visible=visible,
        )
        if reason:
            refusals[pair] = reason
    insertable = [pair for pair in requested if pair not in refusals]

    with transaction.atomic():
        written = _insert_pairs(pairs=insertable, context=context)
    conflicts = [pair for pair in insertable if pair not in written]
    if conflicts:
        existing = {
            (b, s): issued_at
            for b, s, issued_at in BadgeIssuance.objects.filter(
                badge_id__in={b for b, _ in conflicts},
                recipient_id__in={s for _, s in conflicts},
            ).values_list("badge_id", "recipient_id", "issued_at")
        }
        for pair in conflicts:
            issued_at = existing.get(pair)
            refusals[pair] = _already_earned_reason(issued_at) if issued_at else "already earned"

    return [
        IssueOutcome(
            badge_id=b,
            student_id=s,
            issued=(b, s) in written,
            reason=refusals.get((b, s), ""),
            badge=badges.get(b),
            student=students.get(s),
        )
        for b, s in requested
    ]


def badge_issue_for_achievements(
    *,
    achievement_ids: Iterable[int],
    completed_since: datetime | None = None,
    student_ids: Iterable[int] | None = None,
) -> int:
    """Issue, in one statement, every active badge mapped to these achievements to every student
    who has completed the achievement and does not hold the badge yet. Method automatic, source
    the achievement. Returns the number issued.

    `completed_since` narrows to the completions recorded since then (the ones a sweep has just
    written), `student_ids` to those students. Rows are inserted in (badge, recipient) order, the
    order `badge_issue_many` uses, so a sweep and a manual batch on the same pairs wait for each
    other instead of deadlocking; the unique constraint leaves one row per pair either way.
    Each issuance records its origin: the request being answered, else "sweep" or, for named
    students (after their completions were recorded), "re-evaluation"."""

    achievement_ids = list(achievement_ids)
    if not achievement_ids:
        return 0
    issuance = BadgeIssuance._meta.db_table
    badge = Badge._meta.db_table
    completion = AchievementCompletion._meta.db_table
    params: list = [
        db_datetime(timezone.now()),
        BadgeIssuance.Method.AUTOMATIC,
        BadgeIssuance.Source.ACHIEVEMENT,
        current_origin(default="sweep" if student_ids is None else "re-evaluation"),
    ]
    achievement_filter, achievement_params = in_list("c.achievement_id", achievement_ids)
    params.extend(achievement_params)
    narrowing = ""
    if completed_since is not None:
        narrowing += " AND c.recorded_at >= %s"
        params.append(db_datetime(completed_since))
    if student_ids is not None:
        student_filter, student_params = in_list("c.student_id", sorted(set(student_ids)))
        narrowing += f" AND {student_filter}"
        params.extend(student_params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {issuance} (badge_id, recipient_id, issued_at, method, source, "
            "issued_by_id, source_achievement_id, source_class_id, source_assignment_id, origin) "
            "SELECT b.id, c.student_id, %s, %s, %s, NULL, c.achievement_id, NULL, NULL, %s "
            f"FROM {completion} c JOIN {badge} b ON b.achievement_id = c.achievement_id "
            f"WHERE b.is_active AND {achievement_filter}{narrowing} "
            f"AND NOT EXISTS (SELECT 1 FROM {issuance} i "
            "WHERE i.badge_id = b.id AND i.recipient_id = c.student_id) "
            "ORDER BY b.id, c.student_id "
            "ON CONFLICT (badge_id, recipient_id) DO NOTHING",
            params,
        )
        return cursor.rowcount


# Badge profiles -------------------------------------------------------------------------------

DUPLICATE_NAME_MESSAGE = "A badge with this name already exists in your organization."
HAS_HOLDERS_MESSAGE = (
    "This badge has holders, so it cannot be deleted. Archive it instead: holders keep it, and "
    "nobody can be issued it any more."
)

# The fields a change record describes, with the labels people see on the edit form.
_TRACKED_FIELDS = [
    ("name", "Name"),
    ("description", "Description"),
    ("is_active", "Active"),
    ("manual_issuance_enabled", "Enable Manual Issuance"),
    ("achievement", "Automatic Issuance"),
    ("image", "Image"),
]


def _displayed(badge: Badge, field_name: str) -> str:
    value = getattr(badge, field_name)
    if field_name in {"is_active", "manual_issuance_enabled"}:
        return "Yes" if value else "No"
    if field_name == "achievement":
        return value.name if value is not None else "None"
    if field_name == "image":
        return value.name.rsplit("/", 1)[-1] if value else "Default image"
    return value


def _snapshot(badge: Badge) -> dict[str, str]:
    return {field_name: _displayed(badge, field_name) for field_name, _ in _TRACKED_FIELDS}


def _differences(before: dict[str, str], after: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"field": label, "old": before[field_name], "new": after[field_name]}
        for field_name, label in _TRACKED_FIELDS
        if before[field_name] != after[field_name]
    ]


def _record(*, badge: Badge, actor: User, action: str, changes: list[dict[str, str]]):
    return BadgeChange.objects.create(
        badge=badge,
        organization_id=badge.organization_id,
        badge_name=badge.name,
        actor=actor,
        action=action,
        changes=changes,
        origin=current_origin(),
    )


def _ensure_may_edit(*, actor: User, organization_id: int) -> None:

    if actor.is_staff:
        return
    if not (user_is_org_admin(user=actor) and actor.organization_id == organization_id):
        raise PermissionDenied("You may not change this organization's badges.")


def _ensure_achievement_of(*, achievement, organization_id: int) -> None:
    if achievement is not None and achievement.organization_id != organization_id:
        raise ValidationError(
            {"achievement": "Choose an achievement of the badge's own organization."}
        )


def _mark_mapping_changed(*, achievement_id: int) -> None:
    """A new mapping is retroactive: the next sweep looks at the achievement's whole history."""

    Achievement.objects.filter(pk=achievement_id).update(criteria_changed_at=timezone.now())


def _image_file_name(*, badge: Badge, image: File) -> str:
    extension = image.name.rsplit(".", 1)[-1].lower()
    return f"{slugify(badge.name)[:40] or 'badge'}-{uuid4().hex[:12]}.{extension}"


def _delete_file_after_commit(*, storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _save_or_refuse_duplicate_name(badge: Badge) -> None:
    try:
        with transaction.atomic():
            badge.save()
    except IntegrityError as error:
        if (
            Badge.objects.filter(organization_id=badge.organization_id, name=badge.name)
            .exclude(pk=badge.pk)
            .exists()
        ):
            raise ValidationError({"name": DUPLICATE_NAME_MESSAGE}) from error
        raise


def badge_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    description: str = "",
    is_active: bool = True,
    manual_issuance_enabled: bool = False,
    achievement=None,
    image: File | None = None,
) -> Badge:
    """Create a badge of `organization` and record its first values.

    Raises ValidationError (field "name") when the organization has a badge of that name already,
    and PermissionDenied when the actor may not edit the organization's badges.
    """
    _ensure_may_edit(actor=actor, organization_id=organization.pk)
    _ensure_achievement_of(achievement=achievement, organization_id=organization.pk)
    badge = Badge(
        organization=organization,
        name=name,
        description=description,
        is_active=is_active,
        manual_issuance_enabled=manual_issuance_enabled,
        achievement=achievement,
    )
    with transaction.atomic():
        _save_or_refuse_duplicate_name(badge)
        if image is not None:
            badge.image.save(_image_file_name(badge=badge, image=image), image, save=False)
            badge.save(update_fields=["image", "updated_at"])
        changes = [
            {"field": label, "old": "", "new": _displayed(badge, field_name)}
            for field_name, label in _TRACKED_FIELDS
        ]
        _record(badge=badge, actor=actor, action=BadgeChange.Action.CREATED, changes=changes)
        if achievement is not None and is_active:
            _mark_mapping_changed(achievement_id=achievement.pk)
    return badge


def badge_update(
    *,
    actor: User,
    badge: Badge,
    name: str,
    description: str,
    is_active: bool,
    manual_issuance_enabled: bool,
    achievement,
    image: File | None = None,
    remove_image: bool = False,
) -> Badge:
    """Store every field of the edit form at once and record what changed (nothing when nothing
    did). `image` replaces the image; `remove_image` goes back to the default image.

    The badge row is locked for the duration, so two editors saving at once each record the
    difference from what the other stored.
    """
    _ensure_may_edit(actor=actor, organization_id=badge.organization_id)
    _ensure_achievement_of(achievement=achievement, organization_id=badge.organization_id)
    with transaction.atomic():
        current = (
            Badge.objects.select_for_update(of=("self",))
            .select_related("achievement")
            .get(pk=badge.pk)
        )
        before = _snapshot(current)
        mapped_before, was_active = current.achievement_id, current.is_active
        old_image_name = current.image.name
        current.name = name
        current.description = description
        current.is_active = is_active
        current.manual_issuance_enabled = manual_issuance_enabled
        current.achievement = achievement
        new_image_name = ""
        if image is not None:
            current.image.save(_image_file_name(badge=current, image=image), image, save=False)
            new_image_name = current.image.name
        elif remove_image:
            current.image = None
        changes = _differences(before, _snapshot(current))
        if not changes:
            return current
        try:
            _save_or_refuse_duplicate_name(current)
        except ValidationError:
            if new_image_name:
                current.image.storage.delete(new_image_name)
            raise
        _record(badge=current, actor=actor, action=BadgeChange.Action.UPDATED, changes=changes)
        if current.image.name != old_image_name:
            _delete_file_after_commit(storage=current.image.storage, name=old_image_name)
        if (
            current.achievement_id is not None
            and current.is_active
            and (current.achievement_id != mapped_before or not was_active)
        ):
            _mark_mapping_changed(achievement_id=current.achievement_id)
    return current


def badge_map_to_achievement(
    *, actor: User, badge: Badge, achievement: Achievement | None
) -> Badge:
    """Issue the badge automatically for this achievement (moving it from the one it was mapped
    to, if any), or with None stop issuing it automatically; holders keep it either way. The
    achievement page's map and unmap come here, and the change is recorded like any other edit.
    A new mapping is retroactive: the next sweep issues the badge to every student who has
    completed the achievement, including those who did before the mapping existed."""
    _ensure_may_edit(actor=actor, organization_id=badge.organization_id)
    _ensure_achievement_of(achievement=achievement, organization_id=badge.organization_id)
    with transaction.atomic():
        current = (
            Badge.objects.select_for_update(of=("self",))
            .select_related("achievement")
            .get(pk=badge.pk)
        )
        mapped_before = current.achievement_id
        if mapped_before == (achievement.pk if achievement is not None else None):
            return current
        before = _snapshot(current)
        current.achievement = achievement
        current.save(update_fields=["achievement", "updated_at"])
        _record(
            badge=current,
            actor=actor,
            action=BadgeChange.Action.UPDATED,
            changes=_differences(before, _snapshot(current)),
        )
        for achievement_id in {mapped_before, current.achievement_id} - {None}:
            _mark_mapping_changed(achievement_id=achievement_id)
    return current


def badge_archive(*, actor: User, badge: Badge) -> Badge:
    """Archive a badge: its holders keep it, nobody can be issued it any more. Archiving an
    archived badge changes and records nothing."""
    _ensure_may_edit(actor=actor, organization_id=badge.organization_id)
    with transaction.atomic():
        current = Badge.objects.select_for_update().get(pk=badge.pk)
        if not current.is_active:
            return current
        current.is_active = False
        current.save(update_fields=["is_active", "updated_at"])
        _record(
            badge=current,
            actor=actor,
            action=BadgeChange.Action.ARCHIVED,
            changes=[{"field": "Active", "old": "Yes", "new": "No"}],
        )
    return current


def badge_delete(*, actor: User, badge: Badge) -> None:
    """Delete a badge nobody holds; its change history stays, with the deletion recorded.

    The badge row is locked first: an issuance inserted at the same time waits for this
    transaction (its foreign-key check needs the row), so a badge with holders is never deleted.
    Raises ValidationError when the badge has holders.
    """
    _ensure_may_edit(actor=actor, organization_id=badge.organization_id)
    with transaction.atomic():
        current = Badge.objects.select_for_update().get(pk=badge.pk)
        if BadgeIssuance.objects.filter(badge_id=current.pk).exists():
            raise ValidationError(HAS_HOLDERS_MESSAGE)
        _record(badge=current, actor=actor, action=BadgeChange.Action.DELETED, changes=[])
        _delete_file_after_commit(storage=current.image.storage, name=current.image.name)
        current.delete()


# Revocation -----------------------------------------------------------------------------------

REVOCATION_REASON_MAX_LENGTH = 500


def user_may_revoke(*, user: User, badge: Badge) -> bool:
    """Administrators of the badge's organization, and platform staff: those who may open the
    badge's Profile page."""

    return user.has_perm("badges.change_badge") and (
        user.is_staff
        or (user_is_org_admin(user=user) and user.organization_id == badge.organization_id)
    )


def badge_issuance_revoke(*, actor: User, issuance: BadgeIssuance, reason: str) -> BadgeRevocation:
    """Take a badge back: delete the issuance and record, in the same transaction, what it was and
    who revoked it, when, why and from where. The student may be issued the badge again later.

    Raises PermissionDenied when the actor may not revoke the badge, ValidationError when the
    reason is empty or too long, and BadgeIssuance.DoesNotExist when it was revoked already."""
    if not user_may_revoke(user=actor, badge=issuance.badge):
        raise PermissionDenied("You may not revoke this organization's badges.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the badge is revoked."})
    if "\x00" in reason:
        raise ValidationError({"reason": "The reason may not contain null characters."})
    if len(reason) > REVOCATION_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"Keep the reason under {REVOCATION_REASON_MAX_LENGTH} characters."}
        )
    with transaction.atomic():
        current = (
            BadgeIssuance.objects.select_for_update(of=("self",))
            .select_related("badge", "recipient")
            .get(pk=issuance.pk)
        )
        recipient = current.recipient
        revocation = BadgeRevocation.objects.create(
            badge=current.badge,
            organization_id=current.badge.organization_id,
            badge_name=current.badge.name,
            recipient=recipient,
            recipient_name=f"{recipient.display_name} <{recipient.email}>",
            issued_at=current.issued_at,
            method=current.method,
            source=current.source,
            issued_by_id=current.issued_by_id,
            issued_from=current.origin,
            revoked_by=actor,
            revoked_from=current_origin(),
            reason=reason,
        )
        current.delete()
    return revocation
