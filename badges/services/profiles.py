"""Badge profiles are written by `badge_create`, `badge_update`, `badge_archive`, `badge_delete`
and `badge_map_to_achievement`, each of which records what it changed as a `BadgeChange`. Only an
administrator of the badge's organization, or platform staff, may call them."""

from __future__ import annotations

from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Availability, Organization, User
from accounts.selectors import user_administers_organization
from accounts.tree import organization_descendants
from achievements.models import Achievement
from badges.audit import current_origin
from badges.models import Badge, BadgeChange, BadgeIssuance

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
    ("criteria_narrative", "Criteria"),
    ("expiry", "Expiry"),
    ("availability", "Availability"),
    ("available_to", "Child organizations"),
    ("credly_template_id", "Credly badge template ID"),
    ("notify_recipients", "Notify recipients"),
]


def _displayed(badge: Badge, field_name: str) -> str:
    value = getattr(badge, field_name)
    if field_name in {"is_active", "manual_issuance_enabled", "notify_recipients"}:
        return "Yes" if value else "No"
    if field_name == "achievement":
        return value.name if value is not None else "None"
    if field_name == "image":
        return value.name.rsplit("/", 1)[-1] if value else "Default image"
    if field_name == "expiry":
        return badge.expiry_description
    if field_name == "availability":
        return badge.get_availability_display()
    if field_name == "available_to":
        return _names(badge.available_to.values_list("pk", flat=True)) if badge.pk else ""
    return value


def _names(organization_ids) -> str:
    names = Organization.objects.filter(pk__in=list(organization_ids)).values_list(
        "name", flat=True
    )
    return ", ".join(sorted(names))


def _ensure_descendants(*, organization_id: int, organizations) -> None:
    """Only child organizations (at any depth) may be chosen."""
    ids = {org.pk for org in organizations}
    if not ids:
        return
    allowed = set(
        organization_descendants(organization_id=organization_id)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if ids - allowed:
        raise ValidationError({"available_to": "Choose among this organization's children."})


CREDENTIAL_FIELDS = (
    "criteria_narrative",
    "expiry",
    "expiry_amount",
    "expiry_unit",
    "expires_on",
    "credly_template_id",
    "notify_recipients",
)


def _credential_fields(values: dict) -> dict:
    """The criteria text and expiry a badge's credentials carry, and the Credly template they are
    delivered as; unknown names are an error."""
    unknown = set(values) - set(CREDENTIAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown badge fields: {sorted(unknown)}")
    return values


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
    if not user_administers_organization(user=actor, organization_id=organization_id):
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
    availability: str = Availability.OWN,
    available_to=(),
    notify_existing: bool = False,
    **credential,
) -> Badge:
    """Create a badge of `organization` and record its first values. Mapped at once to an
    achievement, those who met it before now receive it without an award e-mail unless
    `notify_existing` (as badge_map_to_achievement).

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
        availability=availability,
        notify_completions_from=None if notify_existing or achievement is None else timezone.now(),
        **_credential_fields(credential),
    )
    _ensure_descendants(organization_id=organization.pk, organizations=available_to)
    with transaction.atomic():
        _save_or_refuse_duplicate_name(badge)
        badge.available_to.set(available_to)
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
    availability: str | None = None,
    available_to=None,
    notify_existing: bool = False,
    **credential,
) -> Badge:
    """Store every field of the edit form at once and record what changed (nothing when nothing
    did). `image` replaces the image; `remove_image` goes back to the default image. A new
    mapping keeps the administrator's choice about e-mailing those who already qualify
    (`notify_existing`, as badge_map_to_achievement).

    The badge row is locked for the duration, so two editors saving at once each record the
    difference from what the other stored.
    """
    _ensure_may_edit(actor=actor, organization_id=badge.organization_id)
    _ensure_achievement_of(achievement=achievement, organization_id=badge.organization_id)
    with transaction.atomic():
        current = _locked(badge)
        before = _snapshot(current)
        mapped_before, was_active = current.achievement_id, current.is_active
        old_image_name = current.image.name
        current.name = name
        current.description = description
        current.is_active = is_active
        current.manual_issuance_enabled = manual_issuance_enabled
        current.achievement = achievement
        if current.achievement_id != mapped_before:
            current.notify_completions_from = (
                None if notify_existing or achievement is None else timezone.now()
            )
        for name, value in _credential_fields(credential).items():
            setattr(current, name, value)
        if availability is not None:
            current.availability = availability
        if available_to is not None:
            _ensure_descendants(organization_id=current.organization_id, organizations=available_to)
            current.available_to.set(available_to)
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


def _locked(badge: Badge) -> Badge:
    """The badge's row, locked until the transaction ends: two editors saving at once each record
    the difference from what the other stored."""
    return (
        Badge.objects.select_for_update(of=("self",)).select_related("achievement").get(pk=badge.pk)
    )


def badge_map_to_achievement(
    *, actor: User, badge: Badge, achievement: Achievement | None, notify_existing: bool = False
) -> Badge:
    """Issue the badge automatically for this achievement (moving it from the one it was mapped
    to, if any), or with None stop issuing it automatically; holders keep it either way. The
    achievement page's map and unmap come here, and the change is recorded like any other edit.
    A new mapping is retroactive: the next sweep issues the badge to every student who has
    completed the achievement, including those who did before the mapping existed. Those who
    met it before now receive it without an award e-mail unless `notify_existing` (the
    administrator's choice on the preview): `notify_completions_from` keeps the cut-off."""
    _ensure_may_edit(actor=actor, organization_id=badge.organization_id)
    _ensure_achievement_of(achievement=achievement, organization_id=badge.organization_id)
    with transaction.atomic():
        current = _locked(badge)
        mapped_before = current.achievement_id
        if mapped_before == (achievement.pk if achievement is not None else None):
            return current
        before = _snapshot(current)
        current.achievement = achievement
        current.notify_completions_from = (
            None if notify_existing or achievement is None else timezone.now()
        )
        current.save(update_fields=["achievement", "notify_completions_from", "updated_at"])
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
