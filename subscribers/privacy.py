"""Everything held on one reader (export) and its erasure.

Erasure keeps the rows that count deliveries and consent, but nothing in them identifies the
person any more: the address becomes a hash, the name goes, IPs go. The hash is kept apart so
an import or a subscribe form cannot bring the address back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .addresses import address_hash
from .models import ConsentEvent, ErasedAddress, Subscriber, Subscription
from .signals import subscriber_erased


def export_subscriber(subscriber: Subscriber) -> dict[str, Any]:
    """A JSON-ready record of the reader: profile, subscriptions, consent log, and any
    related rows other apps keep (found through reverse relations, not imports)."""
    data: dict[str, Any] = {
        "email": subscriber.email,
        "name": subscriber.name,
        "language": subscriber.language,
        "status": subscriber.status,
        "status_reason": subscriber.status_reason,
        "source": subscriber.source,
        "created_at": subscriber.created_at.isoformat(),
        "subscriptions": [
            {
                "list": s.mailing_list.slug,
                "status": s.status,
                "sections": s.sections,
                "source": s.source,
                "created_at": s.created_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "unsubscribed_at": s.unsubscribed_at.isoformat() if s.unsubscribed_at else None,
            }
            for s in subscriber.subscriptions.select_related("mailing_list")
        ],
        "consent_events": [
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "how": e.how,
                "list": e.mailing_list.slug if e.mailing_list else None,
                "ip": e.ip,
                "detail": e.detail,
            }
            for e in subscriber.consent_events.select_related("mailing_list")
        ],
    }
    for relation in _other_apps_relations():
        rows = getattr(subscriber, relation.get_accessor_name()).all()
        data[relation.related_model._meta.label_lower] = [_plain(row) for row in rows]
    return data


@transaction.atomic
def erase(subscriber: Subscriber, how: str) -> None:
    """Replace what identifies the reader with a hash; block the address for good."""
    original = subscriber.email
    digest = address_hash(original)
    ErasedAddress.objects.get_or_create(email_hash=digest)
    Subscription.objects.filter(subscriber=subscriber).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    ConsentEvent.objects.filter(subscriber=subscriber).update(ip=None)
    for relation in _other_apps_relations():
        model = relation.related_model
        if any(f.name == "email" for f in model._meta.fields):
            model.objects.filter(**{relation.field.name: subscriber}).update(email="")
    subscriber.email = f"{digest}@erased.invalid"
    subscriber.name = ""
    subscriber.status = Subscriber.Status.BLOCKED
    subscriber.status_reason = "erased on request"
    subscriber.erased_at = timezone.now()
    subscriber.save()
    ConsentEvent.objects.create(subscriber=subscriber, kind=ConsentEvent.Kind.ERASE, how=how)
    subscriber_erased.send(sender=Subscriber, subscriber=subscriber, email=original)


def _other_apps_relations():
    """Reverse relations to Subscriber from other apps (the newsletter's deliveries)."""
    return [
        rel
        for rel in Subscriber._meta.related_objects
        if rel.related_model._meta.app_label != "subscribers" and rel.one_to_many
    ]


def _plain(row) -> dict[str, Any]:
    out = {}
    for field in row._meta.fields:
        value = getattr(row, field.attname)
        out[field.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
