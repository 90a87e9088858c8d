"""Who may do what: every URL of the portal × every role × GET and POST, built from the URL
configuration. A URL without an entry in MATRIX fails `test_every_url_is_in_the_matrix`.

Each cell is the status the role gets: 302 (anonymous: to the login page), 403 (may not), 404
(may not even know it exists), 405 (method not allowed), 200/302 (allowed). POSTs carry no data:
a refused POST must write nothing (checked on every cell that is not a success).

The Django admin (namespace "admin") is one rule, checked on a sample: staff only.
"""

import uuid

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from achievements.models import AchievementCompletion, SweepRun
from api.models import ApiClient
from assignments.models import CourseAssignment
from badges.models import Badge, BadgeChange, BadgeIssuance, IssuanceEvent
from classes.models import Enrollment
from deliveries.models import CredlyConnection, Delivery, WebhookDelivery, WebhookEndpoint
from tests.api.conftest import make_integration
from tests.factories import (
    AchievementFactory,
    AdministratorFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    CourseAssignmentFactory,
    CourseClassFactory,
    EnrollmentFactory,
    InstructorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "student",
    "instructor",  # organization instructor of the class
    "contractor",  # contract instructor of the class
    "other_instructor",  # instructor of another class of the organization
    "administrator",
    "other_administrator",  # administrator of another organization
    "staff",
)


def _statuses(row: str) -> dict[str, int]:
    codes = [int(code) for code in row.split()]
    assert len(codes) == len(ROLES), row
    return dict(zip(ROLES, codes, strict=True))


# url name: (args from roles_and_objects, GET row, POST row); each row in the order of ROLES:
# anonymous student instructor contractor other_instructor administrator other_administrator staff
def no_args(roles_and_objects):
    return []


def _arg(*keys):
    def args_of(roles_and_objects):
        return [roles_and_objects[key].pk for key in keys]

    return args_of


def _issuer(roles_and_objects):
    return [roles_and_objects["badge"].organization_id]


def _public_id(roles_and_objects):
    return [roles_and_objects["issuance"].uuid]


PUBLIC = ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405")


def generated_image_args(roles_and_objects):
    """A hue and initials: no object of any organization."""
    return [12, "SP"]


MATRIX: dict[str, tuple] = {
    # Public: the Open Badges documents and the pages of a shared badge.
    "credentials:issuer": (_issuer, *PUBLIC),
    "credentials:badge_class": (_arg("badge"), *PUBLIC),
    "credentials:criteria": (_arg("badge"), *PUBLIC),
    "credentials:badge_image": (_arg("badge"), *PUBLIC),
    "credentials:assertion": (_public_id, *PUBLIC),
    "credentials:baked_image": (_public_id, *PUBLIC),
    "credentials:did_document": (_issuer, *PUBLIC),
    "credentials:status_list": (_issuer, *PUBLIC),
    "credentials:credential": (_public_id, *PUBLIC),
    "credentials:credential_image": (_public_id, *PUBLIC),
    "organization": (
        no_args,
        "302 403 403 403 403 200 200 404",
        "302 403 403 403 403 302 302 404",
    ),
    # An organization's Credly settings: its administrators only (staff use the admin site).
    "credly_settings": (
        no_args,
        "302 403 403 403 403 200 200 404",
        "302 403 403 403 403 200 200 404",
    ),
    # An organization's webhook endpoints: its administrators, and platform staff (the list
    # needs ?organization=<id> for staff, who belong to none: 404 without it).
    "webhooks": (
        no_args,
        "302 403 403 403 403 200 200 404",
        "302 403 403 403 403 200 200 404",
    ),
    "webhook_endpoint": (
        _arg("webhook_endpoint"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 200 404 200",
    ),
    "webhook_roll_secret": (
        _arg("webhook_endpoint"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 200 404 200",
    ),
    "webhook_delete": (
        _arg("webhook_endpoint"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 404 302",
    ),
    "webhook_redeliver": (
        _arg("webhook_endpoint", "webhook_delivery"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 404 302",
    ),
    # API clients: an organization's administrators; platform staff for any organization (the
    # page asks them to choose one; a POST without one is 404).
    "api_clients": (
        no_args,
        "302 403 403 403 403 200 200 200",
        "302 403 403 403 403 200 200 404",
    ),
    "api_client_revoke": (
        _arg("api_client"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 302 404 302",
    ),
    # The API's interactive documentation: for anyone, read only.
    "api_docs": (no_args, *PUBLIC),
    "organization_achievements": (
        no_args,
        "302 405 405 405 405 405 405 405",
        "302 403 403 404 403 302 302 404",
    ),
    "participation": (
        _arg("student"),
        "302 405 405 405 405 405 405 405",
        "302 302 403 403 404 302 404 302",
    ),
    "public_name": (
        no_args,
        "302 405 405 405 405 405 405 405",
        "302 302 302 302 302 302 302 302",
    ),
    "award_emails": (
        no_args,
        "302 405 405 405 405 405 405 405",
        "302 302 302 302 302 302 302 302",
    ),
    # Those who may revoke the badge may resend its deliveries; the student's own is a 404.
    "delivery_resend": (
        _arg("delivery"),
        "302 405 405 405 405 405 405 405",
        "302 404 403 403 404 302 404 302",
    ),
    "badges:resend_failed": (
        _arg("badge"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 404 302",
    ),
    "dashboard": (
        no_args,
        "302 200 200 200 200 200 200 200",
        "302 405 405 405 405 405 405 405",
    ),
    "healthz": (
        no_args,
        "200 200 200 200 200 200 200 200",
        "200 200 200 200 200 200 200 200",
    ),
    # From outside (the tests' METRICS_ALLOWED_NETWORKS is empty), with no token: nobody.
    "metrics": (
        no_args,
        "403 403 403 403 403 403 403 403",
        "405 405 405 405 405 405 405 405",
    ),
    # A function of its URL alone (badges/images.py): public, like an uploaded image in /media/.
    "badges:generated_image": (
        generated_image_args,
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "login": (
        no_args,
        "200 302 302 302 302 302 302 302",
        "200 302 302 302 302 302 302 302",
    ),
    "logout": (
        no_args,
        "302 405 405 405 405 405 405 405",
        "302 302 302 302 302 302 302 302",
    ),
    "achievements:list": (
        no_args,
        "302 403 403 403 403 200 200 200",
        "302 403 403 403 403 405 405 405",
    ),
    "badges:automatic_preview": (
        no_args,
        "302 403 403 403 403 200 200 200",
        "302 403 403 403 403 405 405 405",
    ),
    "achievements:sweep_run_now": (
        no_args,
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 302 302",
    ),
    "achievements:create": (
        no_args,
        "302 403 403 403 403 200 200 403",
        "302 403 403 403 403 200 200 403",
    ),
    "achievements:preview": (
        no_args,
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 200 200 403",
    ),
    "achievements:sweep_runs": (
        no_args,
        "302 403 403 403 403 200 200 200",
        "302 403 403 403 403 405 405 405",
    ),
    "achievements:detail": (
        _arg("achievement"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 405 405 405",
    ),
    "achievements:edit": (
        _arg("achievement"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 200 404 200",
    ),
    "achievements:edit_preview": (
        _arg("achievement"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 200 404 200",
    ),
    "achievements:set_enabled": (
        _arg("achievement"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 404 302",
    ),
    "achievements:map_badge": (
        _arg("achievement"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 404 302",
    ),
    "achievements:mapping_preview": (
        _arg("achievement"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 405 405 405",
    ),
    "achievements:unmap_badge": (
        _arg("achievement", "mapped"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 404 302",
    ),
    "assignments:list": (
        no_args,
        "302 403 403 403 403 200 200 200",
        "302 403 403 403 403 405 405 405",
    ),
    "badges:list": (
        no_args,
        "302 403 403 403 403 200 200 200",
        "302 403 403 403 403 405 405 405",
    ),
    "badges:create": (
        no_args,
        "302 403 403 403 403 200 200 403",
        "302 403 403 403 403 200 200 403",
    ),
    "badges:profile": (
        _arg("badge"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 405 405 405",
    ),
    "badges:edit": (
        _arg("badge"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 200 404 200",
    ),
    "badges:archive": (
        _arg("badge"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 404 302",
    ),
    "badges:delete": (
        _arg("badge"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 302 404 302",
    ),
    "badges:issued": (
        no_args,
        "302 403 200 200 200 200 200 200",
        "302 403 405 405 405 405 405 405",
    ),
    "badges:issued_export": (
        no_args,
        "302 403 200 200 200 200 200 200",
        "302 403 405 405 405 405 405 405",
    ),
    "badges:student": (
        _arg("student"),
        "302 200 200 200 404 200 404 200",
        "302 405 405 405 405 405 405 405",
    ),
    "badges:revoke": (
        _arg("issuance"),
        "302 405 405 405 405 405 405 405",
        "302 404 403 403 404 302 404 302",
    ),
    "badges:reinstate": (
        _arg("issuance"),
        "302 405 405 405 405 405 405 405",
        "302 404 403 403 404 302 404 302",
    ),
    "classes:list": (
        no_args,
        "302 403 200 200 200 200 200 200",
        "302 403 405 405 405 405 405 405",
    ),
    "classes:roster": (
        _arg("class"),
        "302 403 200 200 404 200 404 200",
        "302 403 405 405 405 405 405 405",
    ),
    "classes:roster_row": (
        _arg("class", "student"),
        "302 403 200 200 404 200 404 200",
        "302 403 405 405 405 405 405 405",
    ),
    "classes:issue_badge": (
        _arg("class", "student"),
        "302 403 200 200 404 200 404 200",
        "302 403 200 200 404 200 404 200",
    ),
    "classes:complete": (
        _arg("class"),
        "302 403 405 405 405 405 405 405",
        "302 403 302 302 404 302 404 302",
    ),
    "classes:batch": (
        _arg("class"),
        "302 403 200 200 404 200 404 200",
        "302 403 200 200 404 200 404 200",
    ),
    "classes:choose_badges": (
        _arg("class"),
        "302 403 200 200 404 200 404 200",
        "302 403 200 200 404 200 404 200",
    ),
    "classes:choose_students": (
        _arg("class"),
        "302 403 200 200 404 200 404 200",
        "302 403 200 200 404 200 404 200",
    ),
    "assignments:detail": (
        _arg("assignment"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 405 405 405",
    ),
    "assignments:issue_badge": (
        _arg("assignment"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 200 404 200",
    ),
    "assignments:issuances": (
        _arg("assignment"),
        "302 403 403 403 403 200 404 200",
        "302 403 403 403 403 405 405 405",
    ),
    "assignments:complete": (
        _arg("assignment"),
        "302 403 403 403 403 405 405 405",
        "302 403 403 403 403 302 404 302",
    ),
}


def _walk(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names.extend(_walk(entry, inner))
        elif isinstance(entry, URLPattern):
            names.append(f"{namespace}{entry.name or f'<unnamed {entry.pattern}>'}")
    return names


def portal_url_names() -> list[str]:
    # The API's routes answer tokens, not sessions: their matrix is the API tests' (no token, a
    # revoked token, another organization's, a missing scope on every route).
    return sorted(
        {name for name in _walk(get_resolver()) if not name.startswith(("admin:", "api-v1:"))}
    )


@pytest.fixture
def roles_and_objects(
    organization, other_organization, administrator, instructor, contractor, course_class
):
    return build_roles_and_objects(
        organization, other_organization, administrator, instructor, contractor, course_class
    )


def _webhook(organization, issuance):
    endpoint = WebhookEndpoint.objects.create(
        organization=organization, url="https://lab.example.org/hooks", events=["issuance.created"]
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        issuance=issuance,
        event_id=uuid.uuid4(),
        event_type="issuance.created",
        status=WebhookDelivery.Status.FAILED,
    )
    return endpoint, delivery


def build_roles_and_objects(
    organization, other_organization, administrator, instructor, contractor, course_class
):
    """Every role's user and every kind of object, of this organization and of another."""
    from tests.factories import StudentFactory

    student = EnrollmentFactory(course_class=course_class).student
    other_instructor = InstructorFactory(organization=organization, username="other_teacher")
    other_class = CourseClassFactory(organization=organization, instructors=[other_instructor])
    EnrollmentFactory(course_class=other_class)
    badge = BadgeFactory(organization=organization, name="Star")
    issuance = BadgeIssuanceFactory(badge=badge, recipient=student, issued_by=administrator)
    delivery = Delivery.objects.create(
        issuance=issuance, channel=Delivery.Channel.EMAIL, status=Delivery.Status.FAILED
    )
    webhook_endpoint, webhook_delivery = _webhook(organization, issuance)
    achievement = AchievementFactory(organization=organization)
    mapped = BadgeFactory(organization=organization, name="Mapped", achievement=achievement)
    assignment = CourseAssignmentFactory(organization=organization, student=student)
    foreign_class = CourseClassFactory(organization=other_organization)
    foreign_student = EnrollmentFactory(
        course_class=foreign_class, student=StudentFactory(organization=other_organization)
    ).student
    return {
        "users": {
            "anonymous": None,
            "student": student,
            "instructor": instructor,
            "contractor": contractor,
            "other_instructor": other_instructor,
            "administrator": administrator,
            "other_administrator": AdministratorFactory(organization=other_organization),
            "staff": UserFactory(
                organization=None, is_staff=True, is_superuser=True, username="platform"
            ),
        },
        "student": student,
        "class": course_class,
        "badge": badge,
        "mapped": mapped,
        "issuance": issuance,
        "delivery": delivery,
        "webhook_endpoint": webhook_endpoint,
        "webhook_delivery": webhook_delivery,
        "achievement": achievement,
        "assignment": assignment,
        "api_client": make_integration(organization=organization).client,
        "foreign": {
            "class": foreign_class,
            "student": foreign_student,
            "badge": BadgeFactory(organization=other_organization, name="Foreign"),
            "achievement": AchievementFactory(organization=other_organization),
            "assignment": CourseAssignmentFactory(
                organization=other_organization, student=foreign_student
            ),
            "api_client": make_integration(organization=other_organization).client,
        },
    }


def state() -> dict:
    """What a refused request must leave as it was."""
    return {
        "badges": list(Badge.objects.order_by("pk").values()),
        "issuances": BadgeIssuance.objects.count(),
        "changes": BadgeChange.objects.count(),
        "revocations": IssuanceEvent.objects.count(),
        "completed": Enrollment.objects.filter(completed_at__isnull=False).count(),
        "assignments_completed": CourseAssignment.objects.filter(
            completed_at__isnull=False
        ).count(),
        "completions": AchievementCompletion.objects.count(),
        "sweeps": SweepRun.objects.count(),
        "users": User.objects.count(),
        "deliveries": list(Delivery.objects.order_by("pk").values("status", "attempts")),
        "award_emails": list(User.objects.order_by("pk").values_list("receives_award_emails")),
        "credly_connections": list(CredlyConnection.objects.order_by("pk").values()),
        "webhook_endpoints": list(WebhookEndpoint.objects.order_by("pk").values()),
        "webhook_deliveries": list(
            WebhookDelivery.objects.order_by("pk").values("status", "attempts")
        ),
        "api_clients": list(ApiClient.objects.order_by("pk").values("revoked_at")),
    }


def observe(client, roles_and_objects, name: str, method: str) -> dict[str, int]:
    args_of, *_ = MATRIX[name]
    observed = {}
    for role, user in roles_and_objects["users"].items():
        with transaction.atomic():
            client.logout()
            if user is not None:
                client.force_login(user)
            before = state()
            url = reverse(name, args=args_of(roles_and_objects))
            response = client.get(url) if method == "GET" else client.post(url, {})
            observed[role] = response.status_code
            refused = response.status_code in (403, 404, 405) or (
                user is None and response.status_code == 302
            )
            if refused:
                assert state() == before, f"{method} {url} as {role} wrote something"
            if user is None and response.status_code == 302:
                assert response.url.startswith(reverse("login")), response.url
            transaction.set_rollback(True)
    return observed


def test_every_url_is_in_the_matrix():
    names = portal_url_names()
    assert set(names) - set(MATRIX) == set(), "URLs without an entry in the permission matrix"
    assert set(MATRIX) - set(names) == set(), "matrix entries for URLs that do not exist"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(client, roles_and_objects, name, method):
    _, get_row, post_row = MATRIX[name]
    expected = _statuses(get_row if method == "GET" else post_row)
    assert observe(client, roles_and_objects, name, method) == expected


@pytest.mark.parametrize(
    "role", ["student", "instructor", "contractor", "other_instructor", "administrator"]
)
def test_another_organizations_objects_in_the_url_are_not_found(client, roles_and_objects, role):
    """IDOR: every URL that takes an id, given the other organization's object, is a 404 (or a
    403/405 that says nothing about it) for every user of this organization, and writes nothing."""
    client.force_login(roles_and_objects["users"][role])
    foreign = roles_and_objects["foreign"]
    cases = {
        "achievements:detail": [foreign["achievement"].pk],
        "achievements:edit": [foreign["achievement"].pk],
        "achievements:edit_preview": [foreign["achievement"].pk],
        "achievements:set_enabled": [foreign["achievement"].pk],
        "achievements:map_badge": [foreign["achievement"].pk],
        "achievements:mapping_preview": [foreign["achievement"].pk],
        "achievements:unmap_badge": [roles_and_objects["achievement"].pk, foreign["badge"].pk],
        "badges:profile": [foreign["badge"].pk],
        "badges:edit": [foreign["badge"].pk],
        "badges:archive": [foreign["badge"].pk],
        "badges:delete": [foreign["badge"].pk],
        "badges:student": [foreign["student"].pk],
        "participation": [foreign["student"].pk],
        "badges:revoke": [
            BadgeIssuanceFactory(badge=foreign["badge"], recipient=foreign["student"]).pk
        ],
        "badges:reinstate": [
            BadgeIssuance.objects.get(badge=foreign["badge"], recipient=foreign["student"]).pk
        ],
        "badges:resend_failed": [foreign["badge"].pk],
        "delivery_resend": [
            Delivery.objects.create(
                issuance=BadgeIssuance.objects.get(
                    badge=foreign["badge"], recipient=foreign["student"]
                ),
                channel=Delivery.Channel.EMAIL,
                status=Delivery.Status.FAILED,
            ).pk
        ],
        **_foreign_webhook_cases(foreign),
        "classes:roster": [foreign["class"].pk],
        "classes:roster_row": [foreign["class"].pk, foreign["student"].pk],
        "classes:issue_badge": [foreign["class"].pk, foreign["student"].pk],
        "classes:complete": [foreign["class"].pk],
        "classes:batch": [foreign["class"].pk],
        "classes:choose_badges": [foreign["class"].pk],
        "classes:choose_students": [foreign["class"].pk],
        "assignments:detail": [foreign["assignment"].pk],
        "assignments:issue_badge": [foreign["assignment"].pk],
        "assignments:issuances": [foreign["assignment"].pk],
        "assignments:complete": [foreign["assignment"].pk],
        "api_client_revoke": [foreign["api_client"].pk],
    }
    # The public credential documents are for anyone (their ids are public by design).
    public = {name for name in MATRIX if MATRIX[name][1:] == PUBLIC}
    takes_an_id = {
        name for name in MATRIX if MATRIX[name][0] not in (no_args, generated_image_args)
    }
    assert takes_an_id - public <= set(cases)
    for name, args in cases.items():
        url = reverse(name, args=args)
        for method in ("get", "post"):
            before = state()
            status = getattr(client, method)(url).status_code
            assert status in (403, 404, 405), f"{method} {url} as {role}: {status}"
            assert state() == before


def _foreign_webhook_cases(foreign) -> dict:
    issuance = BadgeIssuance.objects.get(badge=foreign["badge"], recipient=foreign["student"])
    endpoint, delivery = _webhook(foreign["badge"].organization, issuance)
    return {
        "webhook_endpoint": [endpoint.pk],
        "webhook_roll_secret": [endpoint.pk],
        "webhook_delete": [endpoint.pk],
        "webhook_redeliver": [endpoint.pk, delivery.pk],
    }


def test_the_administration_site_is_for_platform_staff_only(client, roles_and_objects):
    urls = [
        reverse("admin:index"),
        reverse("admin:badges_badgeissuance_changelist"),
        reverse("admin:badges_badgeissuance_add"),
        reverse("admin:badges_badge_change", args=[roles_and_objects["badge"].pk]),
        reverse("admin:accounts_user_changelist"),
    ]
    for role, user in roles_and_objects["users"].items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            if role == "staff":
                assert response.status_code == 200, url
            else:
                assert response.status_code == 302, (role, url)
                assert response.url.startswith((reverse("admin:login"), reverse("login")))
            before = state()
            client.post(
                url,
                {
                    "badge": roles_and_objects["badge"].pk,
                    "recipients": [roles_and_objects["student"].pk],
                },
            )
            if role != "staff":
                assert state() == before, (role, url)


@pytest.mark.parametrize("role", ["instructor", "contractor", "administrator"])
def test_another_organizations_ids_in_a_form_are_refused(client, roles_and_objects, role):
    """IDOR in the form: the other organization's badge or student (or one of another class)
    posted to this organization's own issuance and mapping pages writes nothing."""
    client.force_login(roles_and_objects["users"][role])
    foreign, own_class = roles_and_objects["foreign"], roles_and_objects["class"]
    stranger = EnrollmentFactory().student  # in a class of neither organization
    posts = [
        (
            reverse("classes:issue_badge", args=[own_class.pk, roles_and_objects["student"].pk]),
            {"badge": foreign["badge"].pk},
        ),
        (
            reverse("classes:batch", args=[own_class.pk]),
            {
                "badge": [foreign["badge"].pk],
                "student": [roles_and_objects["student"].pk],
                "action": "issue",
            },
        ),
        (
            reverse("classes:batch", args=[own_class.pk]),
            {
                "badge": [roles_and_objects["badge"].pk],
                "student": [foreign["student"].pk],
                "action": "issue",
            },
        ),
        (
            reverse("classes:batch", args=[own_class.pk]),
            {"badge": [roles_and_objects["badge"].pk], "student": [stranger.pk], "action": "issue"},
        ),
        (reverse("classes:complete", args=[own_class.pk]), {"student": [stranger.pk]}),
        (
            reverse("assignments:issue_badge", args=[roles_and_objects["assignment"].pk]),
            {"badge": foreign["badge"].pk},
        ),
        (
            reverse("achievements:map_badge", args=[roles_and_objects["achievement"].pk]),
            {"badge": foreign["badge"].pk},
        ),
    ]
    for url, data in posts:
        before = state()
        response = client.post(url, data)
        assert response.status_code < 500
        assert state() == before, (role, url, data)
