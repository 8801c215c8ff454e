"""The daily job for one list: collect, compose, send.

``digest run`` calls ``run_list``; the scheduler calls its steps at their own times
(``collect_for`` and compose at the compose time, the send at the send time), so both collect
the same window under the same rule: when every source fails, nothing is composed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from subscribers.models import MailingList

from .collect import CollectReport, collect, open_source
from .compose import ComposeError, ComposeResult, compose, day_window
from .delivery.dispatch import SendReport
from .delivery.senders.base import Sender
from .delivery.workers import send_with_workers
from .http import HttpClient
from .models import Edition, Source


class AllSourcesFailed(ComposeError):
    """Every configured source failed: composing would send yesterday's news, or nothing."""

    def __init__(self, report: CollectReport) -> None:
        self.report = report
        lines = "\n".join(report.lines())
        super().__init__(
            f"EVERY SOURCE FAILED ({len(report.sources)}): nothing was collected, so no "
            f"edition was composed. Fix the sources and run again.\n{lines}"
        )


@dataclass
class RunReport:
    collected: CollectReport
    composed: ComposeResult
    sent: SendReport


def collect_configured(since: dt.datetime | None = None) -> CollectReport:
    """Collect from every enabled source in the database, the web ones through one client."""
    tz = settings.DIGEST_TIME_ZONE
    rows = list(Source.objects.filter(enabled=True))
    with HttpClient() as client:
        return collect(((row.name, open_source(row, tz, client), row) for row in rows), since=since)


def collection_start(mailing_list: MailingList, day: dt.date) -> dt.datetime:
    """The window to collect: the list's day (its time zone, DST-correct), or further back
    to the last edition when a morning was missed."""
    start, _ = day_window(day, mailing_list.time_zone)
    last = (
        Edition.objects.filter(mailing_list=mailing_list, date__lt=day)
        .order_by("-date")
        .values_list("created_at", flat=True)
        .first()
    )
    return min(start, last) if last else start


def collect_for(mailing_list: MailingList, day: dt.date) -> CollectReport:
    """Collect what one list's edition of ``day`` may hold (``collection_start``); raises
    ``AllSourcesFailed`` when every source failed."""
    collected = collect_configured(since=collection_start(mailing_list, day))
    if collected.all_failed:
        raise AllSourcesFailed(collected)
    return collected


def run_list(
    mailing_list: MailingList,
    day: dt.date,
    sender: Sender,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Collect, compose and send one list's edition; each step is idempotent."""
    collected = collect_for(mailing_list, day)
    composed = compose(mailing_list, day)
    sent = send_with_workers(composed.edition, sender, on_progress=on_progress)
    return RunReport(collected, composed, sent)
