"""Writes of the credentials app: the issuer profile of an organization, and a student's choice
to show their name on their public badge pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import Organization, User
from accounts.selectors import user_administers_organization

from .models import IssuerProfile


def user_may_edit_issuer_profile(*, user: User, organization: Organization) -> bool:
    return user.has_perm("badges.change_badge") and user_administers_organization(
        user=user, organization_id=organization.pk
    )


def issuer_profile_for(*, organization: Organization) -> IssuerProfile:
    """The organization's issuer profile, made empty the first time it is needed."""
    profile, _ = IssuerProfile.objects.get_or_create(organization=organization)
    return profile


@transaction.atomic
def issuer_profile_update(*, actor: User, profile: IssuerProfile, **fields) -> IssuerProfile:
    if not user_may_edit_issuer_profile(user=actor, organization=profile.organization):
        raise PermissionDenied("You may not edit this organization's issuer profile.")
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


def student_set_public_name(*, student: User, show: bool) -> None:
    """The student's own choice: show their name on the public pages of their badges or not."""
    User.objects.filter(pk=student.pk).update(show_name_on_public_badges=bool(show))
    student.show_name_on_public_badges = bool(show)
