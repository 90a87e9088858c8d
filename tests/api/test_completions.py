"""POST /api/v1/completions: each kind recorded as the CSV import records it, each refusal with
its reason, scoped to the client's organization, idempotent by external id, bounded."""

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from api.models import ApiClient, ExternalCompletion
from assignments.models import CourseAssignment
from catalog.models import ExamAttempt, LabCompletion
from classes.models import Enrollment
from tests.factories import (
    CourseAssignmentFactory,
    CourseClassFactory,
    CourseFactory,
    EnrollmentFactory,
    ExamFactory,
    LabFactory,
    OrganizationFactory,
    StudentFactory,
)

from .conftest import make_integration

URL = "/api/v1/completions"
UTC = timezone.get_fixed_timezone(0)
WHEN = "2025-03-01T09:30:00+00:00"


@pytest.fixture
def targets(db):
    organization = OrganizationFactory()
    student = StudentFactory(organization=organization, username="ada")
    course_class = CourseClassFactory(organization=organization)
    return {
        "organization": organization,
        "student": student,
        "lab": LabFactory(code="LAB-VM"),
        "exam": ExamFactory(pass_mark=70),
        "class": course_class,
        "enrollment": EnrollmentFactory(course_class=course_class, student=student),
        "assignment": CourseAssignmentFactory(organization=organization, student=student),
        "integration": make_integration(
            organization=organization, scopes=[ApiClient.Scope.COMPLETIONS_WRITE]
        ),
    }


def _post(client, integration, items, **extra):
    return client.post(
        URL,
        data=json.dumps({"items": items}),
        content_type="application/json",
        **integration.headers,
        **extra,
    )


def _item(external_id, kind, item, *, student="ada", completed_at=WHEN, score=None):
    body = {
        "external_id": external_id,
        "kind": kind,
        "student": student,
        "item": str(item),
        "completed_at": completed_at,
    }
    if score is not None:
        body["score"] = score
    return body


def _good_items(targets):
    return [
        _item("lab-1", "lab", "LAB-VM"),
        _item("exam-1", "exam", targets["exam"].pk, completed_at="2025-03-02T10:00:00Z", score=85),
        _item("exam-2", "exam", targets["exam"].pk, completed_at="2025-02-02T10:00:00Z", score=40),
        _item("enrollment-1", "enrollment", targets["class"].pk),
        _item(
            "assignment-1",
            "assignment",
            targets["assignment"].course.code,
            completed_at="2025-03-04T12:00:00+02:00",
        ),
    ]


def test_every_kind_is_recorded(client, targets):
    response = _post(client, targets["integration"], _good_items(targets))

    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"recorded": 5, "duplicate": 0, "refused": 0}
    assert body["items"] == [
        {"external_id": key, "status": "recorded"}
        for key in ("lab-1", "exam-1", "exam-2", "enrollment-1", "assignment-1")
    ]
    student = targets["student"]
    lab_completion = LabCompletion.objects.get()
    assert (lab_completion.student, lab_completion.lab) == (student, targets["lab"])
    assert lab_completion.completed_at == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    attempts = {a.score: a.passed for a in ExamAttempt.objects.filter(student=student)}
    assert attempts == {85: True, 40: False}
    enrollment = Enrollment.objects.get(pk=targets["enrollment"].pk)
    assert enrollment.completed_at == datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    assert enrollment.completion_recorded_at is not None
    assignment = CourseAssignment.objects.get(pk=targets["assignment"].pk)
    assert assignment.completed_at == datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    assert sorted(
        ExternalCompletion.objects.filter(client=targets["integration"].client).values_list(
            "external_id", "kind"
        )
    ) == [
        ("assignment-1", "assignment"),
        ("enrollment-1", "enrollment"),
        ("exam-1", "exam"),
        ("exam-2", "exam"),
        ("lab-1", "lab"),
    ]


def test_the_same_batch_twice_records_each_once(client, targets):
    items = _good_items(targets)
    _post(client, targets["integration"], items)

    response = _post(client, targets["integration"], items)

    assert response.json()["counts"] == {"recorded": 0, "duplicate": 5, "refused": 0}
    assert {item["status"] for item in response.json()["items"]} == {"duplicate"}
    assert LabCompletion.objects.count() == 1
    assert ExamAttempt.objects.count() == 2
    assert ExternalCompletion.objects.count() == 5


def test_an_id_already_recorded_is_a_duplicate_whatever_it_carries(client, targets):
    _post(client, targets["integration"], [_item("lab-1", "lab", "LAB-VM")])
    LabFactory(code="LAB-NET")

    response = _post(
        client,
        targets["integration"],
        [_item("lab-1", "lab", "LAB-NET"), _item("lab-1", "lab", "NO-SUCH-LAB")],
    )

    assert [item["status"] for item in response.json()["items"]] == ["duplicate", "duplicate"]
    assert LabCompletion.objects.count() == 1


def test_a_repeated_id_within_one_batch_is_a_duplicate(client, targets):
    LabFactory(code="LAB-NET")
    response = _post(
        client,
        targets["integration"],
        [_item("x", "lab", "LAB-VM"), _item("x", "lab", "LAB-NET")],
    )

    assert response.json()["items"] == [
        {"external_id": "x", "status": "recorded"},
        {"external_id": "x", "status": "duplicate"},
    ]
    assert list(LabCompletion.objects.values_list("lab__code", flat=True)) == ["LAB-VM"]


def test_external_ids_are_per_client(client, targets):
    other = make_integration(organization=targets["organization"], name="LMS")
    _post(client, targets["integration"], [_item("x", "lab", "LAB-VM")])

    response = _post(client, other, [_item("x", "lab", "LAB-VM", completed_at="2025-03-05T00:00Z")])

    assert response.json()["items"] == [{"external_id": "x", "status": "recorded"}]
    assert LabCompletion.objects.count() == 2


def test_a_refused_item_can_be_corrected_and_sent_again(client, targets):
    first = _post(client, targets["integration"], [_item("lab-1", "lab", "LAB-VMX")])
    assert first.json()["items"][0]["status"] == "refused"
    assert not ExternalCompletion.objects.exists()

    again = _post(client, targets["integration"], [_item("lab-1", "lab", "LAB-VM")])

    assert again.json()["items"] == [{"external_id": "lab-1", "status": "recorded"}]
    assert LabCompletion.objects.count() == 1


def _future():
    return (timezone.now() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (
            lambda t: _item("r", "quiz", "LAB-VM"),
            "kind 'quiz' is not one of lab, enrollment, assignment, exam",
        ),
        (lambda t: _item("r", "lab", "LAB-VM", student="nobody"), "no student with username"),
        (lambda t: _item("r", "lab", "NOPE"), "no lab with code 'NOPE'"),
        (lambda t: _item("r", "exam", "999999", score=50), "no exam with id '999999'"),
        (lambda t: _item("r", "exam", "¹", score=50), "no exam with id '¹'"),
        (
            lambda t: _item("r", "enrollment", "999999"),
            "'ada' is not enrolled in a class with id '999999'",
        ),
        (lambda t: _item("r", "assignment", "NO-COURSE"), "no course with code 'NO-COURSE'"),
        (
            lambda t: _item("r", "assignment", CourseFactory(code="OTHER").code),
            "'ada' has no assignment of course 'OTHER'",
        ),
        (lambda t: _item("r", "lab", "LAB-VM", completed_at=""), "completed_at is missing"),
        (
            lambda t: _item("r", "lab", "LAB-VM", completed_at="yesterday"),
            "completed_at 'yesterday' is not a date and time",
        ),
        (
            lambda t: _item("r", "lab", "LAB-VM", completed_at="2025-03-01"),
            "completed_at '2025-03-01' has no UTC offset",
        ),
        (
            lambda t: _item("r", "lab", "LAB-VM", completed_at="2025-03-01T09:30:00"),
            "completed_at '2025-03-01T09:30:00' has no UTC offset",
        ),
        (
            lambda t: _item("r", "lab", "LAB-VM", completed_at="2025-02-30T09:30:00Z"),
            "is not a date and time",
        ),
        (lambda t: _item("r", "lab", "LAB-VM", completed_at=_future()), "is in the future"),
        (lambda t: _item("r", "lab", "LAB-VM", score=50), "score is only for exam rows"),
        (lambda t: _item("r", "exam", t["exam"].pk), "score is missing"),
        (
            lambda t: _item("r", "exam", t["exam"].pk, score=101),
            "score is not a whole number from 0 to 100",
        ),
        (
            lambda t: _item("r", "exam", t["exam"].pk, score=-1),
            "score is not a whole number from 0 to 100",
        ),
        (
            lambda t: _item("r", "exam", t["exam"].pk, score=10**40),
            "score is not a whole number from 0 to 100",
        ),
        (lambda t: _item("r", "lab", "LAB\x00VM"), "item contains a NUL character"),
        (lambda t: _item("r", "lab", "LAB-VM", student="a\x00da"), "student contains a NUL"),
        (
            lambda t: _item("r", "lab", "LAB-VM", completed_at="2025\x00"),
            "completed_at contains a NUL",
        ),
        (lambda t: _item("r", "la\x00b", "LAB-VM"), "kind contains a NUL character"),
        (lambda t: _item("r\x00", "lab", "LAB-VM"), "external_id contains a NUL character"),
    ],
)
def test_each_refusal_has_its_reason_and_writes_nothing(client, targets, item, reason):
    sent = item(targets)
    response = _post(client, targets["integration"], [sent, _item("good", "lab", "LAB-VM")])

    assert response.status_code == 200
    refused, good = response.json()["items"]
    assert refused["status"] == "refused"
    assert refused["external_id"] == sent["external_id"]
    assert reason in refused["reason"]
    assert good == {"external_id": "good", "status": "recorded"}
    assert list(ExternalCompletion.objects.values_list("external_id", flat=True)) == ["good"]
    assert LabCompletion.objects.count() == 1
    assert not ExamAttempt.objects.exists()
    assert not Enrollment.objects.filter(completed_at__isnull=False).exists()


@pytest.mark.parametrize("field", ["external_id", "student", "item"])
def test_text_that_is_not_valid_unicode_is_refused_whole(client, targets, field):
    # JSON's "\ud800" is a lone surrogate: no UTF-8 for PostgreSQL. The schema refuses it (and
    # the validation would refuse the item if it got there).
    response = _post(
        client, targets["integration"], [{**_item("r", "lab", "LAB-VM"), field: "a\ud800"}]
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert not ExternalCompletion.objects.exists()
    assert not LabCompletion.objects.exists()


def test_another_organizations_student_class_and_assignment_are_refused_like_unknown_ones(
    client, targets
):
    other = OrganizationFactory()
    stranger = StudentFactory(organization=other, username="grace")
    their_class = CourseClassFactory(organization=other)
    EnrollmentFactory(course_class=their_class, student=targets["student"])
    their_assignment = CourseAssignmentFactory(organization=other, student=targets["student"])
    nobody = StudentFactory(organization=None, username="loner")

    response = _post(
        client,
        targets["integration"],
        [
            _item("a", "lab", "LAB-VM", student="grace"),
            _item("b", "lab", "LAB-VM", student="loner"),
            _item("c", "enrollment", their_class.pk),
            _item("d", "assignment", their_assignment.course.code),
        ],
    )

    assert [(i["status"], i["reason"]) for i in response.json()["items"]] == [
        ("refused", "no student with username 'grace'"),
        ("refused", "no student with username 'loner'"),
        ("refused", f"'ada' is not enrolled in a class with id '{their_class.pk}'"),
        ("refused", f"'ada' has no assignment of course '{their_assignment.course.code}'"),
    ]
    assert not LabCompletion.objects.filter(student__in=[stranger, nobody]).exists()
    assert not Enrollment.objects.filter(completed_at__isnull=False).exists()
    assert not CourseAssignment.objects.filter(completed_at__isnull=False).exists()


def test_a_completed_enrollment_keeps_its_date_and_the_item_is_recorded(client, targets):
    first = datetime(2024, 1, 1, tzinfo=UTC)
    Enrollment.objects.filter(pk=targets["enrollment"].pk).update(completed_at=first)

    response = _post(
        client, targets["integration"], [_item("e", "enrollment", targets["class"].pk)]
    )

    assert response.json()["items"] == [{"external_id": "e", "status": "recorded"}]
    assert Enrollment.objects.get(pk=targets["enrollment"].pk).completed_at == first


def _many(targets, count, prefix="item"):
    """`count` valid items of every kind, each a distinct fact."""
    base = datetime(2025, 1, 1, tzinfo=UTC)
    kinds = [
        lambda n: _item(f"{prefix}-{n}", "lab", "LAB-VM", completed_at=_at(base, n)),
        lambda n: _item(
            f"{prefix}-{n}", "exam", targets["exam"].pk, completed_at=_at(base, n), score=n % 101
        ),
        lambda n: _item(f"{prefix}-{n}", "enrollment", targets["class"].pk),
        lambda n: _item(f"{prefix}-{n}", "assignment", targets["assignment"].course.code),
        lambda n: _item(f"{prefix}-{n}", "lab", "NO-SUCH-LAB"),  # refused
    ]
    return [kinds[n % len(kinds)](n) for n in range(count)]


def _at(base, n):
    return (base + timedelta(minutes=n)).isoformat()


# On PostgreSQL: SQLite's limit on bound parameters splits the exam attempts' insert in two.
@pytest.mark.postgres
def test_a_thousand_items_take_a_fixed_number_of_queries(
    client, targets, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        response = _post(client, targets["integration"], _many(targets, 1000))

    assert response.status_code == 200
    assert response.json()["counts"] == {"recorded": 800, "duplicate": 0, "refused": 200}
    assert LabCompletion.objects.count() == 200
    assert ExamAttempt.objects.count() == 200


def test_ten_items_take_as_many_queries_as_a_thousand(
    client, targets, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        response = _post(client, targets["integration"], _many(targets, 10))
    assert response.json()["counts"] == {"recorded": 8, "duplicate": 0, "refused": 2}


def test_more_than_a_thousand_items_are_refused_whole(client, targets):
    response = _post(client, targets["integration"], _many(targets, 1001))

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Too many items"
    assert problem["detail"] == (
        "At most 1,000 items per request; this one has 1,001. Send them in batches of 1,000 or "
        "fewer."
    )
    assert not ExternalCompletion.objects.exists()
    assert not LabCompletion.objects.exists()


def test_an_empty_batch_records_nothing(client, targets):
    response = _post(client, targets["integration"], [])

    assert response.status_code == 200
    assert response.json() == {
        "counts": {"recorded": 0, "duplicate": 0, "refused": 0},
        "items": [],
    }


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        "null",
        '{"items": "many"}',
        '{"items": [1, 2]}',
        '{"items": [{"external_id": "x"}]}',
        json.dumps({"items": [{**_item("x", "lab", "LAB-VM"), "score": "85"}]}),
        json.dumps({"items": [{**_item("x", "lab", "LAB-VM"), "score": 8.5}]}),
        json.dumps({"items": [{**_item("x", "lab", "LAB-VM"), "student": 7}]}),
        json.dumps({"items": [_item("", "lab", "LAB-VM")]}),
        json.dumps({"items": [_item("x" * 201, "lab", "LAB-VM")]}),
        json.dumps({"items": [_item("x", "lab", "L" * 10_000)]}),
        '{"items": [{"external_id": "x", "kind": "exam", "student": "ada", "item": "1", '
        '"completed_at": "2025-01-01T00:00Z", "score": 1' + "0" * 5000 + "}]}",
    ],
)
def test_a_malformed_request_is_a_422_problem_and_changes_nothing(client, targets, body):
    response = client.post(
        URL, data=body, content_type="application/json", **targets["integration"].headers
    )

    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]
    assert not ExternalCompletion.objects.exists()


def test_the_scope_is_required(client, targets):
    reader = make_integration(
        organization=targets["organization"], name="Reader", scopes=["issuances:read"]
    )
    response = _post(client, reader, [_item("x", "lab", "LAB-VM")])

    assert response.status_code == 403
    assert not LabCompletion.objects.exists()


def test_a_session_cookie_is_not_enough(client, targets):
    client.force_login(targets["student"])
    response = client.post(
        URL,
        data=json.dumps({"items": [_item("x", "lab", "LAB-VM")]}),
        content_type="application/json",
    )

    assert response.status_code == 401
    assert not LabCompletion.objects.exists()


def test_the_service_refuses_text_postgresql_cannot_store(targets):
    """Behind the schema, the ingest service refuses such items itself, with their reason."""
    from api.ingest import Item, completions_ingest

    def item(external_id, **fields):
        return Item(**{**_item(external_id, "lab", "LAB-VM"), **fields})

    results = completions_ingest(
        client=targets["integration"].client,
        items=[
            item("a\ud800"),
            item("b", student="a\ud800"),
            item("c", item="LAB\x00"),
            item("d"),
        ],
    )

    assert [(r.external_id, r.status, r.reason) for r in results] == [
        ("a?", "refused", "external_id contains a character that is not valid Unicode"),
        ("b", "refused", "student contains a character that is not valid Unicode"),
        ("c", "refused", "item contains a NUL character"),
        ("d", "recorded", None),
    ]
    assert LabCompletion.objects.count() == 1
