"""The ledger of deliveries: enqueue once, claim with a lease, record after the answer.

A Delivery is claimed (state ``sending``, with a lease) before the provider is called and
marked after it answers, in one transaction per batch. A crash between the two leaves only
that batch in ``sending``: uncertain, reported, never silently resent or dropped.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, DateTimeField, F, Q, Value
from django.utils import timezone

from subscribers.audience import eligible_subscriptions

from ..models import Delivery, Edition
from .senders.base import SendResult

LEASE = dt.timedelta(minutes=30)  # longer than any batch takes, throttling included
WORKER = f"{socket.gethostname()}:{os.getpid()}"
RETRY_AFTER = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
NO_SECTIONS = "none of the reader's chosen sections is in this edition"


@dataclass(frozen=True)
class EnqueueResult:
    created: int
    already: bool


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this worker holds: just what sending it needs."""

    id: int
    subscriber_id: int
    email: str
    sections: tuple[str, ...]  # the reader's choice; empty means all


def enqueue(edition: Edition) -> EnqueueResult:
    """One Delivery per eligible reader, once: the audience is frozen at the first enqueue.

    A single INSERT ... SELECT: a million readers are copied by the database, not through
    Python objects. Workers racing to enqueue are harmless (unique edition + subscriber).
    """
    if edition.enqueued_at is not None:
        return EnqueueResult(0, True)
    now = timezone.now()
    columns = {
        "edition_id": Value(edition.pk),
        "subscriber_id": F("subscriber_id"),
        "email": F("subscriber__email"),
        "sections": F("sections"),
        "state": Value(Delivery.State.PENDING),
        "attempts": Value(0),
        "provider_id": Value(""),
        "last_error": Value(""),
        "claimed_by": Value(""),
        "outcome": Value(""),
        "opens": Value(0),
        "clicks": Value(0),
        "created_at": Value(now, output_field=DateTimeField()),
        "updated_at": Value(now, output_field=DateTimeField()),
    }
    select = (
        eligible_subscriptions(edition.mailing_list_id)
        .annotate(**{f"c_{name}": expression for name, expression in columns.items()})
        .values_list(*(f"c_{name}" for name in columns))
    )
    sql, params = select.query.sql_with_params()
    table = connection.ops.quote_name(Delivery._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) {sql} "
            'ON CONFLICT ("edition_id", "subscriber_id") DO NOTHING',
            params,
        )
        created = max(cursor.rowcount, 0)
        Edition.objects.filter(pk=edition.pk, enqueued_at__isnull=True).update(enqueued_at=now)
    edition.refresh_from_db(fields=["enqueued_at"])
    return EnqueueResult(created, False)


def _due(edition: Edition, now: dt.datetime):
    return Delivery.objects.filter(edition=edition, state=Delivery.State.PENDING).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    )


def next_choice(edition: Edition, now: dt.datetime | None = None) -> tuple[str, ...] | None:
    """The section choice of the first due delivery, or None when nothing is due."""
    first = (
        _due(edition, now or timezone.now())
        .order_by("id")
        .values_list("sections", flat=True)
        .first()
    )
    return None if first is None else tuple(first)


def claim(
    edition: Edition,
    batch_size: int,
    now: dt.datetime | None = None,
    sections: Sequence[str] | None = None,
) -> list[Claimed]:
    """Take up to ``batch_size`` due deliveries for this worker, under a lease.

    Given ``sections``, the batch holds readers of that one choice, so that a provider that
    personalizes on its side gets a few large requests rather than many small ones.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = _due(edition, now).select_for_update(skip_locked=True).order_by("id")
        ids = list(
            (due.filter(sections=list(sections)) if sections is not None else due).values_list(
                "id", flat=True
            )[:batch_size]
        )
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids, state=Delivery.State.PENDING).update(
            state=Delivery.State.SENDING,
            claimed_at=now,
            claimed_by=WORKER,
            lease_until=now + LEASE,
            attempts=F("attempts") + 1,
        )
    rows = (
        Delivery.objects.filter(id__in=ids, claimed_at=now, claimed_by=WORKER)
        .order_by("id")
        .values_list("id", "subscriber_id", "email", "sections")
    )
    return [Claimed(pk, sub, email, tuple(sections or ())) for pk, sub, email, sections in rows]


def record(results: Iterable[SendResult], now: dt.datetime | None = None) -> None:
    """Write the provider's answers, all in one transaction.

    Readers with the same answer (a SendGrid request's one message id, the same error) are
    written by one UPDATE, so recording costs a few statements per batch, not one per reader.
    """
    now = now or timezone.now()
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for result in results:
        groups[(result.status, result.provider_id[:200], result.error)].append(result.delivery_id)
    if not groups:
        return
    sending = Delivery.objects.filter(state=Delivery.State.SENDING)
    with transaction.atomic():
        for (status, provider_id, error), ids in groups.items():
            rows = sending.filter(id__in=ids)
            if status == "sent":
                rows.update(
                    state=Delivery.State.SENT,
                    provider_id=provider_id,
                    sent_at=now,
                    last_error="",
                    lease_until=None,
                )
            elif status == "failed":
                rows.update(state=Delivery.State.FAILED, last_error=error, lease_until=None)
            else:
                rows.filter(attempts__gte=MAX_ATTEMPTS).update(
                    state=Delivery.State.FAILED,
                    last_error=f"gave up after {MAX_ATTEMPTS} attempts: {error}",
                    lease_until=None,
                )
                rows.filter(attempts__lt=MAX_ATTEMPTS).update(
                    state=Delivery.State.PENDING, last_error=error, lease_until=now + RETRY_AFTER
                )


def skip(ids: Sequence[int], reason: str) -> None:
    Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING).update(
        state=Delivery.State.SKIPPED, last_error=reason, lease_until=None
    )


def release(ids: Sequence[int]) -> None:
    """Give back claimed deliveries the provider never saw (the run stopped before them)."""
    Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING).update(
        state=Delivery.State.PENDING, lease_until=None, attempts=F("attempts") - 1
    )


def uncertain(edition: Edition, now: dt.datetime | None = None) -> int:
    """Move deliveries whose run died holding them to ``uncertain``: the lease expired, or
    the worker that claimed them was a process on this machine that no longer exists."""
    now = now or timezone.now()
    sending = Delivery.objects.filter(edition=edition, state=Delivery.State.SENDING)
    host = socket.gethostname()
    dead = [
        worker
        for worker in sending.values_list("claimed_by", flat=True).distinct()
        if worker.rpartition(":")[0] == host and not _alive(worker.rpartition(":")[2])
    ]
    return sending.filter(Q(lease_until__lt=now) | Q(claimed_by__in=dead)).update(
        state=Delivery.State.UNCERTAIN,
        last_error="a run stopped after handing this to the provider and before its answer",
    )


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_uncertain(edition: Edition) -> int:
    """An operator's word: send the uncertain ones again (some readers may get two)."""
    return Delivery.objects.filter(edition=edition, state=Delivery.State.UNCERTAIN).update(
        state=Delivery.State.PENDING, lease_until=None
    )


def cancel_pending(edition: Edition, reason: str) -> int:
    return Delivery.objects.filter(edition=edition, state=Delivery.State.PENDING).update(
        state=Delivery.State.SKIPPED, last_error=reason, lease_until=None
    )


def counts(edition: Edition) -> dict[str, int]:
    """Deliveries of an edition by state (every state present, zero when none)."""
    result = dict.fromkeys(Delivery.State.values, 0)
    rows = Delivery.objects.filter(edition=edition).values_list("state").annotate(n=Count("id"))
    result.update(dict(rows))
    return result
