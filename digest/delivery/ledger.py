"""The ledger of deliveries: enqueue once, claim with a lease, record after the answer.

A Delivery is claimed (state ``sending``, with a lease) before the provider is called and
marked after it answers, in one transaction per batch. A crash between the two leaves only
that batch in ``sending``: uncertain, reported, never silently resent or dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DateTimeField, Exists, F, Max, Min, OuterRef, Q, Value
from django.utils import timezone

from subscribers.audience import eligible_subscriptions
from subscribers.models import Subscriber, Subscription

from ..models import Delivery, Edition, Handoff
from ..processes import gone, this_process
from .senders.base import SendResult

LEASE = dt.timedelta(minutes=30)  # longer than any batch takes, throttling included
WORKER = this_process()
MAX_ATTEMPTS = 5
NO_SECTIONS = "none of the reader's chosen sections is in this edition"


@dataclass(frozen=True)
class EnqueueResult:
    created: int
    already: bool


@dataclass(slots=True)  # not frozen: one per reader, as senders.base.Recipient
class Claimed:
    """A delivery this worker holds: just what sending it needs."""

    id: int
    subscriber_id: int
    email: str
    sections: tuple[str, ...]  # the reader's choice; empty means all

    @classmethod
    def of(cls, delivery: Delivery) -> Claimed:
        """A Delivery row as the dispatch loop holds one (previews, benchmarks)."""
        return cls(delivery.pk, delivery.subscriber_id, delivery.email, _choice(delivery.sections))


def enqueue(edition: Edition) -> EnqueueResult:
    """One Delivery per eligible reader, once: the audience is frozen at the first enqueue.

    A single INSERT ... SELECT: a million readers are copied by the database, not through
    Python objects. Workers racing to enqueue are harmless (unique edition + subscriber).
    """
    if edition.enqueued_at is None:
        # Another process (the one that started this helper) may have frozen it since this
        # object was read: asking costs a lookup, copying again a scan of the whole list.
        edition.refresh_from_db(fields=["enqueued_at"])
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
        # Readers of one section choice get neighbouring ids, so a claim for one choice
        # (one variant, one large provider request) reads a run of rows, not the whole list.
        .order_by("sections", "subscriber_id")
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
        if created and connection.vendor == "postgresql":
            # The claims and send-time re-checks start right after this bulk insert, long
            # before autovacuum notices it; without fresh statistics the planner can take a
            # batch lookup for a scan of the whole list.
            tables = (Delivery, Subscription, Subscriber)
            cursor.execute(
                "ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
            )
        Edition.objects.filter(pk=edition.pk, enqueued_at__isnull=True).update(enqueued_at=now)
    edition.refresh_from_db(fields=["enqueued_at"])
    return EnqueueResult(created, False)


def next_choice(edition: Edition, now: dt.datetime | None = None) -> tuple[str, ...] | None:
    """The section choice of the first due delivery, or None when nothing is due."""
    select, params = _due("sections", edition, now or timezone.now(), limit=1)
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        row = cursor.fetchone()
    return None if row is None else _choice(row[0])


def claim(
    edition: Edition,
    batch_size: int,
    now: dt.datetime | None = None,
    sections: Sequence[str] | None = None,
) -> list[Claimed]:
    """Take up to ``batch_size`` due deliveries for this worker, under a lease.

    Given ``sections``, the batch holds readers of that one choice, so that a provider that
    personalizes on its side gets a few large requests rather than many small ones.

    One ``UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING`` picks the rows, marks them
    and hands back what sending needs; the pick is ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
    and SQLite takes its write lock at BEGIN, so two workers never take the same row.
    """
    now = now or timezone.now()
    pick, params = _due("id", edition, now, sections, limit=batch_size)
    if connection.features.has_select_for_update_skip_locked:
        pick += " FOR UPDATE SKIP LOCKED"  # PostgreSQL: a row another worker is taking
    with transaction.atomic(), connection.cursor() as cursor:
        # One statement: the database picks and marks the rows without a thousand ids
        # going through Python and back as parameters.
        cursor.execute(
            f"UPDATE {_table()} SET state = %s, claimed_at = %s, claimed_by = %s, "
            "lease_until = %s, attempts = attempts + 1 "
            f"WHERE id IN ({pick}) "
            "RETURNING id, subscriber_id, email, sections",
            (
                Delivery.State.SENDING,
                _stamp(now),
                WORKER,
                _stamp(now + LEASE),
                *params,
            ),
        )
        rows = cursor.fetchall()
    rows.sort()
    return [Claimed(pk, sub, email, _choice(chosen)) for pk, sub, email, chosen in rows]


_SECTIONS = Delivery._meta.get_field("sections")
_LEASE_UNTIL = Delivery._meta.get_field("lease_until")


def _stamp(moment: dt.datetime):
    """A time as the database stores it (any DateTimeField's conversion), for plain SQL."""
    return _LEASE_UNTIL.get_db_prep_value(moment, connection)


def _due(
    columns: str,
    edition: Edition,
    now: dt.datetime,
    sections: Sequence[str] | None = None,
    *,
    limit: int,
) -> tuple[str, list]:
    """SELECT ``columns`` of an edition's due deliveries (of one section choice, if given),
    first by id: waiting, and not under a live lease. The one statement of that rule, in
    SQL: a claim runs it for every batch, and building it through the ORM cost half a
    millisecond each time."""
    select = (
        f"SELECT {columns} FROM {_table()} WHERE edition_id = %s AND state = %s "
        "AND (lease_until IS NULL OR lease_until <= %s)"
    )
    params = [edition.pk, Delivery.State.PENDING, _stamp(now)]
    if sections is not None:
        select += " AND sections = %s"
        params.append(_SECTIONS.get_db_prep_value(list(sections), connection))
    return f"{select} ORDER BY id LIMIT {int(limit)}", params


IN_LIST = 5000  # ids per statement: well under SQLite's limit on bound variables


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), IN_LIST):
        yield ids[start : start + IN_LIST]


def _marks(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _table() -> str:
    return connection.ops.quote_name(Delivery._meta.db_table)


def _choice(value) -> tuple[str, ...]:
    """A reader's choice from a JSON list column: text from a raw cursor on SQLite, text or a
    list on PostgreSQL depending on the driver's loaders, a list from the ORM."""
    if isinstance(value, str):
        return _parsed_choice(value)
    return tuple(value or ())


@lru_cache(maxsize=1024)
def _parsed_choice(text: str) -> tuple[str, ...]:
    # A list has a handful of distinct choices: parse each once, not once per reader.
    return tuple(json.loads(text) or ())


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
    stamp = _stamp(now)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for (status, provider_id, error), ids in groups.items():
            if status == "sent":
                # The common answer, a thousand readers at a time: plain SQL, as the ORM's
                # per-id handling of a long IN list costs more than the update itself.
                for chunk in _chunks(ids):
                    cursor.execute(
                        f"UPDATE {_table()} SET state = %s, provider_id = %s, sent_at = %s, "
                        "last_error = '', lease_until = NULL "
                        f"WHERE id IN ({_marks(chunk)}) AND state = %s",
                        (Delivery.State.SENT, provider_id, stamp, *chunk, Delivery.State.SENDING),
                    )
            elif status == "failed":
                sending.filter(id__in=ids).update(
                    state=Delivery.State.FAILED, last_error=error, lease_until=None
                )
            else:
                rows = sending.filter(id__in=ids)
                rows.filter(attempts__gte=MAX_ATTEMPTS).update(
                    state=Delivery.State.FAILED,
                    last_error=f"gave up after {MAX_ATTEMPTS} attempts: {error}",
                    lease_until=None,
                )
                rows.filter(attempts__lt=MAX_ATTEMPTS).update(
                    state=Delivery.State.PENDING, last_error=error, lease_until=now + retry_after()
                )


def retry_after() -> dt.timedelta:
    """How long a deferred reader waits (``DIGEST_RETRY_AFTER_SECONDS``)."""
    return dt.timedelta(seconds=settings.DIGEST_RETRY_AFTER_SECONDS)


def skip(ids: Sequence[int], reason: str) -> None:
    Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING).update(
        state=Delivery.State.SKIPPED, last_error=reason, lease_until=None
    )


def release(ids: Sequence[int]) -> None:
    """Give back claimed deliveries the provider never saw (the run stopped before them)."""
    _give_back(Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING))


def _give_back(claimed) -> int:
    """Claimed rows nobody outside this database saw wait again, their claim not counted."""
    return claimed.update(
        state=Delivery.State.PENDING, lease_until=None, attempts=F("attempts") - 1
    )


def hand_over(edition: Edition, claimed_at: dt.datetime, in_flight: int | None = None) -> int:
    """Note, before calling the provider, that the batch claimed at ``claimed_at`` by this
    worker is going out: from here on a crash leaves its rows uncertain. Given
    ``in_flight`` (the first message of a sender that hands over one message at a time),
    only the message named by ``record_one`` as it goes is: the handoff's id is returned
    for that.

    This one commit is flushed to disk before it returns, whatever the database does for
    ordinary commits (SQLite here runs ``synchronous=NORMAL``, which a power cut may roll
    back): otherwise a batch the provider took could come back as never handed over, and be
    sent again. Flushing it also makes the claim before it durable.
    """
    # Plain SQL: this commit sits between the provider's answer and the next request, and
    # saving a model instance cost ten times the insert.
    with _durable_commit(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_handoffs()} "
            "(edition_id, claimed_by, claimed_at, handed_at, per_message, in_flight) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (
                edition.pk,
                WORKER,
                _stamp(claimed_at),
                _stamp(timezone.now()),
                in_flight is not None,
                in_flight,
            ),
        )
        (handoff,) = cursor.fetchone()
    return handoff


def record_one(
    result: SendResult, handoff: int, next_id: int | None, now: dt.datetime | None = None
) -> None:
    """Write one message's answer and name the next message as the one in flight, in one
    commit flushed to disk: a crash at any moment leaves at most one message of this
    connection uncertain, and a power cut cannot undo an answer the relay gave.

    For senders that hand over one message at a time (SMTP): the flush costs about half a
    millisecond here, against the several milliseconds a relay takes for a message.
    """
    with _durable_commit(), transaction.atomic(savepoint=False):
        record([result], now)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_handoffs()} SET in_flight = %s WHERE id = %s", (next_id, handoff)
            )


def _handoffs() -> str:
    return connection.ops.quote_name(Handoff._meta.db_table)


@contextmanager
def _durable_commit() -> Iterator[None]:
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # (Inside a caller's transaction SQLite cannot change it: that commit decides.)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            (ordinary,) = cursor.fetchone()
            cursor.execute("PRAGMA synchronous = FULL")  # in WAL mode: fsync at each commit
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {int(ordinary)}")
    elif connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = on")
            yield
    else:
        yield


@dataclass(frozen=True)
class Recovered:
    uncertain: int  # the provider may have them: an operator decides
    returned: int  # claimed, never handed over: waiting again


UNCERTAIN_REASON = "a run stopped after handing this to the provider and before its answer"


def recover(edition: Edition, now: dt.datetime | None = None) -> Recovered:
    """Settle deliveries whose run died holding them (the lease expired, or the worker was a
    process of this machine that no longer runs).

    Batches that were handed over become ``uncertain``: never silently resent or dropped;
    of a batch handed over one message at a time, only the message in flight. The rest,
    claimed and never seen outside this database (a batch prepared while the one before
    was with the provider, the unsent rest of a per-message batch), goes back to waiting.

    Two set-based UPDATEs, whatever the number of rows or batches the dead runs held.
    """
    now = now or timezone.now()
    sending = Delivery.objects.filter(edition=edition, state=Delivery.State.SENDING)
    holders = sending.order_by().values_list("claimed_by").annotate(first=Min("claimed_at"))
    dead = [worker for worker, first in holders if gone(worker, since=first)]
    stale = sending.filter(Q(lease_until__lt=now) | Q(claimed_by__in=dead))
    handoffs = Handoff.objects.filter(
        edition=edition, claimed_by=OuterRef("claimed_by"), claimed_at=OuterRef("claimed_at")
    )
    maybe_sent = (
        Q(Exists(handoffs.filter(per_message=False)))
        | Q(Exists(handoffs.filter(per_message=True, in_flight=OuterRef("pk"))))
        | Q(claimed_at__isnull=True)  # claimed before claims were stamped: assume handed over
    )
    with transaction.atomic():
        uncertain = stale.filter(maybe_sent).update(
            state=Delivery.State.UNCERTAIN, last_error=UNCERTAIN_REASON
        )
        returned = _give_back(stale)
    return Recovered(uncertain, returned)


@dataclass(frozen=True)
class Holder:
    worker: str  # host:pid
    readers: int
    until: dt.datetime  # the lease: after it, the next run settles them


@dataclass(frozen=True)
class Unfinished:
    """What an edition still has open once a run ends: each group needs its own step."""

    waiting: int = 0  # due now, yet no run took them (a run that stopped, or was stopped)
    deferred: int = 0  # the provider asked to retry: waiting for their time
    deferred_until: dt.datetime | None = None  # the earliest of those times
    uncertain: int = 0  # an operator decides: send again, or count them as sent
    held: tuple[Holder, ...] = ()  # claimed by another live run (or one not provably dead)

    @property
    def held_readers(self) -> int:
        return sum(h.readers for h in self.held)

    def __bool__(self) -> bool:
        return bool(self.waiting or self.deferred or self.uncertain or self.held)


def unfinished(edition: Edition, now: dt.datetime | None = None) -> Unfinished:
    """The edition's open work: waiting, deferred, uncertain and held readers (four small
    queries on the edition's index)."""
    now = now or timezone.now()
    rows = Delivery.objects.filter(edition=edition).order_by()
    pending = rows.filter(state=Delivery.State.PENDING)
    later = pending.filter(lease_until__gt=now).aggregate(n=Count("id"), first=Min("lease_until"))
    held = (
        rows.filter(state=Delivery.State.SENDING)
        .values_list("claimed_by")
        .annotate(n=Count("id"), until=Max("lease_until"))
        .order_by("claimed_by")
    )
    return Unfinished(
        waiting=pending.count() - later["n"],
        deferred=later["n"],
        deferred_until=later["first"],
        uncertain=rows.filter(state=Delivery.State.UNCERTAIN).count(),
        held=tuple(Holder(worker, n, until) for worker, n, until in held),
    )


def sending_started(edition: Edition) -> bool:
    """Has any reader of the edition been handed to a run? (Then approval and "too late" no
    longer stop it: what began is finished.)"""
    return (
        Delivery.objects.filter(edition=edition)
        .exclude(state__in=[Delivery.State.PENDING, Delivery.State.SKIPPED])
        .exists()
    )


def mark_uncertain(ids: Sequence[int]) -> int:
    """Claimed deliveries a run was handing over when it was interrupted: the provider may
    have them."""
    return Delivery.objects.filter(id__in=ids, state=Delivery.State.SENDING).update(
        state=Delivery.State.UNCERTAIN, last_error=UNCERTAIN_REASON, lease_until=None
    )


def accept_uncertain(edition: Edition) -> int:
    """An operator's word: count the uncertain ones as sent (nobody gets two; a few may
    have got none). The reason stays on each row."""
    return Delivery.objects.filter(edition=edition, state=Delivery.State.UNCERTAIN).update(
        state=Delivery.State.SENT,
        lease_until=None,
        last_error="counted as sent by an operator after a run died during its send",
    )


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
    rows = (
        Delivery.objects.filter(edition=edition)
        .order_by()  # GROUP BY state alone, whatever the model's ordering
        .values_list("state")
        .annotate(n=Count("id"))
    )
    result.update(dict(rows))
    return result
