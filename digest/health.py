"""What a monitor needs to know, as plain data: ``/healthz`` answers it, the desk shows part.

Healthy means the pages can work and the mornings will be sent: the database answers, and,
where a scheduler is expected (``DIGEST_EXPECT_SCHEDULER``), it has been heard from within
``DIGEST_HEARTBEAT_MAX_AGE`` seconds. Each list's last edition is reported, not judged: a
paused or unapproved edition is the editors' business, and the desk tells them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .lease import LOCK_NAME
from .models import Edition, Heartbeat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchedulerState:
    """The scheduler's last heartbeat (None: never heard from) and whether that is too old."""

    expected: bool
    holder: str
    started_at: dt.datetime | None
    beat_at: dt.datetime | None
    stopped_at: dt.datetime | None
    age_seconds: int | None
    max_age_seconds: int

    @property
    def stale(self) -> bool:
        return self.age_seconds is None or self.age_seconds > self.max_age_seconds

    @property
    def ok(self) -> bool:
        return not (self.expected and self.stale)


def scheduler_state(now: dt.datetime | None = None) -> SchedulerState:
    now = now or timezone.now()
    row = Heartbeat.objects.filter(name=LOCK_NAME).first()
    age = None if row is None else max(0, int((now - row.beat_at).total_seconds()))
    return SchedulerState(
        expected=settings.DIGEST_EXPECT_SCHEDULER,
        holder=row.holder if row else "",
        started_at=row.started_at if row else None,
        beat_at=row.beat_at if row else None,
        stopped_at=row.stopped_at if row else None,
        age_seconds=age,
        max_age_seconds=settings.DIGEST_HEARTBEAT_MAX_AGE,
    )


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def _last_editions() -> list[dict]:
    """Each list's newest edition: its day and state (one small query per list)."""
    from subscribers.models import MailingList

    rows = []
    for ml in MailingList.objects.order_by("slug"):
        edition = Edition.objects.filter(mailing_list=ml).order_by("-date").first()
        rows.append(
            {
                "list": ml.slug,
                "date": None if edition is None else edition.date.isoformat(),
                "status": None if edition is None else edition.status,
                "started_at": None if edition is None else _iso(edition.enqueued_at),
                "finished_at": None if edition is None else _iso(edition.finished_at),
            }
        )
    return rows


def report(now: dt.datetime | None = None) -> tuple[bool, dict]:
    """(healthy, the JSON body). Never raises for a database that is down: it says so."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        scheduler = scheduler_state(now)
        editions = _last_editions()
    except DatabaseError as exc:
        # The answer is public: the kind of error only; the words (host, user) go to the log.
        log.error("health check: the database cannot be reached: %s", exc)
        body = {
            "ok": False,
            "database": {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__},
            "scheduler": None,
            "lists": None,
        }
        return False, body
    body = {
        "ok": scheduler.ok,
        "database": {"ok": True, "vendor": connection.vendor},
        "scheduler": {
            "ok": scheduler.ok,
            "expected": scheduler.expected,
            "last_heartbeat": _iso(scheduler.beat_at),
            "age_seconds": scheduler.age_seconds,
            "max_age_seconds": scheduler.max_age_seconds,
            "stale": scheduler.stale,
            "running_since": None if scheduler.stopped_at else _iso(scheduler.started_at),
            "stopped_at": _iso(scheduler.stopped_at),
        },
        "lists": editions,
    }
    return scheduler.ok, body
