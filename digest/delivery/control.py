"""An operator's hands on an edition: pause, resume, cancel, resend the uncertain, status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from ..models import Delivery, Edition
from . import ledger


class ControlError(Exception):
    """The edition is not in a state where that makes sense; the message says which."""


def find_edition(ref: str) -> Edition:
    """An edition by id, or by ``list/YYYY-MM-DD`` (also ``list:YYYY-MM-DD``)."""
    ref = ref.strip()
    query = Edition.objects.select_related("mailing_list")
    if ref.isdigit():
        edition = query.filter(pk=int(ref)).first()
    else:
        slug, sep, day = ref.replace(":", "/").rpartition("/")
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            date = None
        edition = query.filter(mailing_list__slug=slug, date=date).first() if sep and date else None
    if edition is None:
        raise ControlError(f"no edition {ref!r}: name it by id or as LIST/YYYY-MM-DD")
    return edition


def pause(edition: Edition, reason: str) -> str:
    """Stop sending after the current batch; nothing is lost, `resume` goes on."""
    Edition.objects.filter(pk=edition.pk).exclude(
        status__in=[Edition.Status.CANCELLED, Edition.Status.SENT]
    ).update(status=Edition.Status.PAUSED, last_error=reason)
    return reason


def resume(edition: Edition) -> None:
    """Allow a paused (or too-late) edition to be sent by the next `digest send`."""
    edition.refresh_from_db()
    if edition.status == Edition.Status.CANCELLED:
        raise ControlError(f"edition {edition} is cancelled: it cannot be resumed")
    Edition.objects.filter(pk=edition.pk).update(
        status=Edition.Status.SENDING if edition.enqueued_at else Edition.Status.APPROVED,
        send_before=None,
        last_error="",
    )


@transaction.atomic
def cancel(edition: Edition, reason: str = "cancelled by an operator") -> int:
    """Nothing more of this edition is sent; returns how many readers will not get it."""
    edition.refresh_from_db()
    if edition.status == Edition.Status.SENT:
        raise ControlError(f"edition {edition} was sent already")
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.CANCELLED, last_error=reason)
    return ledger.cancel_pending(edition, reason)


def resend_uncertain(edition: Edition) -> int:
    """Queue the uncertain deliveries again, on an operator's word."""
    edition.refresh_from_db()
    if edition.status == Edition.Status.CANCELLED:
        raise ControlError(f"edition {edition} is cancelled")
    count = ledger.requeue_uncertain(edition)
    if count and edition.status == Edition.Status.SENT:
        Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENDING)
    return count


def accept_uncertain(edition: Edition) -> int:
    """Count the uncertain deliveries as sent, on an operator's word (nobody gets two)."""
    edition.refresh_from_db()
    return ledger.accept_uncertain(edition)


@dataclass(frozen=True)
class Status:
    edition: Edition
    counts: dict[str, int]
    last_error: str
    failures: list[tuple[str, int]]


def status(edition: Edition) -> Status:
    edition.refresh_from_db()
    failures: dict[str, int] = {}
    for error in Delivery.objects.filter(edition=edition, state=Delivery.State.FAILED).values_list(
        "last_error", flat=True
    ):
        key = error[:80] or "unknown"
        failures[key] = failures.get(key, 0) + 1
    return Status(
        edition=edition,
        counts=ledger.counts(edition),
        last_error=edition.last_error,
        failures=sorted(failures.items(), key=lambda kv: -kv[1])[:10],
    )
