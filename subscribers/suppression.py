"""What an unsubscribe, a bounce or a complaint does to a subscriber: the single path for all."""

from __future__ import annotations

from django.utils import timezone

from .models import Subscription


def unsubscribe(subscriber_id: int, list_id: int, how: str) -> bool:
    """Take a reader off one list; True if this changed anything. Idempotent."""
    changed = (
        Subscription.objects.filter(subscriber_id=subscriber_id, mailing_list_id=list_id)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .update(
            status=Subscription.Status.UNSUBSCRIBED,
            unsubscribed_at=timezone.now(),
        )
    )
    return bool(changed)
