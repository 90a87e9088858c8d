"""The demo's organizations and people: two organizations, their administrators and
instructors, a contract instructor, sixty students and platform staff."""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from accounts.models import Organization, User
from accounts.roles import INSTRUCTOR, ORGANIZATION_ADMINISTRATOR, STUDENT

DEMO_PASSWORD = "demo-badges-2026"
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elif",
    "Farah",
    "Gustavo",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oscar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
]
LAST_NAMES = [
    "Okafor",
    "Larsen",
    "Dubois",
    "Petrov",
    "Yilmaz",
    "Haddad",
    "Silva",
    "Sato",
    "Novak",
    "Chen",
    "Mensah",
    "Fischer",
    "García",
    "Rahman",
    "Lindqvist",
    "Iyer",
    "Moreau",
    "Rossi",
    "Berg",
    "Aziz",
]
# Anchored so that every run produces the same dates.


@dataclass(frozen=True)
class DemoPeople:
    northwind: Organization
    contoso: Organization
    staff: User
    admins: dict[Organization, User]
    nw_instructor: User
    co_instructor: User
    contractor: User
    students: list[User]
    nw_students: list[User]
    co_students: list[User]


def demo_people() -> DemoPeople:
    groups = {
        name: Group.objects.get(name=name)
        for name in (ORGANIZATION_ADMINISTRATOR, INSTRUCTOR, STUDENT)
    }
    northwind = _organization("Northwind Health", "northwind")
    contoso = _organization("Contoso Engineering", "contoso")

    staff = _user("staff", "Pat", "Staff", None, [], is_staff=True)
    admins = {
        northwind: _user(
            "admin.northwind", "Alice", "Admin", northwind, [groups[ORGANIZATION_ADMINISTRATOR]]
        ),
        contoso: _user(
            "admin.contoso", "Carlos", "Admin", contoso, [groups[ORGANIZATION_ADMINISTRATOR]]
        ),
    }
    nw_instructor = _user("instructor.northwind", "Nora", "Teach", northwind, [groups[INSTRUCTOR]])
    co_instructor = _user("instructor.contoso", "Cody", "Teach", contoso, [groups[INSTRUCTOR]])
    contractor = _user("contractor", "Kim", "Contract", None, [groups[INSTRUCTOR]])

    students = []
    for index in range(60):
        organization = northwind if index < 36 else contoso
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        students.append(
            _user(f"student{index + 1:02d}", first, last, organization, [groups[STUDENT]])
        )
    nw_students = [s for s in students if s.organization_id == northwind.pk]
    co_students = [s for s in students if s.organization_id == contoso.pk]

    return DemoPeople(
        northwind=northwind,
        contoso=contoso,
        staff=staff,
        admins=admins,
        nw_instructor=nw_instructor,
        co_instructor=co_instructor,
        contractor=contractor,
        students=students,
        nw_students=nw_students,
        co_students=co_students,
    )


def _organization(name: str, slug: str) -> Organization:
    return Organization.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def _user(username, first, last, organization, groups, is_staff=False) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.org",
            "organization": organization,
            "is_staff": is_staff,
            "is_superuser": is_staff,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(*groups)
    return user
