"""The daily job for one list: collect, compose, send. The CLI and the scheduler call this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from subscribers.models import MailingList

from .collect import CollectReport, collect, open_source
from .compose import ComposeResult, compose
from .delivery.dispatch import SendReport, send_edition
from .delivery.senders.base import Sender
from .models import Source


@dataclass
class RunReport:
    collected: CollectReport
    composed: ComposeResult
    sent: SendReport


def collect_configured() -> CollectReport:
    """Collect from every enabled source in the database."""
    tz = settings.DIGEST_TIME_ZONE
    rows = list(Source.objects.filter(enabled=True))
    return collect((row.name, open_source(row, tz), row) for row in rows)


def run_list(
    mailing_list: MailingList,
    day: dt.date,
    sender: Sender,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Collect, compose and send one list's edition; each step is idempotent."""
    collected = collect_configured()
    composed = compose(mailing_list, day)
    sent = send_edition(composed.edition, sender, on_progress=on_progress)
    return RunReport(collected, composed, sent)
