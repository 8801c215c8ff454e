"""`digest schedule`: run the daily schedule in the foreground (systemd keeps it alive)."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandError

from ...lease import LockHeld, acquire_lock, beat, release_lock
from ...schedule import DailySchedule


class Command(BaseCommand):
    help = (
        "Compose and send every list at its own compose and send times (in its time zone), "
        "by its approval rule; runs until stopped. Only one may run at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do what is due now for every list, print it, and exit (for cron).",
        )

    def handle(self, *args, once=False, **options):
        schedule = DailySchedule()
        if once:
            try:
                acquire_lock(schedule.holder, schedule.clock.now())
            except LockHeld as exc:
                raise CommandError(str(exc)) from exc
            # From cron every five minutes: each run is a beat (DIGEST_HEARTBEAT_MAX_AGE
            # allows for the gap between runs).
            beat(schedule.holder, schedule.clock.now(), starting=True)
            try:
                for slug, done in schedule.sweep().items():
                    self.stdout.write(f"{slug}: {done}")
            finally:
                release_lock(schedule.holder)
            return
        self.stdout.write("Scheduler starting (Ctrl-C stops it).")
        # systemd stops with SIGTERM: leave through the same path as Ctrl-C, releasing the lock.
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            schedule.start(announce=self.stdout.write)
        except LockHeld as exc:
            raise CommandError(f"not starting: {exc}") from exc
        except (KeyboardInterrupt, SystemExit):
            self.stdout.write("Scheduler stopped.")
        finally:
            signal.signal(signal.SIGTERM, previous)


def _stop(signum, frame):
    raise SystemExit(0)
