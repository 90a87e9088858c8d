"""The production Credly client (deliveries/credly.py) against the local Credly stand-in: the
documented requests and answers, every failure mapped onto the retry policy, one badge per
issuance however often it is retried, and the token kept out of every message."""

import base64
import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from deliveries.credly import (
    CredlyAccount,
    CredlyBadge,
    credly_account_for,
    credly_delivery_status,
    credly_find_badge,
    credly_get_badge,
    credly_http_client,
    credly_issue_badge,
    credly_revoke_badge,
    credly_time,
)
from deliveries.models import CredlyConnection, Delivery
from deliveries.retry import PermanentDeliveryError, RetryableDeliveryError
from tests.tools.credly_standin import CredlyStandin

TEMPLATE_ID = "cfaf2910-ea5f-46f1-89a5-db525dad6e58"
EARNED_AT = datetime(2026, 11, 30, 14, 5, 9, tzinfo=UTC)


def account_of(standin: CredlyStandin, **changes) -> CredlyAccount:
    values = {
        "api_url": standin.api_url,
        "organization_id": standin.organization_id,
        "token": standin.token,
    }
    values.update(changes)
    return CredlyAccount(**values)


def issue(standin, *, earner_id=None, account=None, **changes):
    arguments = {
        "account": account or account_of(standin),
        "template_id": TEMPLATE_ID,
        "recipient_email": "ada@example.org",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "issued_at": EARNED_AT,
        "issuer_earner_id": earner_id or str(uuid.uuid4()),
    }
    arguments.update(changes)
    return credly_issue_badge(**arguments)


def test_issue_sends_the_documented_request_and_returns_credlys_badge(credly_standin):
    earner_id = str(uuid.uuid4())
    badge = issue(credly_standin, earner_id=earner_id)

    assert isinstance(badge, CredlyBadge)
    assert badge.state == "pending"
    [stored] = credly_standin.issued()
    assert badge.id == stored["id"]
    [request] = credly_standin.requests_to("issue")
    assert request.method == "POST"
    assert request.path == f"/v1/organizations/{credly_standin.organization_id}/badges"
    assert request.body == {
        "badge_template_id": TEMPLATE_ID,
        "recipient_email": "ada@example.org",
        "issued_to_first_name": "Ada",
        "issued_to_last_name": "Lovelace",
        # When the student earned it, in Credly's documented format.
        "issued_at": "2026-11-30 14:05:09 +0000",
        "issuer_earner_id": earner_id,
    }
    expected = base64.b64encode(f"{credly_standin.token}:".encode()).decode()
    assert request.authorization == f"Basic {expected}"


def test_issue_sends_the_expiry_when_the_badge_has_one(credly_standin):
    issue(credly_standin, expires_at=EARNED_AT + timedelta(days=365))
    [request] = credly_standin.requests_to("issue")
    assert request.body["expires_at"] == "2027-11-30 14:05:09 +0000"


def test_times_are_sent_in_utc():
    paris = datetime(2026, 6, 1, 12, 0, tzinfo=UTC).astimezone(
        datetime.now().astimezone().tzinfo  # noqa: DTZ005 - any zone will do
    )
    assert credly_time(paris) == "2026-06-01 12:00:00 +0000"
    with pytest.raises(ValueError, match="aware"):
        credly_time(datetime(2026, 6, 1, 12, 0))  # noqa: DTZ001 - the naive case itself


def test_an_api_url_with_or_without_its_version_reaches_the_same_endpoint(credly_standin):
    issue(credly_standin, account=account_of(credly_standin, api_url=credly_standin.api_url + "/"))
    issue(
        credly_standin,
        account=account_of(credly_standin, api_url=credly_standin.api_url + "/v1"),
        recipient_email="grace@example.org",
    )
    assert len(credly_standin.issued()) == 2


def test_wrong_token_is_a_permanent_failure_with_credlys_message(credly_standin):
    account = account_of(credly_standin, token="not-the-token-4242")
    with pytest.raises(PermanentDeliveryError) as raised:
        issue(credly_standin, account=account)
    assert not isinstance(raised.value, RetryableDeliveryError)
    assert raised.value.status_code == 401
    assert "HTTP 401" in str(raised.value)
    assert "not authorized" in str(raised.value)
    assert "not-the-token-4242" not in str(raised.value)
    assert credly_standin.issued() == []


def test_unknown_organization_is_a_permanent_failure(credly_standin):
    account = account_of(credly_standin, organization_id=str(uuid.uuid4()))
    with pytest.raises(PermanentDeliveryError, match="Organization not found"):
        issue(credly_standin, account=account)


def test_refused_request_422_is_permanent_with_the_reason(credly_standin):
    credly_standin.templates = {str(uuid.uuid4())}
    with pytest.raises(PermanentDeliveryError) as raised:
        issue(credly_standin)
    assert raised.value.status_code == 422
    assert "Invalid or missing Badge Template ID" in str(raised.value)


def test_scripted_422_without_a_badge_behind_it_is_permanent(credly_standin):
    credly_standin.fail_next(422, endpoint="issue", message="Recipient email is invalid")
    with pytest.raises(PermanentDeliveryError, match="Recipient email is invalid"):
        issue(credly_standin)


def test_a_student_without_a_last_name_is_refused_before_calling_credly(credly_standin):
    with pytest.raises(PermanentDeliveryError, match="first and last name"):
        issue(credly_standin, last_name="  ")
    assert credly_standin.requests == []


def test_rate_limit_429_is_retryable_with_credlys_retry_after(credly_standin):
    credly_standin.fail_next(429, endpoint="issue", retry_after="42")
    with pytest.raises(RetryableDeliveryError) as raised:
        issue(credly_standin)
    assert raised.value.status_code == 429
    assert raised.value.retry_after == 42.0
    assert credly_standin.issued() == []


def test_rate_limit_with_an_http_date_retry_after(credly_standin):
    when = datetime.now(UTC) + timedelta(minutes=10)
    credly_standin.fail_next(429, retry_after=when.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    with pytest.raises(RetryableDeliveryError) as raised:
        issue(credly_standin)
    assert 500 < raised.value.retry_after <= 600


def test_server_error_500_is_retryable(credly_standin):
    credly_standin.fail_next(500, endpoint="issue")
    with pytest.raises(RetryableDeliveryError, match="HTTP 500") as raised:
        issue(credly_standin)
    assert raised.value.retry_after is None


def test_timeout_is_retryable(credly_standin):
    credly_standin.time_out_next(2, endpoint="issue", process=False)
    with pytest.raises(RetryableDeliveryError, match="did not answer in time"):
        issue(credly_standin)


def test_unreachable_credly_is_retryable(credly_standin):
    port = credly_standin.port
    credly_standin.stop()
    account = CredlyAccount(
        api_url=f"http://127.0.0.1:{port}", organization_id="org", token="secret-9999"
    )
    with pytest.raises(RetryableDeliveryError, match="Could not reach Credly") as raised:
        issue(credly_standin, account=account)
    assert "secret-9999" not in str(raised.value)


def test_a_retried_issue_after_a_timeout_creates_exactly_one_credly_badge(credly_standin):
    """Credly made the badge, but its answer came too late: the retry finds that badge."""
    earner_id = str(uuid.uuid4())
    credly_standin.time_out_next(2, endpoint="issue", process=True)
    with pytest.raises(RetryableDeliveryError):
        issue(credly_standin, earner_id=earner_id)
    assert len(credly_standin.issued(issuer_earner_id=earner_id)) == 1

    badge = issue(credly_standin, earner_id=earner_id, is_retry=True)

    [stored] = credly_standin.issued(issuer_earner_id=earner_id)
    assert badge == CredlyBadge(id=stored["id"], state="pending")
    # The retry looked the badge up and did not issue again.
    assert len(credly_standin.requests_to("issue")) == 1
    [lookup] = credly_standin.requests_to("list")
    assert lookup.query["filter"] == [f"issuer_earner_id::{earner_id}"]


def test_a_retry_that_did_not_know_it_was_one_is_saved_by_credlys_duplicate_check(
    credly_standin,
):
    earner_id = str(uuid.uuid4())
    first = issue(credly_standin, earner_id=earner_id)

    again = issue(credly_standin, earner_id=earner_id)

    assert again == first
    assert len(credly_standin.issued()) == 1
    assert [r.status for r in credly_standin.requests_to("issue")] == [201, 422]


def test_a_retried_issue_whose_first_attempt_failed_issues_the_badge(credly_standin):
    earner_id = str(uuid.uuid4())
    credly_standin.fail_next(503, endpoint="issue")
    with pytest.raises(RetryableDeliveryError):
        issue(credly_standin, earner_id=earner_id)

    badge = issue(credly_standin, earner_id=earner_id, is_retry=True)

    [stored] = credly_standin.issued()
    assert badge.id == stored["id"]


def test_a_failing_lookup_on_retry_is_itself_retryable(credly_standin):
    credly_standin.fail_next(502, endpoint="list")
    with pytest.raises(RetryableDeliveryError, match="HTTP 502"):
        issue(credly_standin, is_retry=True)
    assert credly_standin.issued() == []


def test_another_students_badge_of_the_same_template_is_not_mistaken_for_this_one(
    credly_standin,
):
    issue(credly_standin, recipient_email="grace@example.org", first_name="Grace")
    earner_id = str(uuid.uuid4())

    badge = issue(credly_standin, earner_id=earner_id, is_retry=True)

    assert len(credly_standin.issued()) == 2
    assert credly_standin.badges[badge.id].data["issuer_earner_id"] == earner_id


def test_find_badge_by_issuer_earner_id(credly_standin):
    account = account_of(credly_standin)
    earner_id = str(uuid.uuid4())
    assert credly_find_badge(account=account, issuer_earner_id=earner_id) is None
    badge = issue(credly_standin, earner_id=earner_id)
    assert credly_find_badge(account=account, issuer_earner_id=earner_id) == badge
    assert credly_find_badge(account=account, issuer_earner_id=str(uuid.uuid4())) is None
    assert (
        credly_find_badge(
            account=account, issuer_earner_id=earner_id, template_id=str(uuid.uuid4())
        )
        is None
    )


def test_revoke_pushes_the_reason_to_credly(credly_standin):
    account = account_of(credly_standin)
    badge = issue(credly_standin)

    revoked = credly_revoke_badge(
        account=account, badge_id=badge.id, reason="Awarded by mistake:\n wrong class"
    )

    assert revoked == CredlyBadge(id=badge.id, state="revoked")
    [request] = credly_standin.requests_to("revoke")
    assert request.method == "PUT"
    assert request.path.endswith(f"/badges/{badge.id}/revoke")
    assert request.body == {
        "reason": "Awarded by mistake: wrong class",
        "suppress_revoke_notification_email": False,
    }
    assert credly_standin.badges[badge.id].data["revocation_reason"] == (
        "Awarded by mistake: wrong class"
    )


def test_a_revoked_badge_is_not_found_as_the_issuances_badge(credly_standin):
    account = account_of(credly_standin)
    earner_id = str(uuid.uuid4())
    badge = issue(credly_standin, earner_id=earner_id)
    credly_revoke_badge(account=account, badge_id=badge.id, reason="Revoked")

    assert credly_find_badge(account=account, issuer_earner_id=earner_id) is None
    assert credly_find_badge(
        account=account, issuer_earner_id=earner_id, include_revoked=True
    ) == CredlyBadge(id=badge.id, state="revoked")


def test_a_retried_revoke_whose_answer_was_lost_succeeds(credly_standin):
    account = account_of(credly_standin)
    badge = issue(credly_standin)
    credly_standin.time_out_next(2, endpoint="revoke", process=True)
    with pytest.raises(RetryableDeliveryError):
        credly_revoke_badge(account=account, badge_id=badge.id, reason="Cheating")

    again = credly_revoke_badge(account=account, badge_id=badge.id, reason="Cheating")

    assert again == CredlyBadge(id=badge.id, state="revoked")


def test_revoking_an_unknown_badge_is_permanent(credly_standin):
    with pytest.raises(PermanentDeliveryError, match="HTTP 404"):
        credly_revoke_badge(
            account=account_of(credly_standin), badge_id=str(uuid.uuid4()), reason="x"
        )


def test_revoke_faults_follow_the_retry_policy(credly_standin):
    account = account_of(credly_standin)
    badge = issue(credly_standin)
    credly_standin.fail_next(500, endpoint="revoke")
    with pytest.raises(RetryableDeliveryError):
        credly_revoke_badge(account=account, badge_id=badge.id, reason="x")
    credly_standin.fail_next(403, endpoint="revoke")
    with pytest.raises(PermanentDeliveryError, match="HTTP 403"):
        credly_revoke_badge(account=account, badge_id=badge.id, reason="x")
    assert credly_get_badge(account=account, badge_id=badge.id).state == "pending"


def test_a_batch_can_share_one_http_client(credly_standin):
    account = account_of(credly_standin)
    with credly_http_client() as client:
        for number in range(3):
            issue(credly_standin, account=account, recipient_email=f"s{number}@example.org")
            issue(
                credly_standin,
                account=account,
                client=client,
                recipient_email=f"t{number}@example.org",
            )
    assert len(credly_standin.issued()) == 6


def test_the_http_client_has_explicit_timeouts_and_follows_no_redirect(settings):
    """A redirect would carry the token to another address: it is an answer, not followed."""
    settings.CREDLY_CONNECT_TIMEOUT_SECONDS = 3
    settings.CREDLY_READ_TIMEOUT_SECONDS = 7
    with credly_http_client() as client:
        assert client.follow_redirects is False
        assert client.timeout == httpx.Timeout(7, connect=3)


def test_the_token_never_appears_in_reprs_messages_or_logs(credly_standin, caplog):
    token = credly_standin.token
    account = account_of(credly_standin)
    assert token not in repr(account)
    assert "token" not in repr(account)
    caplog.set_level(logging.DEBUG)
    failures = []
    scripted = [
        lambda: credly_standin.fail_next(401),
        lambda: credly_standin.fail_next(422, endpoint="issue"),
        lambda: credly_standin.fail_next(429, retry_after="1"),
        lambda: credly_standin.fail_next(500),
        lambda: credly_standin.time_out_next(2, process=False),
    ]
    for script in scripted:
        script()
        with pytest.raises((RetryableDeliveryError, PermanentDeliveryError)) as raised:
            issue(credly_standin, account=account)
        failures.append(raised.value)
    badge = issue(credly_standin, account=account)
    credly_revoke_badge(account=account, badge_id=badge.id, reason="x")

    encoded = base64.b64encode(f"{token}:".encode()).decode()
    for failure in failures:
        for text in (str(failure), repr(failure), repr(failure.__cause__), repr(failure.args)):
            assert token not in text
            assert encoded not in text
        # No chained httpx exception carrying the request (and its Authorization header).
        assert failure.__cause__ is None
        assert failure.__context__ is None or failure.__suppress_context__
    assert caplog.records
    assert token not in caplog.text
    assert encoded not in caplog.text


@pytest.mark.django_db
def test_account_of_a_connection_decrypts_its_token(credly_standin):
    from common.crypto import encrypt_secret
    from tests.factories import OrganizationFactory

    connection = CredlyConnection.objects.create(
        organization=OrganizationFactory(),
        credly_organization_id=credly_standin.organization_id,
        api_url=credly_standin.api_url,
        api_token=encrypt_secret(credly_standin.token.encode()),
        token_hint=credly_standin.token[-4:],
    )

    account = credly_account_for(connection)

    assert account == account_of(credly_standin)
    assert issue(credly_standin, account=account).state == "pending"


@pytest.mark.django_db
def test_a_token_no_key_decrypts_is_a_permanent_failure(settings):
    from common.crypto import encrypt_secret, generate_key
    from tests.factories import OrganizationFactory

    settings.ENCRYPTION_KEYS = [generate_key()]
    connection = CredlyConnection.objects.create(
        organization=OrganizationFactory(),
        credly_organization_id=str(uuid.uuid4()),
        api_token=encrypt_secret(b"a-token-under-an-old-key-0000"),
        token_hint="0000",
    )
    settings.ENCRYPTION_KEYS = [generate_key()]

    with pytest.raises(PermanentDeliveryError, match="enter it again") as raised:
        credly_account_for(connection)
    assert "a-token-under-an-old-key" not in str(raised.value)


def test_credly_states_map_onto_delivery_statuses():
    assert credly_delivery_status(CredlyBadge(id="1", state="accepted")) == Delivery.Status.ACCEPTED
    for state in ("pending", "rejected", "revoked", ""):
        assert credly_delivery_status(CredlyBadge(id="1", state=state)) == Delivery.Status.SENT
