"""The award e-mail, through a real SMTP conversation with a local server (aiosmtpd): its
content and links, the student's opt-out, Notify recipients off, the retroactive choice, and
SMTP's answers (4xx tried again, 5xx failed)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from achievements.models import SweepRun
from awarding.sweep.runs import sweep_run
from badges.models import Badge, BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many
from deliveries.models import Delivery
from deliveries.services import outbox
from tests.achievements.scenarios import lab_scenario
from tests.deliveries.helpers import drain, make_due, unpaced  # noqa: F401 - a fixture
from tests.factories import BadgeFactory

pytestmark = pytest.mark.usefixtures("unpaced")
S = Delivery.Status


def _issue(instructor, course_class, badge, student):
    context = IssueContext.for_class(actor=instructor, course_class=course_class)
    [outcome] = badge_issue_many(context=context, pairs=[(badge.pk, student.pk)])
    assert outcome.issued
    return BadgeIssuance.objects.get(badge=badge, recipient=student)


def test_student_receives_the_award_email_with_the_badge_and_its_links(
    smtp_server, instructor, course_class, student, organization
):
    badge = BadgeFactory(
        organization=organization,
        manual_issuance_enabled=True,
        name="Network Defender",
        criteria_narrative="Defended the lab network for a week.",
    )
    issuance = _issue(instructor, course_class, badge, student)

    report = drain()

    assert report.sent == 1
    [message] = smtp_server.messages
    assert message.recipients == (student.email,)
    assert message.sender in settings.DEFAULT_FROM_EMAIL
    assert (
        message.subject.strip()
        == f"You have earned the badge “Network Defender” from {organization.name}"
    )
    verify = f"{settings.SITE_URL}/public/assertions/{issuance.uuid}"
    for part in (message.body("plain"), message.body("html")):
        assert "Network Defender" in part
        assert organization.name in part
        assert "Defended the lab network for a week." in part
        assert verify in part
        assert f"{verify}/badge.png" in part  # the image and Download
        assert "linkedin.com/profile/add" in part  # Share
        assert settings.SITE_URL + reverse("badges:student", args=[student.pk]) in part
        assert "E-mail me when I receive a badge" in part  # how to turn them off
        assert "Why you receive this e-mail" in part
    assert f'src="{verify}/badge.png"' in message.body("html")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (S.SENT, 1)
    assert delivery.sent_at is not None


def test_the_email_says_which_achievement_an_automatic_badge_was_for(smtp_server, organization):
    scenario = lab_scenario(organization)
    sweep_run(trigger=SweepRun.Trigger.COMMAND)

    drain()

    [message] = smtp_server.messages
    assert f"you completed the achievement “{scenario.achievement.name}”" in message.body()


def test_a_student_who_opted_out_receives_no_email(
    smtp_server, instructor, course_class, student, manual_badge
):
    student.receives_award_emails = False
    student.save()
    _issue(instructor, course_class, manual_badge, student)

    drain()

    assert smtp_server.messages == []
    assert Delivery.objects.get().status == S.SKIPPED


def test_opting_out_after_the_award_but_before_the_send_is_honoured(
    smtp_server, client, instructor, course_class, student, manual_badge
):
    _issue(instructor, course_class, manual_badge, student)
    client.force_login(student)
    client.post(reverse("award_emails"), {})

    drain()

    assert smtp_server.messages == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == (S.SKIPPED, outbox.OPTED_OUT)


def test_notify_recipients_off_sends_nothing(
    smtp_server, instructor, course_class, student, organization
):
    badge = BadgeFactory(
        organization=organization, manual_issuance_enabled=True, notify_recipients=False
    )
    _issue(instructor, course_class, badge, student)

    drain()

    assert smtp_server.messages == []
    assert Delivery.objects.get().last_error == outbox.NOTIFY_OFF


def test_the_retroactive_choice_not_to_notify_is_honoured_by_the_sweep(smtp_server, organization):
    retroactive = lab_scenario(organization)
    Badge.objects.filter(pk=retroactive.badge.pk).update(notify_completions_from=timezone.now())
    sweep_run(trigger=SweepRun.Trigger.COMMAND)

    drain()

    assert smtp_server.messages == []
    assert Delivery.objects.get().last_error == outbox.RETROACTIVE


def test_the_retroactive_choice_to_notify_emails_everyone(smtp_server, organization):
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(notify_completions_from=None)
    sweep_run(trigger=SweepRun.Trigger.COMMAND)

    drain()

    assert [m.recipients for m in smtp_server.messages] == [(scenario.meets.email,)]


def test_a_temporary_smtp_refusal_is_retried_then_sent(
    smtp_server, instructor, course_class, student, manual_badge
):
    _issue(instructor, course_class, manual_badge, student)
    smtp_server.refuse_next(451, "Try again later")

    first = drain()
    delivery = Delivery.objects.get()

    assert first.retried == 1
    assert delivery.status == S.PENDING
    assert delivery.attempts == 1
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    assert drain().total == 0  # not due yet: the backoff

    make_due()
    drain()

    assert Delivery.objects.get().status == S.SENT
    assert len(smtp_server.messages) == 1


def test_a_permanent_smtp_refusal_fails_at_once_with_the_servers_message(
    smtp_server, instructor, course_class, student, manual_badge
):
    _issue(instructor, course_class, manual_badge, student)
    smtp_server.refuse_next(550, "No such mailbox")

    drain()

    delivery = Delivery.objects.get()
    assert delivery.status == S.FAILED
    assert "550" in delivery.last_error
    assert "No such mailbox" in delivery.last_error


def test_an_smtp_server_that_is_down_is_retried_until_the_last_attempt_then_failed(
    settings, instructor, course_class, student, manual_badge
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.DELIVERY_MAX_ATTEMPTS = 3
    _issue(instructor, course_class, manual_badge, student)

    for _ in range(3):
        drain()
        make_due()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (S.FAILED, 3)
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error


def test_a_lapsed_lease_makes_the_row_due_again_and_counts_as_an_attempt(
    smtp_server, instructor, course_class, student, manual_badge
):
    _issue(instructor, course_class, manual_badge, student)
    [claimed] = outbox.deliveries_claim(channel="email", limit=10, lease_seconds=60)
    assert outbox.deliveries_claim(channel="email", limit=10, lease_seconds=60) == []
    # The worker that held it was killed: its lease runs out.
    Delivery.objects.update(
        claimed_until=timezone.now() - timedelta(seconds=1),
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )

    drain()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (S.SENT, 2)
    assert len(smtp_server.messages) == 1
    # The killed worker's late outcome no longer counts: its lease is gone.
    assert (
        outbox.deliveries_record(outcomes={claimed.pk: outbox.Retry("late")}, deliveries=[claimed])
        == 0
    )


@pytest.mark.parametrize("tick", [False, True])
def test_the_mapping_preview_counts_who_would_be_emailed_and_the_choice_is_honoured(
    smtp_server, admin_client, organization, tick
):
    scenario = lab_scenario(organization)
    Badge.objects.filter(pk=scenario.badge.pk).update(achievement=None)
    url = reverse("achievements:mapping_preview", args=[scenario.achievement.pk])

    preview = admin_client.get(url, {"badge": scenario.badge.pk}).content.decode()

    assert "would be e-mailed" in preview
    assert 'data-testid="would-be-emailed">1<' in preview
    assert "E-mail the 1 student who already qualifies" in preview
    admin_client.post(
        reverse("achievements:map_badge", args=[scenario.achievement.pk]),
        {"badge": scenario.badge.pk, **({"notify_existing": "on"} if tick else {})},
    )
    sweep_run(trigger=SweepRun.Trigger.COMMAND)
    drain()

    assert BadgeIssuance.objects.get().recipient == scenario.meets
    assert [m.recipients for m in smtp_server.messages] == (
        [(scenario.meets.email,)] if tick else []
    )
    assert Delivery.objects.get().status == (S.SENT if tick else S.SKIPPED)
