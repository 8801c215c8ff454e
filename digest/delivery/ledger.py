"""The ledger of deliveries: enqueue once, claim with a lease, record after the answer.

A Delivery is claimed (state ``sending``, with a lease) before the provider is called and
marked after it answers, in one transaction per batch. A crash between the two leaves only
that batch in ``sending``: uncertain, reported, never silently resent or dropped.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from subscribers.audience import eligible

from ..models import Delivery, Edition
from ..render import variant_for
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


def enqueue(edition: Edition, section_keys: Sequence[str], batch_size: int = 1000) -> EnqueueResult:
    """One Delivery per eligible reader, once: the audience is frozen at the first enqueue."""
    if edition.enqueued_at is not None:
        return EnqueueResult(0, True)
    created = 0
    batch: list[Delivery] = []
    for recipient in eligible(edition.mailing_list_id, batch_size=batch_size):
        variant = variant_for(recipient.sections, section_keys)
        batch.append(
            Delivery(
                edition=edition,
                subscriber_id=recipient.subscriber_id,
                email=recipient.email,
                sections=list(variant),
                state=Delivery.State.PENDING if variant else Delivery.State.SKIPPED,
                last_error="" if variant else NO_SECTIONS,
            )
        )
        if len(batch) >= batch_size:
            created += _insert(batch)
            batch = []
    created += _insert(batch)
    Edition.objects.filter(pk=edition.pk, enqueued_at__isnull=True).update(
        enqueued_at=timezone.now()
    )
    edition.refresh_from_db(fields=["enqueued_at"])
    return EnqueueResult(created, False)


def _insert(rows: list[Delivery]) -> int:
    if not rows:
        return 0
    return len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))


def claim(edition: Edition, batch_size: int, now: dt.datetime | None = None) -> list[Delivery]:
    """Take up to ``batch_size`` due deliveries for this worker, under a lease."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(edition=edition, state=Delivery.State.PENDING)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
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
    return list(Delivery.objects.filter(id__in=ids, claimed_at=now).order_by("id"))


def record(results: Iterable[SendResult], now: dt.datetime | None = None) -> None:
    """Write the provider's answers, all in one transaction."""
    now = now or timezone.now()
    results = list(results)
    if not results:
        return
    attempts = dict(
        Delivery.objects.filter(id__in=[r.delivery_id for r in results]).values_list(
            "id", "attempts"
        )
    )
    with transaction.atomic():
        for result in results:
            fields: dict = {"lease_until": None}
            if result.status == "sent":
                fields |= {
                    "state": Delivery.State.SENT,
                    "provider_id": result.provider_id[:200],
                    "sent_at": now,
                    "last_error": "",
                }
            elif result.status == "failed" or attempts.get(result.delivery_id, 0) >= MAX_ATTEMPTS:
                error = result.error
                if result.status == "retry":
                    error = f"gave up after {MAX_ATTEMPTS} attempts: {error}"
                fields |= {"state": Delivery.State.FAILED, "last_error": error}
            else:
                fields |= {
                    "state": Delivery.State.PENDING,
                    "last_error": result.error,
                    "lease_until": now + RETRY_AFTER,
                }
            Delivery.objects.filter(id=result.delivery_id, state=Delivery.State.SENDING).update(
                **fields
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
