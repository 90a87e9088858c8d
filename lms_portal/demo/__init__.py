"""A realistic demo world for `make run`, built idempotently: building it twice changes nothing."""

import random

from django.db import transaction

from .awards import demo_awards
from .credentials import demo_credentials
from .learning import demo_learning
from .organizations import demo_organizations
from .people import DEMO_PASSWORD, DemoPeople, demo_people

__all__ = ["DEMO_PASSWORD", "DEMO_LOGINS", "demo_build"]

DEMO_LOGINS = [
    ("admin.northwind", "organization administrator, Northwind Health"),
    ("admin.contoso", "organization administrator, Contoso Engineering"),
    ("instructor.northwind", "organization instructor (Northwind class)"),
    ("instructor.contoso", "organization instructor (Contoso class)"),
    ("contractor", "contract instructor (teaches Northwind classes)"),
    ("student01", "student, Northwind Health"),
    ("student40", "student, Contoso Engineering"),
    ("staff", "platform staff (Django admin at /admin/)"),
]


@transaction.atomic
def demo_build() -> DemoPeople:
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    people = demo_people()
    demo_awards(people, demo_learning(people, rng))
    demo_credentials(people)
    demo_organizations(people)
    return people
