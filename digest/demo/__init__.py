"""The bundled demo: invented articles dated on DEMO_DAY, two lists, a handful of readers.

``digest demo`` loads it (idempotently) and runs the whole pipeline to the file outbox.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from subscribers.models import MailingList, Subscriber, Subscription

from ..models import Source

DEMO_DIR = Path(__file__).resolve().parent
ARTICLES_DIR = DEMO_DIR / "articles"
DEMO_DAY = dt.date(2026, 11, 24)
SOURCE_NAME = "Demo articles (saved pages and WordPress posts)"

__all__ = ["ARTICLES_DIR", "DEMO_DAY", "DEMO_DIR", "SOURCE_NAME", "load_demo"]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create the demo lists, readers and source; running it again changes nothing."""
    data = json.loads((DEMO_DIR / "subscribers.json").read_text(encoding="utf-8"))
    lists = {}
    for entry in data["lists"]:
        fields = {k: v for k, v in entry.items() if k not in ("slug", "other_language")}
        fields["send_time"] = dt.time.fromisoformat(fields["send_time"])
        lists[entry["slug"]], _ = MailingList.objects.get_or_create(
            slug=entry["slug"], defaults=fields
        )
    for entry in data["lists"]:  # each list links to its edition in the other language
        if entry.get("other_language"):
            MailingList.objects.filter(slug=entry["slug"], other_language=None).update(
                other_language=lists[entry["other_language"]]
            )
    readers = 0
    for entry in data["subscribers"]:
        subscriber = Subscriber.objects.filter(email__iexact=entry["email"]).first()
        if subscriber is None:
            subscriber = Subscriber.objects.create(
                email=entry["email"],
                name=entry["name"],
                language=entry["language"],
                status=entry.get("status", Subscriber.Status.ACTIVE),
                status_reason=entry.get("status_reason", ""),
            )
            readers += 1
        for sub in entry["subscriptions"]:
            now = timezone.now()
            status = sub["status"]
            Subscription.objects.get_or_create(
                subscriber=subscriber,
                mailing_list=lists[sub["list"]],
                defaults={
                    "status": status,
                    "sections": sub["sections"],
                    "source": "demo data",
                    "confirmed_at": now if status != Subscription.Status.PENDING else None,
                    "unsubscribed_at": now if status == Subscription.Status.UNSUBSCRIBED else None,
                },
            )
    Source.objects.update_or_create(
        kind=Source.Kind.FILES,
        location=str(ARTICLES_DIR),
        defaults={"name": SOURCE_NAME, "enabled": True},
    )
    return {"lists": len(lists), "new_readers": readers}
