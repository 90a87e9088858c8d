"""Property-based hostile input: generated data (random and foreign ids, wrong types, empty and
huge strings, unicode and NUL, negative and enormous numbers, repeated values, more ids than any
page takes, missing fields) posted to every form and issuance endpoint, the log-in forms
included. Never a 5xx; whatever is written obeys the rules
(a refused form writes nothing; every issuance is one the actor was allowed to make).

`INPUTS_TRIED` counts the requests sent, for docs/reliability.md."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.models import BadgeIssuance
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    CourseAssignmentFactory,
    EnrollmentFactory,
    StudentFactory,
    UserFactory,
)

from .test_permission_matrix import state

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
INPUTS_TRIED = {"requests": 0}

NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, 2**63, 10**30]),
).map(str)
TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=190, max_size=260),
    st.sampled_from(
        ["", " ", "\x00", "a\x00b", "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "x" * 6000]
    ),
    st.sampled_from(["on", "true", "1", "None", "null", "[]", "{}", "NaN", "1e309", "2025-02-30"]),
)


@pytest.fixture(scope="module", autouse=True)
def report_inputs_tried():
    yield
    print(f"\nHostile input: {INPUTS_TRIED['requests']} generated requests sent")  # noqa: T201


# Worst-case sizes: more ids than any maximum of common/limits.py, and (with a few such fields)
# more fields than Django accepts in one request.
MANY_IDS = st.sampled_from([1_001, 2_600]).map(lambda n: [str(k) for k in range(1, n + 1)])


def values(ids):
    """A field's value: text, a number, one of the interesting ids, a list of them, or more ids
    than any page takes."""
    scalar = st.one_of(TEXT, NUMBERS, st.sampled_from([str(pk) for pk in ids]))
    return st.one_of(scalar, st.lists(scalar, max_size=5), MANY_IDS)


def payload(fields, ids):
    return st.fixed_dictionaries({}, optional={name: values(ids) for name in fields})


@pytest.fixture
def hostile_input_targets(
    organization, other_organization, administrator, instructor, course_class, student
):
    foreign_student = EnrollmentFactory(
        course_class=EnrollmentFactory(
            student=StudentFactory(organization=other_organization)
        ).course_class
    ).student
    badge = BadgeFactory(organization=organization, name="Star")
    achievement = AchievementFactory(organization=organization)
    foreign_badge = BadgeFactory(organization=other_organization, name="Foreign")
    foreign_achievement = AchievementFactory(organization=other_organization)
    issuance = BadgeIssuanceFactory(badge=badge, recipient=student)
    archived = BadgeFactory(organization=organization, name="Old", is_active=False)
    not_manual = BadgeFactory(organization=organization, name="Auto", manual_issuance_enabled=False)
    assignment = CourseAssignmentFactory(organization=organization, student=student)
    ids = {
        badge.pk,
        achievement.pk,
        foreign_badge.pk,
        foreign_achievement.pk,
        student.pk,
        foreign_student.pk,
        course_class.pk,
        issuance.pk,
        archived.pk,
        not_manual.pk,
        administrator.pk,
    }
    return {
        "administrator": administrator,
        "instructor": instructor,
        "staff": UserFactory(organization=None, is_staff=True, is_superuser=True),
        "class": course_class,
        "student": student,
        "badge": badge,
        "achievement": achievement,
        "issuance": issuance,
        "assignment": assignment,
        "ids": sorted(ids | {assignment.pk}),
    }


def send(client, method: str, url: str, data: dict):
    INPUTS_TRIED["requests"] += 1
    response = client.get(url, data) if method == "GET" else client.post(url, data)
    assert response.status_code < 500, (method, url, data)
    return response


def existing_issuances() -> set[int]:
    return set(BadgeIssuance.objects.values_list("pk", flat=True))


def issuances_are_lawful(
    *, known: set[int], organization_id=None, class_students=None, manual_only=True
) -> None:
    """Every issuance made by the request is of an active badge (a manual one, except from the
    Django admin, where platform staff issue any active badge) of the right organization, to a
    student the actor could reach."""
    new = BadgeIssuance.objects.select_related("badge").exclude(pk__in=known)
    for issuance in new:
        assert issuance.badge.is_active
        if manual_only:
            assert issuance.badge.manual_issuance_enabled
        if organization_id is not None:
            assert issuance.badge.organization_id == organization_id
        if class_students is not None:
            assert issuance.recipient_id in class_students


FORMS = [
    (
        "classes:batch",
        lambda w: [w["class"].pk],
        "instructor",
        "POST",
        ["badge", "student", "remove_badge", "remove_student", "action"],
    ),
    (
        "classes:issue_badge",
        lambda w: [w["class"].pk, w["student"].pk],
        "instructor",
        "POST",
        ["badge"],
    ),
    ("classes:complete", lambda w: [w["class"].pk], "instructor", "POST", ["student"]),
    (
        "classes:choose_badges",
        lambda w: [w["class"].pk],
        "instructor",
        "POST",
        ["q", "badge", "student"],
    ),
    (
        "classes:choose_students",
        lambda w: [w["class"].pk],
        "instructor",
        "POST",
        ["q", "badge", "student"],
    ),
    ("classes:roster", lambda w: [w["class"].pk], "instructor", "GET", ["q", "status", "page"]),
    (
        "assignments:issue_badge",
        lambda w: [w["assignment"].pk],
        "administrator",
        "POST",
        ["badge", "q"],
    ),
    ("assignments:complete", lambda w: [w["assignment"].pk], "administrator", "POST", ["x"]),
    # (url name, args from hostile_input_targets, user, method, fields)
    (
        "badges:create",
        lambda w: [],
        "administrator",
        "POST",
        ["name", "description", "is_active", "manual_issuance_enabled", "achievement"],
    ),
    (
        "badges:edit",
        lambda w: [w["badge"].pk],
        "administrator",
        "POST",
        [
            "name",
            "description",
            "is_active",
            "manual_issuance_enabled",
            "achievement",
            "remove_image",
            "criteria_narrative",
            "expiry",
            "expiry_amount",
            "expiry_unit",
            "expires_on",
            "credly_template_id",
        ],
    ),
    ("badges:revoke", lambda w: [w["issuance"].pk], "administrator", "POST", ["reason"]),
    ("badges:reinstate", lambda w: [w["issuance"].pk], "administrator", "POST", ["reason"]),
    (
        "organization",
        lambda w: [],
        "administrator",
        "POST",
        ["name", "url", "email", "description"],
    ),
    (
        "credly_settings",
        lambda w: [],
        "administrator",
        "POST",
        ["credly_organization_id", "api_token", "api_url", "is_enabled"],
    ),
    (
        "api_clients",
        lambda w: [],
        "administrator",
        "POST",
        ["name", "scopes", "requests_per_minute"],
    ),
    ("public_name", lambda w: [], "student", "POST", ["show_name"]),
    ("credentials:assertion", lambda w: [w["issuance"].uuid], "student", "GET", ["format"]),
    (
        "achievements:create",
        lambda w: [],
        "administrator",
        "POST",
        [
            "name",
            "description",
            "points",
            "is_enabled",
            "criteria_type",
            "lab",
            "course",
            "course_set",
            "tag",
            "min_courses",
            "learning_path",
            "points_threshold",
        ],
    ),
    (
        "achievements:preview",
        lambda w: [],
        "administrator",
        "POST",
        ["criteria_type", "lab", "course", "course_set", "tag", "min_courses", "points_threshold"],
    ),
    (
        "achievements:edit",
        lambda w: [w["achievement"].pk],
        "administrator",
        "POST",
        ["name", "points", "criteria_type", "lab", "course", "min_courses", "points_threshold"],
    ),
    ("achievements:map_badge", lambda w: [w["achievement"].pk], "administrator", "POST", ["badge"]),
    (
        "achievements:mapping_preview",
        lambda w: [w["achievement"].pk],
        "administrator",
        "GET",
        ["badge"],
    ),
    (
        "achievements:set_enabled",
        lambda w: [w["achievement"].pk],
        "administrator",
        "POST",
        ["enabled"],
    ),
    ("badges:list", lambda w: [], "administrator", "GET", ["q", "status", "issuance", "page"]),
    (
        "webhooks",
        lambda w: [],
        "administrator",
        "POST",
        ["url", "description", "events", "is_active"],
    ),
    (
        "badges:issued",
        lambda w: [],
        "instructor",
        "GET",
        [
            "badge",
            "student",
            "course_class",
            "course_assignment",
            "method",
            "source",
            "issued_from",
            "issued_to",
            "sort",
            "page",
            "page_size",
        ],
    ),
    (
        "badges:issued_export",
        lambda w: [],
        "administrator",
        "GET",
        ["badge", "student", "course_class", "method", "issued_from", "issued_to", "sort"],
    ),
]


@pytest.mark.parametrize(
    ("name", "args_of", "role", "method", "fields"),
    FORMS,
    ids=lambda v: v if isinstance(v, str) and ":" in v else "",
)
def test_generated_input_never_breaks_a_form(
    client, hostile_input_targets, name, args_of, role, method, fields
):
    client.force_login(hostile_input_targets[role])
    url = reverse(name, args=args_of(hostile_input_targets))

    @EXAMPLES
    @given(data=payload(fields, hostile_input_targets["ids"]))
    def check(data):
        with transaction.atomic():
            before, known = state(), existing_issuances()
            response = send(client, method, url, data)
            if method == "POST" and response.status_code == 200:
                # The form came back: it was refused, so nothing may have been written.
                assert state() == before, data
            issuances_are_lawful(
                known=known,
                organization_id=hostile_input_targets["administrator"].organization_id,
                class_students={hostile_input_targets["student"].pk}
                | {hostile_input_targets["assignment"].student_id},
            )
            transaction.set_rollback(True)

    check()


def test_generated_input_never_breaks_admin_issuance(client, hostile_input_targets):
    client.force_login(hostile_input_targets["staff"])
    url = reverse("admin:badges_badgeissuance_add")

    @EXAMPLES
    @given(data=payload(["badge", "recipients"], hostile_input_targets["ids"]))
    def check(data):
        with transaction.atomic():
            before, known = state(), existing_issuances()
            response = send(client, "POST", url, data)
            if response.status_code == 200:
                assert state() == before, data
            issuances_are_lawful(known=known, manual_only=False)
            transaction.set_rollback(True)

    check()


LOGIN_FORMS = [
    ("/accounts/login/", ["username", "password", "next"]),
    ("/admin/login/", ["username", "password", "next"]),
]


@pytest.mark.parametrize(("url", "fields"), LOGIN_FORMS, ids=["portal", "admin"])
def test_generated_input_never_breaks_a_login_form(client, hostile_input_targets, url, fields):
    """Anonymous visitors, with the lockout on as in production (it records every failure)."""

    @EXAMPLES
    @given(data=payload(fields, hostile_input_targets["ids"]))
    def check(data):
        with transaction.atomic():
            before = state()
            send(client, "POST", url, data)
            assert "_auth_user_id" not in client.session
            assert state() == before, data
            transaction.set_rollback(True)

    with override_settings(AXES_ENABLED=True):
        check()


BEYOND_BIGINT = ["9223372036854775808", "-9223372036854775809", "1" + "0" * 40]


@pytest.mark.parametrize("value", BEYOND_BIGINT)
def test_an_id_beyond_bigint_is_an_invalid_choice_not_a_500(client, administrator, value):
    """Found by the property tests on SQLite, which cannot bind such a number: choosing a course
    set, a mapped badge or an issuance's recipients by such an id was a 500."""
    client.force_login(administrator)
    response = client.post(
        reverse("achievements:create"),
        {"name": "Big", "criteria_type": "course_set", "points": "1", "course_set": [value]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("value", BEYOND_BIGINT)
@pytest.mark.parametrize(
    ("page", "parameter"),
    [("badges:issued", "badge"), ("badges:issued", "course_class"), ("assignments:list", "course")],
)
def test_a_search_by_an_id_beyond_bigint_finds_nothing_and_says_so(
    client, administrator, page, parameter, value
):
    client.force_login(administrator)
    response = client.get(reverse(page), {parameter: value})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("value", BEYOND_BIGINT)
def test_admin_issuance_with_an_id_beyond_bigint_is_refused(client, value):
    from tests.factories import UserFactory

    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    before = BadgeIssuance.objects.count()
    response = client.post(
        reverse("admin:badges_badgeissuance_add"), {"badge": value, "recipients": [value]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert BadgeIssuance.objects.count() == before


@pytest.mark.parametrize("page_size", ["¹", "٣", "²⁵", "25 ", "-25", "1e2"])
def test_odd_page_sizes_show_the_default_page(client, administrator, page_size):
    """Found by the property test above: "¹" passed str.isdigit() and int() raised (a 500)."""
    client.force_login(administrator)
    response = client.get(reverse("badges:issued"), {"page_size": page_size})
    assert response.status_code == 200
    assert response.context["paginator"].per_page == 25
