"""Who receives a list: confirmed subscriptions of active subscribers, streamed in id order.

Streaming by keyset (``subscriber_id > last``) keeps memory flat however long the list is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from .models import Subscriber, Subscription


@dataclass(frozen=True, slots=True)
class Recipient:
    subscriber_id: int
    email: str
    name: str
    language: str
    sections: tuple[str, ...]  # the reader's choice; empty means every section


def eligible_subscriptions(list_id: int) -> QuerySet[Subscription]:
    """The rule, in one place: confirmed subscriptions of active (not blocked) readers."""
    return Subscription.objects.filter(
        mailing_list_id=list_id,
        status=Subscription.Status.CONFIRMED,
        subscriber__status=Subscriber.Status.ACTIVE,
    )


def eligible_choices(list_id: int) -> list[tuple[str, ...]]:
    """The distinct section choices among a list's eligible readers (a few, however long
    the list): what an edition's variants are rendered for."""
    rows = eligible_subscriptions(list_id).order_by().values_list("sections", flat=True)
    return sorted({tuple(chosen or ()) for chosen in rows.distinct()})


def eligible(list_id: int, batch_size: int = 1000) -> Iterator[Recipient]:
    """Yield the recipients of a list who may be mailed now."""
    last = 0
    while True:
        rows = list(
            eligible_subscriptions(list_id)
            .filter(subscriber_id__gt=last)
            .order_by("subscriber_id")
            .values_list(
                "subscriber_id",
                "subscriber__email",
                "subscriber__name",
                "subscriber__language",
                "sections",
            )[:batch_size]
        )
        if not rows:
            return
        for subscriber_id, email, name, language, sections in rows:
            yield Recipient(subscriber_id, email, name, language, tuple(sections or ()))
        last = rows[-1][0]


def still_eligible(list_id: int, subscriber_ids: list[int]) -> set[int]:
    """Re-check a claimed batch at send time: an unsubscribe or block since enqueue wins.

    The same rule as ``eligible_subscriptions``, driven from the batch's subscriber ids (a
    primary-key lookup each) rather than from the list's subscriptions, which a planner may
    walk in full for every batch of a large list. Plain SQL: it runs once per batch of a
    million-reader send, and the ORM's handling of a thousand-id IN list costs more than
    the query.
    """
    found: set[int] = set()
    quote = connection.ops.quote_name
    people, subscriptions = quote(Subscriber._meta.db_table), quote(Subscription._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(subscriber_ids), 5000):
            chunk = subscriber_ids[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT p.id FROM {people} p JOIN {subscriptions} s ON s.subscriber_id = p.id "
                f"WHERE p.id IN ({marks}) AND p.status = %s "
                "AND s.mailing_list_id = %s AND s.status = %s",
                (
                    *chunk,
                    Subscriber.Status.ACTIVE,
                    list_id,
                    Subscription.Status.CONFIRMED,
                ),
            )
            found.update(row[0] for row in cursor.fetchall())
    return found
