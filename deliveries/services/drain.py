"""Draining every channel with its sender and its pace (the rate limit per channel)."""

from deliveries.channels.credly import credly_send_batch
from deliveries.channels.email import email_send_batch
from deliveries.channels.webhook import webhook_send_batch
from deliveries.models import Delivery
from deliveries.ratelimit import ChannelPace
from deliveries.services.outbox import WEBHOOK, DrainReport, deliveries_drain


def channel_senders() -> dict:
    email_pace = ChannelPace(Delivery.Channel.EMAIL)
    credly_pace = ChannelPace(Delivery.Channel.CREDLY)
    webhook_pace = ChannelPace(WEBHOOK)
    return {
        Delivery.Channel.EMAIL: lambda batch: email_send_batch(batch, email_pace),
        Delivery.Channel.CREDLY: lambda batch: credly_send_batch(batch, credly_pace),
        WEBHOOK: lambda batch: webhook_send_batch(batch, webhook_pace),
    }


def deliveries_drain_all(*, time_budget: float | None = None, **options) -> DrainReport:
    return deliveries_drain(senders=channel_senders(), time_budget=time_budget, **options)
