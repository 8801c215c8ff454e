"""Provider events as SendGrid posts them for the demo's deliveries, and what to look at
after a batch (the event and webhook tests share them)."""

from __future__ import annotations

import itertools

from digest.compose import compose
from digest.delivery.dispatch import send_edition
from digest.delivery.senders import MemorySender
from digest.demo import DEMO_DAY
from digest.models import Delivery, Edition, Event
from subscribers.models import ConsentEvent, MailingList, Subscriber, Subscription

_ids = itertools.count(1)
TIME = 1795_500_000  # a unix time on the demo's morning, give or take


def send_demo() -> tuple[Edition, Edition]:
    """Both demo editions composed and sent to memory: real deliveries to report on."""
    editions = []
    for slug in ("morning-en", "morning-ko"):
        edition = compose(MailingList.objects.get(slug=slug), DEMO_DAY).edition
        send_edition(edition, MemorySender())
        editions.append(edition)
    return editions[0], editions[1]


def delivery(edition: Edition, email: str) -> Delivery:
    return Delivery.objects.get(edition=edition, email__iexact=email)


def event(d: Delivery | None, kind: str, email: str | None = None, **extra) -> dict:
    """One event as SendGrid posts it, our custom_args as top-level fields."""
    data = {
        "email": email or (d.email if d else ""),
        "timestamp": TIME + next(_ids),
        "event": kind,
        "sg_event_id": f"sg-{next(_ids)}",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    }
    if d is not None:
        data |= {"delivery_id": str(d.pk), "edition_id": str(d.edition_id)}
    return data | extra


def demo_batch(english: Edition, korean: Edition) -> list[dict]:
    grace = delivery(english, "grace.kim@example.com")
    daniel = delivery(english, "daniel.cho@example.com")
    robert = delivery(english, "robert.han@example.org")
    minji = delivery(english, "minji.park@example.com")
    sujin = delivery(korean, "sujin.lee@example.net")
    return [
        event(grace, "processed"),
        event(grace, "delivered", response="250 OK"),
        event(grace, "open", ip="203.0.113.9", useragent="Mail"),
        event(grace, "open", ip="203.0.113.9", useragent="Mail"),
        event(grace, "click", url="https://news.example.com/a"),
        event(grace, "deferred", response="421 try later"),  # late: must not undo "delivered"
        # Soft bounce, and the address in another case: matched, nobody blocked.
        event(daniel, "bounce", email="daniel.cho@EXAMPLE.com", type="blocked", status="4.0.0"),
        event(robert, "bounce", type="bounce", status="5.1.1", reason="550 5.1.1 no such user"),
        event(robert, "delivered"),  # out of order: must not hide the bounce
        event(minji, "delivered"),
        event(minji, "unsubscribe"),
        event(sujin, "delivered"),
        event(sujin, "spamreport"),
    ]


def snapshot() -> tuple:
    return (
        list(Delivery.objects.values_list("id", "outcome", "delivered_at", "opens", "clicks")),
        list(Subscriber.objects.values_list("id", "status", "status_reason")),
        list(Subscription.objects.values_list("id", "status")),
        list(ConsentEvent.objects.values_list("id", "subscriber_id", "kind", "how", "detail")),
        list(Event.objects.values_list("id", "provider_event_id", "delivery_id", "email")),
    )


def status(email: str) -> str:
    return Subscriber.objects.get(email__iexact=email).status


def subscription(email: str, slug: str) -> str:
    return Subscription.objects.get(subscriber__email__iexact=email, mailing_list__slug=slug).status
