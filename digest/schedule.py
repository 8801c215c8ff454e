"""The daily schedule: compose at each list's compose time, send at its send time.

Every job calls one idempotent function, ``tick(list, now)``, which looks at the clock and the
database and does what is due: compose the day's edition (and tell the editors it is ready),
then, from the send time on, send it, hold it for approval, or refuse it as too late. Because
``tick`` decides from state rather than from "this job fired", a restart at 06:01, a duplicate
fire or the five-minute sweep can never send an edition twice (the delivery ledger is the
final guard), and a morning the server missed is noticed and reported, not sent at noon.

APScheduler only says *when* to call ``tick``: a cron trigger per list and time in the list's
own time zone (DST-correct), ``coalesce=True``, ``max_instances=1`` and an explicit
``misfire_grace_time``. One scheduler runs at a time (``digest.lease``); the editors are told
what needs them through ``digest.notices``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.db import DatabaseError, close_old_connections

from subscribers.models import MailingList

from . import kept_renderings
from .clock import Clock, SystemClock
from .collect import CollectReport
from .compose import ComposeError, compose, send_deadline
from .delivery.control import pause
from .delivery.dispatch import DispatchError
from .delivery.errors import FatalError
from .delivery.ledger import sending_started
from .delivery.senders import configured_sender
from .delivery.senders.base import Sender
from .delivery.workers import send_with_workers
from .lease import acquire_lock, beat, beat_stopped, release_lock, renew_lock
from .models import Edition, EditLog
from .notices import Notify, default_notify, desk_url, notify_once, told_once
from .pipeline import collect_for
from .processes import this_process
from .render import RenderError

log = logging.getLogger(__name__)

HEARTBEAT = dt.timedelta(minutes=1)
# The day's collection for a list (pipeline.collect_for: its window, and "every source
# failed" raising a ComposeError), or a stand-in returning None.
Collect = Callable[[MailingList, dt.date], CollectReport | None]
SWEEP = dt.timedelta(minutes=5)  # approvals after the send time are picked up this fast
MISFIRE_GRACE = 30 * 60  # seconds: a fire up to 30 minutes late still runs (tick decides)


# --- the day's times ------------------------------------------------------------------


@dataclass(frozen=True)
class _DayTimes:
    """One list's moments on one local day, as UTC instants."""

    day: dt.date
    compose_at: dt.datetime
    send_at: dt.datetime
    deadline: dt.datetime


def _day_times(mailing_list: MailingList, day: dt.date) -> _DayTimes:
    tz = ZoneInfo(mailing_list.time_zone)

    def at(time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)

    return _DayTimes(
        day,
        at(mailing_list.compose_time),
        at(mailing_list.send_time),
        send_deadline(mailing_list, day),
    )


def _local_day(mailing_list: MailingList, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(mailing_list.time_zone)).date()


# --- what is due ----------------------------------------------------------------------


def tick(
    mailing_list: MailingList,
    now: dt.datetime,
    *,
    sender_factory: Callable[[], Sender] = configured_sender,
    notify: Notify = default_notify,
    clock: Clock | None = None,
    collect: Collect = collect_for,
) -> str:
    """Do what is due for the list's edition of today (in its time zone); returns what was
    done, for the log. Safe to call at any time, any number of times."""
    times = _day_times(mailing_list, _local_day(mailing_list, now))
    if now < times.compose_at:
        return "waiting for the compose time"
    edition = Edition.objects.filter(mailing_list=mailing_list, date=times.day).first()
    if edition is None:
        # Past the deadline (the server was down all morning) the edition is still composed,
        # so the editors have something to look at, but only to be refused below as too late.
        try:
            collected = collect(mailing_list, times.day)
            if collected is not None:
                log.info("%s: collected\n%s", mailing_list.slug, "\n".join(collected.lines()))
            edition = compose(mailing_list, times.day, now=now).edition
        except ComposeError as exc:
            log.warning("%s: %s", mailing_list.slug, exc)
            # Nothing to send this morning: say so once (not at every sweep or cron run).
            if now >= times.send_at and told_once(
                f"told:{mailing_list.slug}:{times.day}:not-composed", now
            ):
                notify(
                    None,
                    "not-composed",
                    f"NO EDITION: {mailing_list.name} {times.day:%Y-%m-%d} could not be composed",
                    f"{exc}\nThe scheduler tries again every few minutes until "
                    f"{_local(times.deadline, mailing_list)}.",
                )
            return f"not composed: {exc}"
        problem = _render_ahead(edition) + _summaries_needed(edition)
        if now < times.deadline:
            notify_once(
                edition,
                "ready",
                f"Draft ready: {mailing_list.name} {times.day:%Y-%m-%d}",
                f"{edition.subject}\n\nPreview and approve it on the desk: "
                f"{desk_url(edition)}\n" + _rule_line(mailing_list, times) + problem,
                notify,
            )
    if now < times.send_at:
        return "composed; waiting for the send time"
    return _send_due(edition, now, times, sender_factory, notify, clock)


def _summaries_needed(edition: Edition) -> str:
    """Stories none of whose sentences could be used: the editors are told at once, since the
    desk's warning only reaches those who open the edition."""
    missing = list(edition.items.filter(summary="").values_list("headline", flat=True))
    if not missing:
        return ""
    lines = "".join(f"\n  “{headline}”" for headline in missing)
    return (
        f"\nWARNING: {len(missing)} {'story needs' if len(missing) == 1 else 'stories need'} "
        f"a summary (no sentence of the story could be used); write it on the desk:{lines}\n"
    )


def _render_ahead(edition: Edition) -> str:
    """Render the new edition's variants now, at the compose time, and keep them: the send
    then only reads them (an editor's change, or approval, renders again what changed), and
    a template that fails is found while there is time to fix it. What to tell the editors."""
    try:
        kept_renderings.render_for_readers(edition)
    except RenderError as exc:
        log.warning("%s: %s", edition, exc)
        return (
            f"\nWARNING: the email cannot be rendered: {exc}. Fix the template "
            "(DIGEST_TEMPLATE_DIR) before the send time, or the send pauses.\n"
        )
    except DatabaseError as exc:
        # Only a head start: approval or the send renders what was not kept.
        log.warning("%s: the renderings could not be kept now (%s)", edition, exc)
    return ""


def _send_due(edition, now, times, sender_factory, notify, clock) -> str:
    mailing_list = edition.mailing_list
    status = edition.status
    if status in (Edition.Status.SENT, Edition.Status.CANCELLED):
        return f"nothing to do: {status}"
    started = sending_started(edition)
    late = now >= times.deadline or (edition.send_before is not None and now > edition.send_before)
    if late and not started:
        if EditLog.objects.filter(edition=edition, action="notified too-late").exists():
            return "too late: left to the editors"  # they were told; a resume is theirs
        pause(edition, f"too late: not started by {_local(times.deadline, mailing_list)}")
        notify_once(
            edition,
            "too-late",
            f"NOT SENT: {mailing_list.name} {times.day:%Y-%m-%d} is too late",
            f"Sending had not started by the deadline ({_local(times.deadline, mailing_list)})"
            f"; the scheduler will not send it.\nDecide on the desk: {desk_url(edition)}\n"
            f"(`digest resume {mailing_list.slug}/{times.day}` then `digest send` sends it "
            "anyway; cancel drops it.)",
            notify,
        )
        return "too late: not sent, editors told"
    if status == Edition.Status.PAUSED:
        return "paused: waiting for an operator"
    if mailing_list.approval == MailingList.Approval.REQUIRE and status == Edition.Status.DRAFT:
        notify_once(
            edition,
            "unapproved",
            f"Waiting for approval: {mailing_list.name} {times.day:%Y-%m-%d}",
            f"The send time ({_local(times.send_at, mailing_list)}) has passed and nobody has "
            f"approved it. Approve it before {_local(times.deadline, mailing_list)} and it goes "
            f"out within minutes: {desk_url(edition)}",
            notify,
        )
        return "held: waiting for approval"
    try:
        report = send_with_workers(edition, sender_factory(), clock=clock or SystemClock())
    except (DispatchError, FatalError) as exc:
        log.warning("%s: %s", edition, exc)
        return f"not sent: {exc}"
    if report.stopped:
        return f"sent {report.sent}, stopped: {report.stopped}"
    left = report.open
    groups = [
        (left.waiting, "waiting"),
        (left.deferred, "deferred"),
        (left.uncertain, "uncertain"),
        (left.held_readers, "held"),
    ]
    shown = ", ".join(f"{n} {name}" for n, name in groups if n)
    if shown:
        log.warning("%s: sent %s; open: %s", edition, report.sent, shown)
    return f"sent {report.sent}" + (f"; open: {shown}" if shown else "")


def _rule_line(mailing_list: MailingList, times: _DayTimes) -> str:
    rule = mailing_list.get_approval_display()
    return (
        f"Approval: {rule}. Send time {_local(times.send_at, mailing_list)}, "
        f"deadline {_local(times.deadline, mailing_list)}."
    )


def _local(moment: dt.datetime, mailing_list: MailingList) -> str:
    return f"{moment.astimezone(ZoneInfo(mailing_list.time_zone)):%H:%M %Z}"


# --- the scheduler ----------------------------------------------------------------------


class DailySchedule:
    """APScheduler wiring around ``tick``; ``clock`` and ``sender_factory`` are seams."""

    def __init__(
        self,
        clock: Clock | None = None,
        sender_factory: Callable[[], Sender] = configured_sender,
        notify: Notify = default_notify,
        holder: str | None = None,
        collect: Collect = collect_for,
    ) -> None:
        self.clock = clock or SystemClock()
        self.sender_factory = sender_factory
        self.notify = notify
        self.holder = holder or this_process()
        self.collect = collect
        self.busy: dict[int, threading.Lock] = {}
        self.scheduler = BlockingScheduler(timezone=dt.UTC)

    def run_list(self, list_id: int) -> str:
        """One list's tick; a tick already running for the list makes this one a no-op."""
        guard = self.busy.setdefault(list_id, threading.Lock())
        if not guard.acquire(blocking=False):
            return "busy"
        try:
            close_old_connections()  # this runs in APScheduler's worker threads
            mailing_list = MailingList.objects.get(pk=list_id)
            done = tick(
                mailing_list,
                self.clock.now(),
                sender_factory=self.sender_factory,
                notify=self.notify,
                clock=self.clock,
                collect=self.collect,
            )
            log.info("%s: %s", mailing_list.slug, done)
            return done
        finally:
            close_old_connections()
            guard.release()

    def sweep(self) -> dict[str, str]:
        """Every list once: catch-up at start, late approvals, lists added since start."""
        return {ml.slug: self.run_list(ml.pk) for ml in MailingList.objects.all()}

    def heartbeat(self) -> None:
        """Every minute: renew the lease and say we are alive (both in the database)."""
        now = self.clock.now()
        if not renew_lock(self.holder, now):
            log.error("the scheduler lock was taken over; stopping")
            self.scheduler.shutdown(wait=False)
            return
        beat(self.holder, now)

    def add_jobs(self) -> None:
        options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE}
        for ml in MailingList.objects.all():
            for what, time in (("compose", ml.compose_time), ("send", ml.send_time)):
                self.scheduler.add_job(
                    self.run_list,
                    CronTrigger(hour=time.hour, minute=time.minute, timezone=ml.time_zone),
                    args=[ml.pk],
                    id=f"{what}:{ml.slug}",
                    name=f"{what} {ml.slug} at {time:%H:%M} {ml.time_zone}",
                    **options,
                )
        self.scheduler.add_job(
            self.sweep, IntervalTrigger(seconds=SWEEP.total_seconds()), id="sweep", **options
        )
        self.scheduler.add_job(
            self.heartbeat,
            IntervalTrigger(seconds=HEARTBEAT.total_seconds()),
            id="heartbeat",
            **options,
        )

    def start(self, announce: Callable[[str], None] = log.info) -> None:
        """Take the lock (or raise LockHeld), catch up on today, then run until stopped."""
        acquire_lock(self.holder, self.clock.now())
        beat(self.holder, self.clock.now(), starting=True)
        try:
            self.add_jobs()
            for job in self.scheduler.get_jobs():
                announce(f"job: {job.name}")
            for slug, done in self.sweep().items():
                announce(f"{slug}: {done}")
            self.scheduler.start()
        finally:
            beat_stopped(self.holder, self.clock.now())
            release_lock(self.holder)
