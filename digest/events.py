"""What a provider tells us after sending, in our words: each event recorded once, and its
policy. Provider-neutral: an adapter turns a provider's report into ``ProviderEvent`` values
(``digest.sendgrid_events`` for SendGrid's Event Webhook); ``record_events`` does the rest.

For each event ``record_events``:

1. skips it if its ``event_id`` is already stored (providers deliver at least once);
2. finds its Delivery through the ids every message carries (SendGrid: ``custom_args``). The
   delivery must belong to that edition and have the event's address (any case); otherwise
   the event is *unmatched* and is stored with no delivery, so it is never processed again;
3. stores an Event and applies the policy, in one transaction: an Event row exists only if
   its effects were applied, and a retried batch skips what was already done.

Policy (``subscribers.suppression`` is the single path for blocks and unsubscribes):

- a hard bounce, a drop for a bad address or a complaint, a complaint (``spamreport``):
  block the reader on every list; unmatched events do this too when the address is a known
  reader's;
- ``unsubscribe``/``group_unsubscribe``, a drop for an unsubscribed address: unsubscribe from
  the delivery's list (unmatched: kept on record only, since the list is unknown);
- a soft bounce, ``deferred``, ``delivered``: only the delivery's outcome;
- ``open``/``click``: count on the delivery; ``processed``, ``group_resubscribe`` and unknown
  kinds are only stored (a resubscribe needs the reader's consent through our own pages).

A later event never downgrades a verdict: a late ``delivered`` does not hide a bounce or a
complaint, a ``deferred`` does not hide a delivery (see ``RANK``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from subscribers import suppression
from subscribers.addresses import address_hash
from subscribers.models import ErasedAddress, Subscriber

from .erasure import anonymize
from .models import Delivery, Event

if TYPE_CHECKING:
    from .delivery.senders.base import SendResult

logger = logging.getLogger(__name__)

# The ids every message carries back in its events (SendGrid: custom_args).
DELIVERY_ARG = "delivery_id"
EDITION_ARG = "edition_id"

UNSUBSCRIBE_KINDS = {"unsubscribe", "group_unsubscribe"}
COUNTERS = {"open": "opens", "click": "clicks"}  # event kind -> Delivery counter

# Delivery.outcome values and their strength: an outcome replaces only weaker or equal ones.
RANK = {
    "": 0,
    "deferred": 1,
    "blocked": 2,  # a soft bounce: this message only, the address stays
    "delivered": 3,
    "dropped": 4,
    "bounced": 4,
    "unsubscribed": 5,
    "spamreport": 6,
}


@dataclass
class EventReport:
    """What one batch did. ``applied``: new events matched to a delivery; ``unmatched``: new
    events stored without one; ``duplicates``: seen before; ``invalid``: not stored (no
    ``sg_event_id`` or no ``event``)."""

    applied: int = 0
    duplicates: int = 0
    unmatched: int = 0
    invalid: int = 0
    blocked: int = 0  # readers blocked by this batch
    unsubscribed: int = 0  # subscriptions ended by this batch
    by_kind: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "duplicates": self.duplicates,
            "unmatched": self.unmatched,
            "invalid": self.invalid,
            "blocked": self.blocked,
            "unsubscribed": self.unsubscribed,
            "by_kind": dict(self.by_kind),
        }


@dataclass(frozen=True)
class _Target:
    """The delivery an event is about, as the batch lookup found it."""

    delivery_id: int
    edition_id: int
    list_id: int
    subscriber_id: int
    email: str


@dataclass(frozen=True)
class ProviderEvent:
    """One thing a provider reported about one message, as an adapter translated it.

    ``kind`` is one of ``Event.Kind`` (a provider's other kinds are stored, not acted on);
    ``bounce`` is "hard" (the address does not exist) or "soft" (this message only); ``drop``
    says why the provider refused to send: "bad_address", "complaint", "unsubscribed" or
    "other". ``delivery_id`` and ``edition_id`` are what the message carried back; ``payload``
    is the provider's event as received (stored, and stripped when its reader is erased).
    """

    event_id: str  # unique per event: a redelivered event is recognised by it
    kind: str
    email: str = ""
    at: dt.datetime | None = None  # None: the time it was received
    delivery_id: int | None = None
    edition_id: int | None = None
    bounce: str = ""
    drop: str = ""
    reason: str = ""  # the provider's words, for the record and for a block's reason
    provider: str = "provider"  # names the source in consent records ("sendgrid bounce")
    payload: dict = field(default_factory=dict)


def record_events(events: Sequence[ProviderEvent], now: dt.datetime | None = None) -> EventReport:
    """Record and act on a batch of events; safe to call again with the same batch.

    Each event is its own transaction. A database error propagates (a webhook answers 500 and
    the provider retries the batch); the events committed before it are then duplicates.
    """
    now = now or timezone.now()
    report = EventReport()
    targets = _targets(events)
    erased = _erased_hashes(events)
    seen = _stored([e.event_id for e in events])
    for event in events:
        event_id, kind = event.event_id, event.kind[:20]
        if not event_id or len(event_id) > 100 or not kind:
            report.invalid += 1
            logger.warning("%s event without an id or a kind skipped: %r", event.provider, kind)
            continue
        if event_id in seen:
            report.duplicates += 1
            continue
        seen.add(event_id)
        email = event.email.strip()
        target = _match(event, email, targets)
        anonymous = bool(email) and address_hash(email) in erased
        at = event.at or now
        try:
            with transaction.atomic():
                Event.objects.create(
                    provider_event_id=event_id,
                    kind=kind,
                    delivery_id=target.delivery_id if target else None,
                    edition_id=target.edition_id if target else None,
                    email="" if anonymous else email[:254],
                    at=at,
                    received_at=now,
                    payload=anonymize(event.payload) if anonymous else event.payload,
                )
                if not anonymous:
                    _apply(event, email, target, at, report)
        except IntegrityError:
            # Another request stored the same event meanwhile: its effects are theirs.
            if not Event.objects.filter(provider_event_id=event_id).exists():
                raise
            report.duplicates += 1
            continue
        report.by_kind[kind] += 1
        if target:
            report.applied += 1
        else:
            report.unmatched += 1
    return report


def _apply(
    event: ProviderEvent,
    email: str,
    target: _Target | None,
    at: dt.datetime,
    report: EventReport,
) -> None:
    """The policy for one new event (inside its transaction)."""
    kind, reason = event.kind, event.reason.strip()
    detail = {"event_id": event.event_id}
    if target:
        detail |= {"edition_id": target.edition_id, "delivery_id": target.delivery_id}
    outcome = ""
    block_reason = ""
    unsubscribe = False
    if kind == Event.Kind.DELIVERED:
        outcome = "delivered"
        if target:
            Delivery.objects.filter(pk=target.delivery_id, delivered_at__isnull=True).update(
                delivered_at=at
            )
    elif kind == Event.Kind.DEFERRED:
        outcome = "deferred"
    elif kind == Event.Kind.BOUNCE:
        if event.bounce == "soft":
            outcome = "blocked"
        else:
            outcome = "bounced"
            block_reason = f"hard bounce: {reason}" if reason else "hard bounce"
    elif kind == Event.Kind.DROPPED:
        outcome = "dropped"
        if event.drop in {"bad_address", "complaint"}:
            block_reason = f"dropped by {event.provider}: {reason}"
        unsubscribe = event.drop == "unsubscribed"
    elif kind == Event.Kind.SPAMREPORT:
        outcome = "spamreport"
        block_reason = "spam complaint"
    elif kind in UNSUBSCRIBE_KINDS:
        outcome = "unsubscribed"
        unsubscribe = True
    elif kind in COUNTERS and target:
        counter = COUNTERS[kind]
        Delivery.objects.filter(pk=target.delivery_id).update(**{counter: F(counter) + 1})

    if outcome and target:
        weaker = [name for name, rank in RANK.items() if rank <= RANK[outcome]]
        Delivery.objects.filter(pk=target.delivery_id, outcome__in=weaker).update(outcome=outcome)

    if not (block_reason or unsubscribe):
        return
    subscriber_id = target.subscriber_id if target else _subscriber_id(email)
    if subscriber_id is None:
        return
    if block_reason:
        report.blocked += suppression.block(
            subscriber_id, block_reason, how=f"{event.provider} {kind}", detail=detail
        )
    if unsubscribe and target:
        how = f"{event.provider} unsubscribe" if kind in UNSUBSCRIBE_KINDS else None
        report.unsubscribed += suppression.unsubscribe(
            subscriber_id,
            target.list_id,
            how=how or f"{event.provider} {kind}",
            detail={"event": kind, **detail},
        )
    elif unsubscribe:
        # Which list is unknown: kept on record only. The provider suppresses the address
        # from now on, and each matched drop for it then ends that list here.
        logger.warning("%s %s without a matching delivery: no list to end", event.provider, kind)


def _stored(event_ids: list[str]) -> set[str]:
    """The ids of a batch already stored (the fast path; the unique index is the guarantee)."""
    return set(
        Event.objects.filter(provider_event_id__in=[i for i in event_ids if i]).values_list(
            "provider_event_id", flat=True
        )
    )


def _targets(events: Iterable[ProviderEvent]) -> dict[int, _Target]:
    """The deliveries a batch names, in one query."""
    ids = {e.delivery_id for e in events if e.delivery_id is not None}
    rows = Delivery.objects.filter(pk__in=ids).values_list(
        "pk", "edition_id", "edition__mailing_list_id", "subscriber_id", "email"
    )
    return {row[0]: _Target(*row) for row in rows}


def _match(event: ProviderEvent, email: str, targets: dict[int, _Target]) -> _Target | None:
    target = targets.get(event.delivery_id) if event.delivery_id is not None else None
    if target is None or event.edition_id != target.edition_id:
        return None
    if not email or email.lower() != target.email.strip().lower():
        return None
    return target


def _erased_hashes(events: Iterable[ProviderEvent]) -> set[str]:
    hashes = {address_hash(e.email.strip()) for e in events if e.email.strip()}
    return set(
        ErasedAddress.objects.filter(email_hash__in=hashes).values_list("email_hash", flat=True)
    )


def _subscriber_id(email: str) -> int | None:
    if not email:
        return None
    return Subscriber.objects.filter(email__iexact=email).values_list("pk", flat=True).first()


def apply_send_failures(results: Iterable[SendResult]) -> int:
    """SMTP permanent failures of a bad mailbox (550, 551, 553) block the address, through the
    same path as a SendGrid hard bounce. Returns how many readers this blocked."""
    bad = [r for r in results if r.bad_address and r.status == "failed"]
    if not bad:
        return 0
    emails = dict(
        Delivery.objects.filter(pk__in=[r.delivery_id for r in bad]).values_list("pk", "email")
    )
    blocked = 0
    for result in bad:
        email = emails.get(result.delivery_id)
        if not email:
            continue
        blocked += suppression.bad_address(
            email,
            result.error or "permanent delivery failure",
            how=(result.code or "delivery failure").lower(),
        )
    return blocked
