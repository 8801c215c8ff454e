"""An erased reader leaves the provider events we keep: their address and anything in an
event's payload that identifies them (an IP, a user agent, a clicked link with its signed
token, a bounce text quoting the address). The event's kind, time and delivery stay, so an
edition's counts do not change."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from subscribers.models import Subscriber

from .models import Event

# What stays of an event's payload once its reader is erased: nothing that identifies them
# (no address, IP, user agent, clicked URL with its signed token, or bounce text quoting it).
ANONYMOUS_FIELDS = {
    "event",
    "timestamp",
    "sg_event_id",
    "type",
    "status",
    "bounce_classification",
    "attempt",
    "asm_group_id",
    "delivery_id",  # the ids our messages carry back (events.DELIVERY_ARG, EDITION_ARG)
    "edition_id",
}


def anonymize(payload: dict) -> dict:
    """An event payload with nothing left that identifies the reader."""
    kept = {k: v for k, v in payload.items() if k in ANONYMOUS_FIELDS}
    return {**kept, "erased": True}


def forget_address(sender: Any, subscriber: Subscriber, email: str, **kwargs: Any) -> None:
    """``subscriber_erased`` listener: blank the address in that reader's events and strip
    the payloads (the kind, time and delivery stay, so the edition's counts do not change)."""
    match = Q(delivery__subscriber=subscriber)
    if email and email.strip():
        match |= Q(email__iexact=email.strip())
    rows = list(Event.objects.filter(match).only("pk", "email", "payload"))
    for row in rows:
        row.email = ""
        row.payload = anonymize(row.payload or {})
    Event.objects.bulk_update(rows, ["email", "payload"], batch_size=500)
