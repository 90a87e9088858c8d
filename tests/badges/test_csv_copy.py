"""The CSV export of Find Issued Badges on PostgreSQL is written by COPY: its bytes equal those of
the Python export (the SQLite path, kept as the reference) for the same search, whatever the cells
hold: formula-like text, quotes, commas, newlines, non-ASCII, empty and missing values, revoked
and expired issuances, every delivery status."""

from datetime import datetime, timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from badges.csv_export import (
    issued_badges_csv_copy_sql,
    issued_badges_csv_python_stream,
    issued_badges_csv_stream,
)
from badges.models import BadgeIssuance
from badges.selectors import issuances_visible_to
from deliveries.filters import IssuedBadgeStatusFilter
from deliveries.models import Delivery
from deliveries.selectors import issuances_annotate_issued_status
from tests.factories import (
    AchievementFactory,
    BadgeFactory,
    BadgeIssuanceFactory,
    CourseAssignmentFactory,
    CourseClassFactory,
    InstructorFactory,
    StudentFactory,
)

pytestmark = pytest.mark.postgres

EXPORT_URL = reverse("badges:issued_export")
EXTRA = (
    ("Issued Status (e-mail)", "email_issued_status"),
    ("Issued Status (Credly)", "credly_issued_status"),
)
HOSTILE = [
    '=HYPERLINK("http://evil")',
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    "\tTabbed",
    "\rReturned",
    'Quote " inside',
    "Comma, inside",
    "Two\nlines",
    "CR\r\nLF",
    "Zoë Ångström 日本語 🎓",
    "   ",
    "\u00a0\u3000",
    "'already quoted",
    "\\.",
    "",
]


def _moment(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, 30, 15, 987654, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def tricky_issuances(organization, administrator):
    instructor = InstructorFactory(organization=organization, first_name="", last_name="")
    course_class = CourseClassFactory(organization=organization, name='-Class, "quoted"')
    achievement = AchievementFactory(organization=organization, name="@achievement\nline two")
    issuances = []
    for n, text in enumerate(HOSTILE):
        badge = BadgeFactory(organization=organization, name=text or f"Badge {n}")
        student = StudentFactory(
            organization=organization,
            first_name=text,
            last_name=HOSTILE[-n - 1],
            username=f"user-{n}",
            email=f"{'=' if n % 3 == 0 else ''}s{n}@example.org",
        )
        kind = n % 4
        issuance = BadgeIssuanceFactory(
            badge=badge,
            recipient=student,
            issued_at=_moment(1 + n, hour=n % 24),
            method=BadgeIssuance.Method.AUTOMATIC if kind == 0 else BadgeIssuance.Method.MANUAL,
            source=[
                BadgeIssuance.Source.ACHIEVEMENT,
                BadgeIssuance.Source.ROSTER,
                BadgeIssuance.Source.COURSE_ASSIGNMENT,
                BadgeIssuance.Source.ADMIN,
            ][kind],
            source_achievement=achievement if kind == 0 else None,
            source_class=course_class if kind == 1 else None,
            source_assignment=CourseAssignmentFactory(organization=organization, student=student)
            if kind == 2
            else None,
            issued_by=[None, instructor, administrator, None][kind],
            expires_at=[None, _moment(2), timezone.now() + timedelta(days=3), None][n % 4],
            revoked_at=_moment(20) if n % 5 == 0 else None,
            revocation_reason=text if n % 5 == 0 else "",
        )
        statuses = [s for s, _ in Delivery.Status.choices]
        if n % 3:
            Delivery.objects.create(
                issuance=issuance,
                channel=Delivery.Channel.EMAIL,
                status=statuses[n % len(statuses)],
            )
        if n % 2:
            Delivery.objects.create(
                issuance=issuance,
                channel=Delivery.Channel.CREDLY,
                status=statuses[(n + 1) % len(statuses)],
            )
        issuances.append(issuance)
    return issuances


def _reference(user, query: dict) -> bytes:
    """Today's export of this search: the Python path over the view's own queryset."""
    filterset = IssuedBadgeStatusFilter(
        QueryDict(mutable=True) | query if query else None,
        queryset=issuances_visible_to(user=user),
        user=user,
    )
    assert not filterset.is_bound or filterset.is_valid(), filterset.errors
    chunks = issued_badges_csv_python_stream(
        issuances_annotate_issued_status(filterset.qs), extra_columns=EXTRA
    )
    return "".join(chunks).encode()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"sort": "student"},
        {"sort": "-badge"},
        {"sort": "date", "method": "manual"},
        {"status": "revoked"},
        {"status": "expired"},
        {"student": "user-1"},
        {"source": "roster", "sort": "-student"},
        {"issued_from": "2026-03-03", "issued_to": "2026-03-11"},
        {"issued_status": "email:failed"},
        {"issued_status": "credly:none", "sort": "badge"},
    ],
)
def test_the_copy_export_has_the_bytes_of_the_python_export(
    client, administrator, tricky_issuances, query
):
    client.force_login(administrator)

    response = client.get(EXPORT_URL, query)

    copied = b"".join(response.streaming_content)
    assert copied == _reference(administrator, query)
    assert copied.count(b"\r\n") >= 1


def test_the_bytes_are_equal_in_another_time_zone(client, administrator, tricky_issuances):
    client.force_login(administrator)

    with timezone.override("America/St_Johns"):  # -03:30, daylight saving in March
        copied = b"".join(client.get(EXPORT_URL).streaming_content)
        expected = _reference(administrator, {})

    assert copied == expected
    assert b"2026-03-01 " in copied


def test_on_postgresql_the_export_is_written_by_copy(administrator, tricky_issuances):
    """COPY's blocks are bytes (the Python path writes text), a few large ones, not one per row."""
    issuances = issuances_annotate_issued_status(issuances_visible_to(user=administrator))

    chunks = list(issued_badges_csv_stream(issuances, extra_columns=EXTRA))

    assert all(isinstance(chunk, bytes) for chunk in chunks)
    assert len(chunks) == 2  # the header, then every row in one block
    expected = "".join(issued_badges_csv_python_stream(issuances, extra_columns=EXTRA)).encode()
    assert b"".join(chunks) == expected


def test_the_params_are_bound_as_literals_not_as_sql(client, administrator, tricky_issuances):
    """A search term with quotes and backslashes is a literal in the COPY statement."""
    client.force_login(administrator)
    query = {"student": "x'); DROP TABLE badges_badgeissuance; --\\"}

    copied = b"".join(client.get(EXPORT_URL, query).streaming_content)

    assert copied == _reference(administrator, query)
    assert copied.count(b"\r\n") == 1  # the header only
    assert BadgeIssuance.objects.count() == len(HOSTILE)


def test_the_select_is_the_searchs_query(administrator, tricky_issuances):
    sql, params = issued_badges_csv_copy_sql(
        issuances_visible_to(user=administrator).order_by("pk"), extra_columns=()
    )

    assert sql.startswith("SELECT ")
    assert "ORDER BY" in sql
    assert "%s" in sql
    assert params
