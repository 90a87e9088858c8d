"""The demo's organization tree: Northwind Health with two child organizations (a badge and an
achievement made available to them), an opted-out student, and an organization with
achievements off."""

from datetime import UTC, datetime

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Availability, Organization, User
from accounts.roles import ORGANIZATION_ADMINISTRATOR, STUDENT
from achievements.models import Achievement
from badges.models import Badge
from catalog.models import Lab, LabCompletion

from .people import DEMO_PASSWORD, DemoPeople

CLINIC_LAB_DAY = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def _member(username, first, last, organization, group) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.org",
            "organization": organization,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(group)
    return user


def demo_organizations(people: DemoPeople) -> None:
    northwind = people.northwind
    student, admin = (
        Group.objects.get(name=STUDENT),
        Group.objects.get(name=ORGANIZATION_ADMINISTRATOR),
    )
    children = []
    for suffix, slug in (("North Clinic", "northwind-north"), ("South Clinic", "northwind-south")):
        child, _ = Organization.objects.get_or_create(
            slug=slug, defaults={"name": f"Northwind {suffix}", "parent": northwind}
        )
        children.append(child)
    north, south = children
    _member("admin.north", "Nadia", "North", north, admin)
    child_students = [
        _member(f"clinic{index:02d}", "Clinic", f"Student {index}", org, student)
        for index, org in enumerate([north, north, south, south], start=1)
    ]
    # Made available to every child organization: issued by hand from their classes…
    Badge.objects.get_or_create(
        organization=northwind,
        name="Northwind Care Excellence",
        defaults={
            "description": "Outstanding patient care, recognised across the Northwind clinics.",
            "manual_issuance_enabled": True,
            "availability": Availability.CHILDREN,
        },
    )
    # …and an achievement whose badge goes automatically to their students too.
    Achievement.objects.filter(organization=northwind, name="Deployed a VM").update(
        availability=Availability.CHILDREN
    )
    vm = Lab.objects.filter(code="LAB-VM").first()
    if vm is not None:
        LabCompletion.objects.bulk_create(
            [
                LabCompletion(student=s, lab=vm, completed_at=CLINIC_LAB_DAY)
                for s in child_students[:3]
            ],
            ignore_conflicts=True,
        )
    # A student who does not take part in achievements.
    User.objects.filter(username="student10").update(
        participates_in_achievements=False, participation_changed_at=timezone.now()
    )
    # An organization with achievements off: its achievement is never evaluated.
    fabrikam, _ = Organization.objects.get_or_create(
        slug="fabrikam", defaults={"name": "Fabrikam Training", "achievements_enabled": False}
    )
    _member("admin.fabrikam", "Fiona", "Fabrikam", fabrikam, admin)
    if vm is not None:
        Achievement.objects.get_or_create(
            organization=fabrikam,
            name="Fabrikam cloud lab",
            defaults={"criteria_type": Achievement.CriteriaType.LAB, "lab": vm, "points": 5},
        )
