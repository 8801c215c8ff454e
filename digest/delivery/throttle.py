"""How fast we may send: recipients per second, and a rolling quota for providers that cap.

The per-second limit is a token bucket in this process. The quota counts what was really
sent (Delivery.sent_at) in the last hour or day, across runs and workers, so a restart does
not reset it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import Clock
from ..models import Delivery

WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


class QuotaReached(Exception):
    """The provider's quota is used up for longer than we are willing to wait."""


@dataclass(frozen=True)
class Quota:
    limit: int
    window: dt.timedelta

    @classmethod
    def parse(cls, text: str) -> Quota | None:
        """'100000/day', '5000/hour' or '' (no quota)."""
        if not text.strip():
            return None
        count, _, unit = text.strip().partition("/")
        if unit not in WINDOWS or not count.isdigit() or int(count) < 1:
            raise ValueError(f"quota {text!r}: write it like 100000/day or 5000/hour")
        return cls(int(count), dt.timedelta(seconds=WINDOWS[unit]))


class RateLimiter:
    def __init__(
        self,
        clock: Clock,
        per_second: float = 0,
        quota: Quota | None = None,
        max_wait: float = 900,
    ) -> None:
        self.clock = clock
        self.per_second = per_second
        self.quota = quota
        self.max_wait = max_wait
        self.allowance = per_second
        self.last = clock.monotonic()

    def acquire(self, recipients: int) -> None:
        """Wait (through the clock) until ``recipients`` more may be sent now."""
        if self.quota:
            self._wait_for_quota(recipients)
        if self.per_second <= 0:
            return
        now = self.clock.monotonic()
        self.allowance = min(
            max(self.per_second, recipients), self.allowance + (now - self.last) * self.per_second
        )
        self.last = now
        if self.allowance < recipients:
            wait = (recipients - self.allowance) / self.per_second
            self.clock.sleep(wait)
            self.last = self.clock.monotonic()
            self.allowance = recipients
        self.allowance -= recipients

    def _wait_for_quota(self, recipients: int) -> None:
        quota = self.quota
        now = self.clock.now()
        start = now - quota.window
        sent = Delivery.objects.filter(sent_at__gt=start).count()
        if sent + recipients <= quota.limit:
            return
        # When will enough of the window's sends have aged out?
        excess = sent + recipients - quota.limit
        times = list(
            Delivery.objects.filter(sent_at__gt=start)
            .order_by("sent_at")
            .values_list("sent_at", flat=True)[excess - 1 : excess]
        )
        free_at = (times[0] + quota.window) if times else now + quota.window
        wait = (free_at - now).total_seconds()
        if wait > self.max_wait:
            raise QuotaReached(
                f"the quota of {quota.limit} recipients per "
                f"{int(quota.window.total_seconds() // 3600) or 1} h is used up until "
                f"{free_at:%Y-%m-%d %H:%M} UTC; run `digest send` again after that"
            )
        self.clock.sleep(max(0.0, wait))
