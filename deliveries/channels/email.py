"""The award e-mail: HTML and plain text from templates (templates/deliveries/email/), sent over
one connection of EMAIL_BACKEND per batch. SMTP's first digit decides: 4xx and a dropped or
refused connection are tried again, 5xx is the address's or the message's fault and is not.
Delivery is at-least-once: a worker killed after the server took a message but before the row was
marked sent sends it again."""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from badges.models import BadgeIssuance
from credentials.documents import absolute_url, assertion_url
from credentials.templatetags.credentials import linkedin_add_url
from deliveries.models import Delivery
from deliveries.ratelimit import ChannelPace
from deliveries.retry import DeliveryError, PermanentDeliveryError, error_for_smtp_code
from deliveries.services.outbox import (
    NO_ADDRESS,
    NOTIFY_OFF,
    OPTED_OUT,
    REVOKED_BEFORE,
    Failed,
    Outcome,
    Retry,
    Sent,
    Skipped,
)


def award_email_context(issuance: BadgeIssuance) -> dict:
    badge = issuance.badge
    achievement = issuance.source_achievement or badge.achievement
    verify_url = assertion_url(issuance)
    return {
        "issuance": issuance,
        "badge": badge,
        "student": issuance.recipient,
        "issuer": badge.organization,
        "achievement": achievement,
        "automatic": issuance.method == BadgeIssuance.Method.AUTOMATIC,
        "image_url": absolute_url(reverse("credentials:baked_image", args=[issuance.uuid])),
        "verify_url": verify_url,
        "download_url": absolute_url(reverse("credentials:baked_image", args=[issuance.uuid])),
        "linkedin_url": linkedin_add_url(issuance),
        "my_badges_url": absolute_url(reverse("badges:student", args=[issuance.recipient_id])),
        "site_url": settings.SITE_URL,
    }


def award_email(issuance: BadgeIssuance, *, connection=None) -> EmailMultiAlternatives:
    context = award_email_context(issuance)
    subject = " ".join(render_to_string("deliveries/email/award_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("deliveries/email/award.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[issuance.recipient.email],
        connection=connection,
        headers={"X-Badge-Issuance": str(issuance.uuid)},
    )
    message.attach_alternative(
        render_to_string("deliveries/email/award.html", context), "text/html"
    )
    return message


def _skip_reason(delivery: Delivery) -> str:
    """Checked again when sending: a student who opted out, or a badge whose Notify recipients
    was turned off, after the row was written is not e-mailed."""
    issuance = delivery.issuance
    if issuance.revoked_at is not None:
        return REVOKED_BEFORE
    if not issuance.badge.notify_recipients:
        return NOTIFY_OFF
    if not issuance.recipient.receives_award_emails:
        return OPTED_OUT
    if not issuance.recipient.email:
        return NO_ADDRESS
    return ""


def _text(message) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


def _error(error: Exception) -> DeliveryError:
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        code = max(codes) if codes else 550
        text = "; ".join(
            f"{address}: {_text(message)}" for address, (_, message) in error.recipients.items()
        )
        return error_for_smtp_code(code, f"recipient refused ({text})")
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 400:
        return error_for_smtp_code(error.smtp_code, _text(error.smtp_error))
    if type(error).__name__ in {"AnymailRecipientsRefused", "AnymailInvalidAddress"}:
        return PermanentDeliveryError(str(error))
    return DeliveryError(f"{type(error).__name__}: {error}")


def email_send_batch(deliveries: list[Delivery], pace: ChannelPace | None = None) -> dict:
    pace = pace or ChannelPace(Delivery.Channel.EMAIL)
    outcomes: dict[int, Outcome] = {}
    connection = get_connection(fail_silently=False)
    opened = False
    try:
        for delivery in deliveries:
            reason = _skip_reason(delivery)
            if reason:
                outcomes[delivery.pk] = Skipped(reason)
                continue
            pace.take()
            try:
                if not opened:
                    connection.open()
                    opened = True
                award_email(delivery.issuance, connection=connection).send()
            except Exception as raw:  # every failure is recorded on its row, none stops the batch
                error = _error(raw)
                if isinstance(error, PermanentDeliveryError):
                    outcomes[delivery.pk] = Failed(error.message)
                else:
                    outcomes[delivery.pk] = Retry(error.message)
                if not isinstance(raw, smtplib.SMTPRecipientsRefused):
                    _close_quietly(connection)
                    opened = False
                continue
            outcomes[delivery.pk] = Sent()
    finally:
        if opened:
            _close_quietly(connection)
    return outcomes


def _close_quietly(connection) -> None:
    # A connection that is gone is closed enough.
    with contextlib.suppress(Exception):
        connection.close()
