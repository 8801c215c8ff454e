"""One edition sent by several processes: this one and the helpers it starts.

The ledger already lets any number of ``digest send`` processes share an edition (each claims
its own batches). This starts them for the operator: ``digest send --workers 4`` (or
``DIGEST_SEND_WORKERS``) rather than four terminals. One interpreter sends 24,000 to 35,000
readers a second here, bound by its own lock; a process per core adds to that.

The helpers are started first, so that their start-up (an interpreter, Django, the edition)
overlaps the work only this process does: freezing the audience, once, and rendering the
variants nobody has kept yet (``digest.kept_renderings``; an approved edition has them all), once
(in a thread, while the database copies the audience). It keeps them, then tells the helpers
to go: a line on their standard input ("go"; an empty line: do not send). They read the kept
renderings. Each helper writes its summary to a file, and this process adds them to its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

from django.conf import settings

from subscribers.audience import eligible_choices, eligible_subscriptions

from .. import kept_renderings
from ..clock import Clock, SystemClock
from ..models import Delivery, Edition
from ..render import EditionView, RenderError
from . import ledger
from .dispatch import (
    DispatchError,
    SendOptions,
    SendReport,
    check_startable,
    conclude,
    send_edition,
    sendable_view,
)
from .senders import sender_path
from .senders.base import Sender

MERGED = ("sent", "retry_later", "skipped", "uncertain", "returned", "resent_uncertain")


def helper_command(edition: Edition, sender: Sender, options: SendOptions) -> list[str]:
    """The command line of one helper: ``digest send`` for this edition, in one process,
    with this run's backend (by its class, built from the settings) and its options whole."""
    return [
        sys.executable,
        "-m",
        "digest.cli",
        "send",
        "--edition",
        str(edition.pk),
        "--sender",
        sender_path(sender),
        "--options",
        options.to_json(),
        "--workers",
        "1",
        "--wait-for-go",
        # The first process ran Django's system checks; a helper's start-up is on the clock.
        "--skip-checks",
    ]


def send_with_workers(
    edition: Edition,
    sender: Sender,
    workers: int | None = None,
    *,
    options: SendOptions | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    command: list[str] | None = None,
    clock: Clock | None = None,
) -> SendReport:
    """Send an edition with up to ``workers`` processes in all (default
    ``DIGEST_SEND_WORKERS``; as many as its readers are worth, ``worth_starting``); the
    report covers all of them."""
    options = options or SendOptions.from_settings()
    workers = settings.DIGEST_SEND_WORKERS if workers is None else workers
    if workers > 1:
        workers = worth_starting(edition, workers)
    if workers <= 1:
        return send_edition(
            edition,
            sender,
            options=options,
            on_progress=on_progress,
            clock=clock,
        )
    started = time.monotonic()
    check_startable(edition, (clock or SystemClock()).now())
    view = sendable_view(edition)
    command = command or helper_command(edition, sender, options)
    with tempfile.TemporaryDirectory(prefix="digest-workers-") as folder:
        reports = [Path(folder) / f"helper-{n}.json" for n in range(1, workers)]
        helpers = []
        for path in reports:
            # Errors go to a file, not a pipe: a chatty helper never waits for us to read.
            with path.with_suffix(".err").open("w") as errors:
                helpers.append(
                    subprocess.Popen(
                        [*command, "--report", str(path)],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.DEVNULL,
                        stderr=errors,
                        text=True,
                    )
                )
        try:
            go = ""
            try:
                rendered = _enqueue_and_render(edition, view)
                go = GO
            finally:
                for helper in helpers:  # an empty line if enqueueing failed: they stop
                    with suppress(OSError):
                        helper.stdin.write(f"{go}\n")
                        helper.stdin.close()
            progress = _whole_edition(edition, on_progress)
            report = send_edition(
                edition,
                sender,
                options=options,
                on_progress=progress,
                clock=clock,
                rendered=rendered,
            )
        finally:
            for helper in helpers:
                helper.wait()
        died = []
        for helper, path in zip(helpers, reports, strict=True):
            if path.exists():
                _add(report, json.loads(path.read_text()))
            if helper.returncode not in (0, 2) or not path.exists():
                stderr = path.with_suffix(".err").read_text(errors="replace")
                last = (stderr.strip().splitlines() or ["no output"])[-1]
                died.append(f"a helper process ended abnormally (exit {helper.returncode}: {last})")
    if died and not report.stopped:
        # Reaped above, the helpers are gone for the ledger: this process settles what they
        # held (uncertain, or back to waiting) and sends what they never handed over.
        report.warnings.extend(died)
        try:
            _add_report(report, send_edition(edition, sender, options=options, clock=clock))
        except DispatchError as exc:
            report.stopped = str(exc)
    elif died:
        report.warnings.extend(died)
    conclude(edition, report, (clock or SystemClock()).now())
    report.workers = workers
    report.elapsed = time.monotonic() - started
    return report


def _add_report(report: SendReport, other: SendReport) -> None:
    """Add a later run of this process to its report (after a helper died)."""
    _sum(report, {name: getattr(other, name) for name in MERGED}, other.failed, other.stopped)


GO = "go"  # the line that tells a helper to start; an empty line tells it to stop


def worth_starting(edition: Edition, most: int) -> int:
    """Processes worth starting for an edition, ``most`` at most: one for each
    ``DIGEST_READERS_PER_WORKER`` readers of its list. A helper's start-up (an interpreter
    and Django: half a second of CPU here) costs more than the sending it takes on for a
    small list; at 10,000 readers one process alone is as fast as two. Counted only as far
    as it matters, so a million-reader list costs no more to ask than a small one."""
    per = settings.DIGEST_READERS_PER_WORKER
    readers = eligible_subscriptions(edition.mailing_list_id).order_by()[: most * per].count()
    return max(1, min(most, readers // per))


def _enqueue_and_render(edition: Edition, view: EditionView) -> kept_renderings.Variants:
    """Freeze the audience (once, here: no helper rebuilds it) and return the edition's kept
    renderings; if nobody kept any (an edition nobody approved), render every variant its
    readers need, once for all the processes, and keep them. That rendering (Python, no
    database) runs in a thread while the database copies the audience, which releases the
    interpreter's lock. A template that fails is left for ``send_edition`` to report: it
    pauses the edition."""
    key = kept_renderings.fingerprint(view)
    kept = kept_renderings.kept(edition, key)
    if kept:
        # Rendered at approval or at the compose time. A choice some reader made since then
        # is rendered when a batch of it comes (each process its own: a rare, small cost),
        # rather than every run asking the whole list for its choices first.
        ledger.enqueue(edition)
        return kept
    rendered: kept_renderings.Variants = {}
    choices = eligible_choices(edition.mailing_list_id)
    with ThreadPoolExecutor(1, "digest-render") as pool:
        rendering = pool.submit(kept_renderings.render_missing, view, choices, rendered)
        ledger.enqueue(edition)
        with suppress(RenderError):
            rendering.result()
    if rendered:
        # The helpers read them here; if they cannot be kept, each renders its own.
        kept_renderings.keep_if_possible(edition, key, rendered)
    return rendered


def write_report(report: SendReport, path: str, peak_rss_mb: float) -> None:
    """A helper's summary, for the process that started it."""
    data = {name: getattr(report, name) for name in MERGED}
    data.update(failed=dict(report.failed), stopped=report.stopped, peak_rss_mb=peak_rss_mb)
    Path(path).write_text(json.dumps(data))


def _add(report: SendReport, helper: dict) -> None:
    """Add a helper's summary (``write_report``) to this process's report."""
    counts = {name: int(helper.get(name, 0)) for name in MERGED}
    _sum(report, counts, Counter(helper.get("failed", {})), helper.get("stopped", ""))
    report.helpers_peak_rss_mb.append(float(helper.get("peak_rss_mb", 0.0)))


def _sum(report: SendReport, counts: dict[str, int], failed: Counter, stopped: str) -> None:
    for name, n in counts.items():
        setattr(report, name, getattr(report, name) + n)
    report.failed += failed
    report.stopped = report.stopped or stopped


def _whole_edition(edition: Edition, on_progress: Callable[[int, int], None] | None):
    """Progress of every worker, not just this one: the ledger's count, every few seconds
    (counting a million-row edition takes tens of milliseconds)."""
    if on_progress is None:
        return None
    seen = {"at": 0.0, "sent": 0}

    def update(done: int, total: int) -> None:
        now = time.monotonic()
        if now - seen["at"] >= 3.0:
            seen["at"] = now
            seen["sent"] = Delivery.objects.filter(
                edition=edition, state=Delivery.State.SENT
            ).count()
        on_progress(max(done, seen["sent"]), total)

    return update
