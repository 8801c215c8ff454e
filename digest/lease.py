"""One scheduler at a time: a lease in ``digest.models.Lock``, renewed every minute, makes a
second scheduler refuse to start, naming the holder; a holder on this machine that died
(``digest.processes``) is replaced at once. Beside it, the heartbeat (``Heartbeat``) the
desk and ``/healthz`` read: when the scheduler last showed it was alive.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import DatabaseError, IntegrityError, transaction

from .models import Heartbeat, Lock
from .processes import gone

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler"
LOCK_TTL = dt.timedelta(minutes=5)  # a crashed scheduler blocks a new one at most this long


class LockHeld(Exception):
    """Another scheduler holds the lease; the message names it and when the lease ends."""


# --- the lease ------------------------------------------------------------------------


def acquire_lock(holder: str, now: dt.datetime, name: str = LOCK_NAME) -> Lock:
    """Take the lease, or raise ``LockHeld`` if a live process of another holder has it.

    A lease of a dead process on this machine is taken over at once; one of another machine
    only when it has expired.
    """
    try:
        with transaction.atomic():
            lock = Lock.objects.select_for_update().filter(name=name).first()
            if lock and lock.holder != holder and lock.expires_at > now and not gone(lock.holder):
                raise LockHeld(
                    f"another scheduler is running ({lock.holder}, lease until "
                    f"{lock.expires_at:%Y-%m-%d %H:%M:%S} UTC): only one may run; stop it, or "
                    "wait for its lease to expire if it died"
                )
            if lock is None:
                lock = Lock.objects.create(name=name, holder=holder, expires_at=now + LOCK_TTL)
            else:
                lock.holder, lock.expires_at = holder, now + LOCK_TTL
                lock.save()
            return lock
    except IntegrityError:  # another process created the row between our read and write
        raise LockHeld(f"another scheduler took the {name!r} lock just now") from None


def renew_lock(holder: str, now: dt.datetime, name: str = LOCK_NAME) -> bool:
    """Extend our lease; False if someone else holds it now (we must stop)."""
    return bool(Lock.objects.filter(name=name, holder=holder).update(expires_at=now + LOCK_TTL))


def release_lock(holder: str, name: str = LOCK_NAME) -> None:
    Lock.objects.filter(name=name, holder=holder).delete()


# --- the heartbeat ----------------------------------------------------------------------


def beat(holder: str, now: dt.datetime, *, starting: bool = False, name: str = LOCK_NAME) -> None:
    """Record that the scheduler is alive now (at its start, every minute, at each
    ``--once``); ``/healthz`` and the desk read it. A write that fails (the database busy
    with a send for longer than its timeout) is only logged: the next minute writes again."""
    try:
        updated = 0
        if not starting:
            updated = Heartbeat.objects.filter(name=name, holder=holder).update(
                beat_at=now, stopped_at=None
            )
        if not updated:
            Heartbeat.objects.update_or_create(
                name=name,
                defaults={"holder": holder, "started_at": now, "beat_at": now, "stopped_at": None},
            )
    except DatabaseError as exc:
        log.warning("could not record the scheduler's heartbeat: %s", exc)


def beat_stopped(holder: str, now: dt.datetime, name: str = LOCK_NAME) -> None:
    """A clean stop: the last beat is now, and the row says it stopped on purpose."""
    try:
        Heartbeat.objects.filter(name=name, holder=holder).update(beat_at=now, stopped_at=now)
    except DatabaseError as exc:
        log.warning("could not record the scheduler's stop: %s", exc)
