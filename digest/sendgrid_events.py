"""SendGrid's Event Webhook, translated: each event of a post as a ``ProviderEvent``.

SendGrid's words become ours here and nowhere else: ``sg_event_id`` is the event's id; the
``custom_args`` we send with every message come back as top-level fields (``delivery_id`` and
``edition_id``, strings); a bounce of ``type`` "blocked" is soft; a drop's ``reason`` says
why ("Invalid" and "Bounced Address": a bad address; "Spam Reporting Address": a complaint;
"Unsubscribed Address": unsubscribed). ``digest.events.record_events`` applies the policy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .events import DELIVERY_ARG, EDITION_ARG, EventReport, ProviderEvent, record_events

DROP_REASONS = {
    "invalid": "bad_address",
    "bounced address": "bad_address",
    "spam reporting address": "complaint",
    "unsubscribed address": "unsubscribed",
}


def _from_sendgrid(event: dict) -> ProviderEvent:
    """One SendGrid event in our words (one with no id or kind is counted invalid)."""
    kind = str(event.get("event") or "")
    reason = str(event.get("reason") or event.get("response") or "").strip()
    bounce = ""
    if kind == "bounce":
        bounce = "soft" if str(event.get("type") or "bounce").lower() == "blocked" else "hard"
    return ProviderEvent(
        event_id=_event_id(event),
        kind=kind,
        email=str(event.get("email") or ""),
        at=_when(event.get("timestamp")),
        delivery_id=_int(event.get(DELIVERY_ARG)),
        edition_id=_int(event.get(EDITION_ARG)),
        bounce=bounce,
        drop=DROP_REASONS.get(reason.lower(), "other") if kind == "dropped" else "",
        reason=reason,
        provider="sendgrid",
        payload=event,
    )


def apply_sendgrid_events(events: list[dict], now: dt.datetime | None = None) -> EventReport:
    """Record and act on the events of one verified Event Webhook post."""
    return record_events([_from_sendgrid(e) for e in events], now)


def _event_id(event: dict) -> str:
    value = event.get("sg_event_id")
    return value if isinstance(value, str) and 0 < len(value) <= 100 else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _when(timestamp: Any) -> dt.datetime | None:
    """The event's unix time; None (the receiving time) when it has none."""
    try:
        return dt.datetime.fromtimestamp(float(timestamp), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
