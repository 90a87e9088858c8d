"""Issued Status on Find Issued Badges (column, filter, CSV, a pinned query count), the student's
page and the badge profile; Resend one delivery and Resend failed; the student's switch."""

import csv
import io

import pytest
from django.urls import reverse

from deliveries.models import Delivery
from tests.deliveries.helpers import unpaced  # noqa: F401 - a fixture
from tests.factories import BadgeFactory, BadgeIssuanceFactory, StudentFactory

S = Delivery.Status
E, C = Delivery.Channel.EMAIL, Delivery.Channel.CREDLY
URL = reverse("badges:issued")


def _issued(organization, count, *, status=S.SENT, channel=E, error=""):
    badge = BadgeFactory(organization=organization)
    issuances = []
    for _ in range(count):
        issuance = BadgeIssuanceFactory(
            badge=badge, recipient=StudentFactory(organization=organization)
        )
        Delivery.objects.create(issuance=issuance, channel=channel, status=status, last_error=error)
        issuances.append(issuance)
    return badge, issuances


def test_find_issued_badges_shows_the_issued_status_of_each_channel(admin_client, organization):
    _, [sent] = _issued(organization, 1)
    _, [failed] = _issued(organization, 1, status=S.FAILED, error="SMTP 550: No such mailbox")
    Delivery.objects.create(issuance=failed, channel=C, status=S.ACCEPTED)

    response = admin_client.get(URL)

    html = response.content.decode()
    assert "Issued Status" in html
    assert f'data-testid="issued-status-{sent.pk}"' in html
    assert "SMTP 550: No such mailbox" in html
    row = html.split(f'data-testid="issued-status-{failed.pk}"')[1].split("</ul>")[0]
    assert "E-mail:" in row
    assert "Failed" in row
    assert "Credly:" in row
    assert "Accepted" in row
    assert "Resend" in row


def test_the_issued_status_costs_one_query_whatever_the_number_of_rows(
    admin_client, organization, django_assert_num_queries
):
    """Find Issued Badges' 13 (tests/badges/test_filters_issued_badges.py), the deliveries of
    the page included, for 5 rows or 60."""
    _issued(organization, 5)
    with django_assert_num_queries(13):
        admin_client.get(URL, {"page_size": 100})
    _issued(organization, 55, status=S.FAILED)
    with django_assert_num_queries(13):
        response = admin_client.get(URL, {"page_size": 100})
    assert len(response.context["issuances"]) == 60


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("email:sent", "sent"),
        ("email:failed", "failed"),
        ("email:none", "none"),
        ("credly:none", "all"),
    ],
)
def test_the_issued_status_filter_finds_each_state(admin_client, organization, choice, expected):
    _, sent = _issued(organization, 2)
    _, failed = _issued(organization, 1, status=S.FAILED)
    _, skipped = _issued(organization, 1, status=S.SKIPPED)
    nothing = BadgeIssuanceFactory(badge=BadgeFactory(organization=organization))
    groups = {
        "sent": sent,
        "failed": failed,
        "none": [*skipped, nothing],
        "all": [*sent, *failed, *skipped, nothing],
    }

    response = admin_client.get(URL, {"issued_status": choice, "page_size": 100})

    assert {i.pk for i in response.context["issuances"]} == {i.pk for i in groups[expected]}


def test_the_csv_exports_the_issued_status(admin_client, organization):
    _issued(organization, 1, status=S.FAILED)

    response = admin_client.get(reverse("badges:issued_export"))

    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert header[-2:] == ["Issued Status (e-mail)", "Issued Status (Credly)"]
    assert row[-2:] == ["Failed", "Not sent"]


@pytest.mark.usefixtures("unpaced")
def test_resend_puts_the_delivery_back_to_pending_and_drains_it_after_commit(
    admin_client, organization, django_capture_on_commit_callbacks, mailoutbox
):
    _, [issuance] = _issued(organization, 1, status=S.FAILED, error="SMTP 421")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(attempts=8)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(reverse("delivery_resend", args=[delivery.pk]), {"next": URL})

    assert response.status_code == 302
    assert response.url == URL
    assert len(callbacks) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (S.SENT, 1, "")
    assert [message.to for message in mailoutbox] == [[issuance.recipient.email]]


def test_resend_does_not_follow_a_next_to_another_site(admin_client, organization):
    _, [issuance] = _issued(organization, 1, status=S.FAILED)

    response = admin_client.post(
        reverse("delivery_resend", args=[Delivery.objects.get().pk]),
        {"next": "https://evil.example/"},
    )

    assert response.url == reverse("badges:student", args=[issuance.recipient_id])


def test_resend_failed_starts_every_failed_delivery_of_the_badge_again(
    admin_client, organization, django_capture_on_commit_callbacks
):
    badge, _ = _issued(organization, 3, status=S.FAILED)
    other, _ = _issued(organization, 1, status=S.FAILED)
    delivered = BadgeIssuanceFactory(
        badge=badge, recipient=StudentFactory(organization=organization)
    )
    Delivery.objects.create(issuance=delivered, channel=E, status=S.SENT)

    profile = admin_client.get(reverse("badges:profile", args=[badge.pk])).content.decode()
    assert "3 deliveries of this badge failed." in profile
    assert "Resend failed" in profile
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(reverse("badges:resend_failed", args=[badge.pk]))

    assert len(callbacks) == 1
    statuses = sorted(
        Delivery.objects.filter(issuance__badge=badge).values_list("status", flat=True)
    )
    assert statuses == [S.PENDING, S.PENDING, S.PENDING, S.SENT]
    assert Delivery.objects.get(issuance__badge=other).status == S.FAILED


def test_an_instructor_who_sees_the_issuance_may_not_resend_it(
    client, instructor, course_class, student, manual_badge
):
    issuance = BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    delivery = Delivery.objects.create(issuance=issuance, channel=E, status=S.FAILED)
    client.force_login(instructor)

    page = client.get(reverse("badges:student", args=[student.pk])).content.decode()
    response = client.post(reverse("delivery_resend", args=[delivery.pk]))

    assert "Failed" in page
    assert 'data-testid="resend"' not in page
    assert response.status_code == 403
    assert Delivery.objects.get().status == S.FAILED


def test_the_student_sees_the_issued_status_and_turns_award_emails_off_and_on(
    client, student, manual_badge
):
    issuance = BadgeIssuanceFactory(badge=manual_badge, recipient=student)
    Delivery.objects.create(issuance=issuance, channel=E, status=S.SENT)
    client.force_login(student)

    page = client.get(reverse("badges:student", args=[student.pk])).content.decode()
    assert "E-mail me when I receive a badge" in page
    assert f'data-testid="issued-status-{issuance.pk}"' in page
    assert 'data-testid="resend"' not in page

    response = client.post(reverse("award_emails"), {})
    student.refresh_from_db()
    assert response.url == reverse("badges:student", args=[student.pk])
    assert student.receives_award_emails is False

    client.post(reverse("award_emails"), {"receive": "on"})
    student.refresh_from_db()
    assert student.receives_award_emails is True


def test_the_switch_only_changes_the_users_own_choice(client, student, organization):
    other = StudentFactory(organization=organization)
    client.force_login(student)

    client.post(reverse("award_emails"), {"receive": "", "student": other.pk})

    other.refresh_from_db()
    assert other.receives_award_emails is True


def test_notify_recipients_is_on_the_badge_forms_delivery_tab(admin_client, manual_badge):
    url = reverse("badges:edit", args=[manual_badge.pk])
    form = admin_client.get(url).content.decode()
    assert "Notify recipients" in form

    admin_client.post(
        url,
        {
            "name": manual_badge.name,
            "description": manual_badge.description,
            "is_active": "on",
            "manual_issuance_enabled": "on",
        },
    )

    manual_badge.refresh_from_db()
    assert manual_badge.notify_recipients is False
    change = manual_badge.changes.latest("changed_at")
    assert {"field": "Notify recipients", "old": "Yes", "new": "No"} in change.changes
