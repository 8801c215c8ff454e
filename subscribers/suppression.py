"""What an unsubscribe, a bounce, a complaint or an admin's decision does to a reader.

The single path for every source of such verdicts: the unsubscribe page, one-click and
``mailto:`` requests, provider webhooks, SMTP failures and admin actions all call these
functions, so each leaves the same trace in the consent log.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import ConsentEvent, Subscriber, Subscription


@transaction.atomic
def unsubscribe(
    subscriber_id: int, list_id: int, how: str, ip: str | None = None, detail: dict | None = None
) -> bool:
    """Take a reader off one list; True if this changed anything. Idempotent."""
    changed = (
        Subscription.objects.filter(subscriber_id=subscriber_id, mailing_list_id=list_id)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    )
    if changed:
        ConsentEvent.objects.create(
            subscriber_id=subscriber_id,
            mailing_list_id=list_id,
            kind=ConsentEvent.Kind.UNSUBSCRIBE,
            how=how[:200],
            ip=ip,
            detail=detail or {},
        )
    return bool(changed)


@transaction.atomic
def block(subscriber_id: int, reason: str, how: str, detail: dict | None = None) -> bool:
    """Stop all mail to a reader, on every list (a hard bounce, a complaint, an admin)."""
    changed = (
        Subscriber.objects.filter(pk=subscriber_id)
        .exclude(status=Subscriber.Status.BLOCKED)
        .update(status=Subscriber.Status.BLOCKED, status_reason=reason[:300])
    )
    if changed:
        ConsentEvent.objects.create(
            subscriber_id=subscriber_id,
            kind=ConsentEvent.Kind.BLOCK,
            how=how[:200],
            detail={"reason": reason, **(detail or {})},
        )
    return bool(changed)


@transaction.atomic
def unblock(subscriber_id: int, reason: str, how: str) -> bool:
    """Allow mail again (an admin's decision, with the reason on record)."""
    changed = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.BLOCKED).update(
        status=Subscriber.Status.ACTIVE, status_reason=""
    )
    if changed:
        ConsentEvent.objects.create(
            subscriber_id=subscriber_id,
            kind=ConsentEvent.Kind.UNBLOCK,
            how=how[:200],
            detail={"reason": reason},
        )
    return bool(changed)


def bad_address(email: str, reason: str, how: str) -> bool:
    """A permanent delivery failure for a mailbox (SMTP 550, a hard bounce): block it."""
    subscriber = Subscriber.objects.filter(email__iexact=email.strip()).first()
    if subscriber is None:
        return False
    return block(subscriber.pk, reason, how)
