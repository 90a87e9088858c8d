"""Webhooks: events written with the issuances (set-based, in the issuing statement), delivered by
the outbox's drain to a real HTTP receiver that checks the Standard Webhooks signature, the
timestamp and replays; retries with the outbox's policy, Failed in the log, Redeliver."""

import base64
import json
from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from achievements.models import SweepRun
from awarding.sweep.runs import sweep_run
from badges.models import Badge, BadgeIssuance
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_batch, badge_issue_many
from badges.services.revocation import badge_issuance_reinstate, badge_issuance_revoke
from common.crypto import decrypt_secret
from deliveries.models import WebhookDelivery, WebhookEndpoint
from deliveries.services.drain import deliveries_drain_all
from deliveries.services.webhooks import webhook_endpoint_create
from deliveries.webhooks import webhook_url_problem
from tests.achievements.scenarios import lab_scenario
from tests.factories import (
    AdministratorFactory,
    BadgeFactory,
    EnrollmentFactory,
    InstructorFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.tools.webhook_receiver import WebhookReceiver, check_request, hmac_signature

pytestmark = pytest.mark.django_db

Event = WebhookEndpoint.Event
S = WebhookDelivery.Status


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


def _endpoint(organization, url, events=None, **fields):
    created = webhook_endpoint_create(
        organization=organization, url=url, events=events or list(Event.values), **fields
    )
    return created.endpoint, created.secret


def _issue(instructor, course_class, badge, students):
    context = IssueContext.for_class(actor=instructor, course_class=course_class)
    return badge_issue_many(context=context, pairs=[(badge.pk, s.pk) for s in students])


def _drain_until_settled(rounds=30):
    for _ in range(rounds):
        deliveries_drain_all()
        if not WebhookDelivery.objects.filter(status=S.PENDING).exists():
            return
        WebhookDelivery.objects.filter(status=S.PENDING).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1), claimed_until=None
        )
    raise AssertionError("webhook deliveries still pending")


# The events' rows ------------------------------------------------------------------------------


def test_an_issuance_writes_one_created_event_per_subscribed_active_endpoint(
    instructor, course_class, student, manual_badge, organization
):
    wants, _ = _endpoint(organization, "https://lab.example.org/a", [Event.CREATED])
    _endpoint(organization, "https://lab.example.org/b", [Event.REVOKED])
    _endpoint(organization, "https://lab.example.org/c", [Event.CREATED], is_active=False)
    _endpoint(OrganizationFactory(), "https://other.example.org/", [Event.CREATED])

    [outcome] = _issue(instructor, course_class, manual_badge, [student])

    [event] = WebhookDelivery.objects.all()
    assert outcome.issued
    assert (event.endpoint, event.event_type, event.status) == (wants, Event.CREATED, S.PENDING)
    assert event.issuance == BadgeIssuance.objects.get()
    assert event.event_id is not None


def test_a_batch_writes_its_events_in_the_issuing_statement(
    instructor, course_class, organization, django_assert_max_num_queries
):
    _endpoint(organization, "https://lab.example.org/a", [Event.CREATED])
    _endpoint(organization, "https://lab.example.org/b", [Event.CREATED, Event.RENEWED])
    badge = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(20)]
    context = IssueContext.for_class(actor=instructor, course_class=course_class, batch=True)
    extra = 0 if connection.vendor == "postgresql" else 2

    # The batch's pin with the outbox (tests/deliveries/test_outbox.py): no statement more.
    with django_assert_max_num_queries(6 + extra), CaptureQueriesContext(connection) as queries:
        badge_issue_batch(
            context=context, badge_ids=[badge.pk], student_ids=[s.pk for s in students]
        )

    assert WebhookDelivery.objects.count() == 40
    assert len({e.event_id for e in WebhookDelivery.objects.all()}) == 40
    if connection.vendor == "postgresql":
        [statement] = [q["sql"] for q in queries if "deliveries_webhookdelivery" in q["sql"]]
        assert statement.startswith("WITH new AS (INSERT INTO")


def test_the_sweep_writes_created_events_without_a_statement_more(organization):
    scenario = lab_scenario(organization)
    _endpoint(organization, "https://lab.example.org/a", [Event.CREATED])

    with CaptureQueriesContext(connection) as queries:
        run = sweep_run(trigger=SweepRun.Trigger.COMMAND)

    assert run.status == SweepRun.Status.SUCCEEDED, run.error
    [event] = WebhookDelivery.objects.all()
    assert event.issuance.recipient == scenario.meets
    writing = [q["sql"] for q in queries if "deliveries_webhookdelivery" in q["sql"]]
    if connection.vendor == "postgresql":
        # The e-mail outbox's and the webhooks' rows ride in the one issuing statement.
        assert len(writing) == 1
        assert "deliveries_delivery" in writing[0]


def test_revoke_reinstate_and_renew_each_write_an_event(
    instructor, course_class, student, organization, administrator
):
    _endpoint(organization, "https://lab.example.org/a")
    badge = BadgeFactory(
        organization=organization,
        manual_issuance_enabled=True,
        expiry=Badge.Expiry.AFTER,
        expiry_amount=1,
        expiry_unit=Badge.ExpiryUnit.DAYS,
    )
    _issue(instructor, course_class, badge, [student])
    issuance = BadgeIssuance.objects.get()

    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Copied the lab")
    badge_issuance_reinstate(actor=administrator, issuance=issuance, reason="Appeal upheld")
    badge_issuance_revoke(actor=administrator, issuance=issuance, reason="Again")
    badge_issuance_reinstate(actor=administrator, issuance=issuance, reason="Again")
    BadgeIssuance.objects.update(expires_at=timezone.now() - timedelta(hours=1))
    [renewal] = _issue(instructor, course_class, badge, [student])

    assert renewal.renewed
    assert list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True)) == [
        Event.CREATED,
        Event.REVOKED,
        Event.REINSTATED,
        Event.REVOKED,
        Event.REINSTATED,
        Event.RENEWED,
    ]


# Delivery ------------------------------------------------------------------------------------


def test_an_issuance_reaches_the_receiver_signed_and_verified(
    instructor, course_class, student, manual_badge, organization, receiver
):
    endpoint, secret = _endpoint(organization, receiver.url, [Event.CREATED])
    receiver.secret = secret
    _issue(instructor, course_class, manual_badge, [student])

    deliveries_drain_all()

    [request] = receiver.requests
    event = WebhookDelivery.objects.get()
    issuance = BadgeIssuance.objects.get()
    assert request.verdict == "accepted", request.verdict
    assert request.headers["webhook-id"] == f"msg_{event.event_id.hex}"
    assert request.headers["Content-Type"] == "application/json"
    payload = request.payload
    assert payload["type"] == "issuance.created"
    assert payload["data"]["issuance"] == str(issuance.uuid)
    assert payload["data"]["badge"] == {"id": manual_badge.pk, "name": manual_badge.name}
    assert payload["data"]["recipient"]["username"] == student.username
    assert payload["data"]["status"] == "active"
    credentials = payload["data"]["credentials"]
    assert credentials["open_badges_2"].endswith(f"/public/assertions/{issuance.uuid}")
    assert credentials["open_badges_3"].endswith(f"/public/credentials/{issuance.uuid}")
    assert (event.status, event.attempts, event.response_status) == (S.SENT, 1, 200)
    assert event.response_excerpt == "accepted"
    assert event.body == request.body.decode()


def test_the_signature_checks_out_by_hand_and_a_replay_is_refused(
    instructor, course_class, student, manual_badge, organization, receiver
):
    _, secret = _endpoint(organization, receiver.url, [Event.CREATED])
    receiver.secret = secret
    _issue(instructor, course_class, manual_badge, [student])
    deliveries_drain_all()
    [request] = receiver.requests
    headers = request.headers

    # Independently of the package: HMAC-SHA256 over "id.timestamp.body" with the secret's bytes.
    expected = hmac_signature(
        secret, headers["webhook-id"], headers["webhook-timestamp"], request.body
    )
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    # The same request again (an attacker replaying it) is refused; a changed body is forged.
    signed = {
        name: headers[name] for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    replay = httpx.post(receiver.url, content=request.body, headers=signed)
    forged = httpx.post(
        receiver.url, content=request.body.replace(b"active", b"revoked"), headers=signed
    )
    assert (replay.status_code, forged.status_code) == (409, 401)
    assert len(receiver.accepted) == 1
    # And an old timestamp is refused however good the signature.
    later = int(headers["webhook-timestamp"]) + 301
    assert "timestamp" in check_request(secret, headers, request.body, now=later)


# Committed for real: the issuance and the Redeliver each queue a drain when they commit (run
# eagerly here), as in production.
@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_gets_retries_then_shows_failed_and_redeliver_delivers_again(
    instructor, course_class, student, manual_badge, organization, receiver, settings, admin_client
):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    endpoint, secret = _endpoint(organization, receiver.url, [Event.CREATED])
    receiver.secret = secret
    receiver.fail_next(3, status=503)
    _issue(instructor, course_class, manual_badge, [student])

    _drain_until_settled()

    event = WebhookDelivery.objects.get()
    assert [r.status for r in receiver.requests] == [503, 503, 503]
    # Every attempt is the same message: the same id and the same bytes.
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    assert (event.status, event.attempts, event.response_status) == (S.FAILED, 3, 503)
    assert event.last_error.startswith("HTTP 503")
    page = admin_client.get(reverse("webhook_endpoint", args=[endpoint.pk]))
    row = page.content.decode()
    assert "Failed" in row
    assert "HTTP 503" in row
    assert "Redeliver" in row

    response = admin_client.post(
        reverse("webhook_redeliver", args=[endpoint.pk, event.pk]), follow=True
    )

    event.refresh_from_db()
    assert response.status_code == 200
    assert (event.status, event.attempts) == (S.SENT, 1)
    assert receiver.requests[-1].verdict == "accepted"
    assert receiver.requests[-1].headers["webhook-id"] == receiver.requests[0].headers["webhook-id"]


def test_a_4xx_fails_at_once_and_a_timeout_is_retried(
    instructor, course_class, organization, receiver, settings
):
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 0.3
    endpoint, _ = _endpoint(organization, receiver.url, [Event.CREATED])
    badge = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    first, second = (EnrollmentFactory(course_class=course_class).student for _ in range(2))
    receiver.fail_next(1, status=410)
    receiver.fail_next(1, status=200, delay=1.0)
    _issue(instructor, course_class, badge, [first, second])

    deliveries_drain_all()

    gone, slow = WebhookDelivery.objects.order_by("pk")
    assert (gone.status, gone.attempts, gone.response_status) == (S.FAILED, 1, 410)
    assert (slow.status, slow.attempts, slow.response_status) == (S.PENDING, 1, None)
    assert slow.last_error == "The endpoint did not answer in time."
    assert slow.next_attempt_at > timezone.now()


def test_a_turned_off_endpoint_gets_nothing(
    instructor, course_class, student, manual_badge, organization, receiver
):
    endpoint, _ = _endpoint(organization, receiver.url, [Event.CREATED])
    _issue(instructor, course_class, manual_badge, [student])
    WebhookEndpoint.objects.update(is_active=False)

    deliveries_drain_all()

    assert receiver.requests == []
    assert WebhookDelivery.objects.get().status == S.SKIPPED


def test_a_rolled_secret_signs_the_next_attempt(
    instructor, course_class, student, manual_badge, organization, receiver, admin_client
):
    endpoint, old = _endpoint(organization, receiver.url, [Event.CREATED])
    response = admin_client.post(reverse("webhook_roll_secret", args=[endpoint.pk]))
    new = response.context["secret"]
    receiver.secret = new
    _issue(instructor, course_class, manual_badge, [student])

    deliveries_drain_all()

    assert new != old
    assert new.startswith("whsec_")
    assert new in response.content.decode()
    assert receiver.requests[0].verdict == "accepted"
    assert check_request(old, receiver.requests[0].headers, receiver.requests[0].body, now=0)


# Endpoints: the page, the rules ----------------------------------------------------------------


def test_an_administrator_registers_an_endpoint_and_sees_its_secret_once(
    admin_client, organization
):
    response = admin_client.post(
        reverse("webhooks"),
        {
            "url": "https://lab.example.org/hooks",
            "description": "Lab platform",
            "events": [Event.CREATED, Event.REVOKED],
            "is_active": "on",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    secret = response.context["created"].secret
    assert response.status_code == 200
    assert secret in response.content.decode()
    assert (endpoint.organization, endpoint.events) == (
        organization,
        [Event.CREATED, Event.REVOKED],
    )
    # Stored encrypted, and never shown again.
    assert secret not in endpoint.secret
    assert decrypt_secret(endpoint.secret).decode() == secret
    assert secret not in admin_client.get(reverse("webhooks")).content.decode()
    assert (
        secret
        not in admin_client.get(reverse("webhook_endpoint", args=[endpoint.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://lab.example.org/hooks", "https://"),
        ("https://10.0.0.5/hooks", "public address"),
        ("https://169.254.169.254/latest/meta-data", "public address"),
        ("https://[::1]/hooks", "public host"),
        ("https://localhost/hooks", "public host"),
        ("https://user:pw@lab.example.org/", "user name"),
        ("ftp://lab.example.org/", "https://"),
        ("lab.example.org", "full URL"),
    ],
)
def test_urls_to_internal_hosts_are_refused_in_production(settings, url, message):
    settings.WEBHOOK_ALLOW_LOCAL_URLS = False
    assert message in webhook_url_problem(url)


def test_local_urls_only_with_the_setting(settings):
    settings.WEBHOOK_ALLOW_LOCAL_URLS = True
    assert webhook_url_problem("http://127.0.0.1:8123/hooks") is None
    assert webhook_url_problem("http://10.0.0.5/hooks") == "The URL must start with https://."
    settings.WEBHOOK_ALLOW_LOCAL_URLS = False
    assert webhook_url_problem("http://127.0.0.1:8123/hooks") is not None
    assert webhook_url_problem("https://93.184.215.14/hooks") is None


def test_a_bad_form_says_what_is_wrong_and_registers_nothing(admin_client, settings):
    settings.WEBHOOK_ALLOW_LOCAL_URLS = False
    response = admin_client.post(
        reverse("webhooks"), {"url": "https://192.168.1.10/", "events": ["issuance.exploded"]}
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "public address" in text
    assert "Select a valid choice" in text
    assert not WebhookEndpoint.objects.exists()


def test_administrators_change_and_delete_their_endpoints(admin_client, organization):
    endpoint, _ = _endpoint(organization, "https://lab.example.org/a", [Event.CREATED])
    admin_client.post(
        reverse("webhook_endpoint", args=[endpoint.pk]),
        {"url": "https://lab.example.org/b", "events": [Event.RENEWED], "description": "New"},
    )
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.is_active) == (
        "https://lab.example.org/b",
        [Event.RENEWED],
        False,
    )

    admin_client.post(reverse("webhook_delete", args=[endpoint.pk]))

    assert not WebhookEndpoint.objects.exists()


def test_another_organizations_administrator_cannot_see_or_touch_an_endpoint(client, organization):
    endpoint, _ = _endpoint(organization, "https://lab.example.org/a", [Event.CREATED])
    client.force_login(AdministratorFactory(organization=OrganizationFactory()))

    for name in ("webhook_endpoint", "webhook_roll_secret", "webhook_delete"):
        assert client.post(reverse(name, args=[endpoint.pk])).status_code == 404
    assert client.get(reverse("webhook_endpoint", args=[endpoint.pk])).status_code == 404
    assert WebhookEndpoint.objects.get().url == "https://lab.example.org/a"


def test_an_instructor_may_not_manage_webhooks(client, organization):
    client.force_login(InstructorFactory(organization=organization))
    assert client.get(reverse("webhooks")).status_code == 403
    assert client.post(reverse("webhooks"), {"url": "https://x.example.org/"}).status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_platform_staff_manage_any_organizations_endpoints(client, organization):
    client.force_login(UserFactory(organization=None, is_staff=True, is_superuser=True))
    url = f"{reverse('webhooks')}?organization={organization.pk}"

    response = client.post(url, {"url": "https://lab.example.org/", "events": [Event.CREATED]})

    assert response.status_code == 200
    assert WebhookEndpoint.objects.get().organization == organization
    assert client.get(reverse("webhooks")).status_code == 404


def test_the_pages_take_a_fixed_number_of_queries(
    admin_client, organization, instructor, course_class, django_assert_max_num_queries
):
    endpoints = [_endpoint(organization, f"https://lab.example.org/{n}")[0] for n in range(5)]
    badge = BadgeFactory(organization=organization, manual_issuance_enabled=True)
    students = [EnrollmentFactory(course_class=course_class).student for _ in range(30)]
    _issue(instructor, course_class, badge, students)

    with django_assert_max_num_queries(8):
        listing = admin_client.get(reverse("webhooks"))
    with django_assert_max_num_queries(9):
        log = admin_client.get(reverse("webhook_endpoint", args=[endpoints[0].pk]))

    assert listing.status_code == log.status_code == 200
    assert log.content.decode().count('data-testid="redeliver"') == 0  # all pending
    assert len(log.context["page_obj"].object_list) == 25
    assert "Next" in log.content.decode()


def test_the_payload_is_json_with_the_revocation(
    instructor, course_class, student, manual_badge, organization, administrator, receiver
):
    _endpoint(organization, receiver.url, [Event.REVOKED])
    _issue(instructor, course_class, manual_badge, [student])
    badge_issuance_revoke(
        actor=administrator, issuance=BadgeIssuance.objects.get(), reason="Copied the lab"
    )

    deliveries_drain_all()

    data = json.loads(receiver.requests[0].body)["data"]
    assert (data["status"], data["revocation_reason"]) == ("revoked", "Copied the lab")
