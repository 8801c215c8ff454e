"""What the crash matrix reads from a site's database, in plain SQL: the harness runs the
product only through its CLI, and reads its ledger the way an operator's query would.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from digest.testing.sites import Site

from . import processes


@dataclass(frozen=True)
class Row:
    email: str
    state: str
    last_error: str
    claimed_by: str
    lease_until: dt.datetime | None


@dataclass(frozen=True)
class Ledger:
    """One look at an edition's deliveries."""

    rows: tuple[Row, ...]

    @property
    def states(self) -> Counter[str]:
        return Counter(r.state for r in self.rows)

    def emails(self, *states: str) -> set[str]:
        return {r.email for r in self.rows if r.state in states}

    def deferred_until(self) -> dt.datetime | None:
        """The earliest time a waiting reader is due again, if one waits."""
        now = dt.datetime.now(dt.UTC)
        later = [
            r.lease_until
            for r in self.rows
            if r.state == "pending" and r.lease_until and r.lease_until > now
        ]
        return min(later) if later else None

    def holders(self) -> Counter[str]:
        """Readers in ``sending``, by the process that claimed them."""
        return Counter(r.claimed_by for r in self.rows if r.state == "sending")

    def unsettled(self) -> bool:
        """Readers a further `digest send` could still move: waiting or claimed."""
        return bool(self.states["pending"] or self.states["sending"])

    def due_now(self) -> bool:
        """Something a `digest send` started now could take: a waiting reader whose time
        has come, or readers held by a process that no longer runs."""
        now = dt.datetime.now(dt.UTC)
        for r in self.rows:
            if r.state == "pending" and (r.lease_until is None or r.lease_until <= now):
                return True
            if r.state == "sending" and not processes.alive(r.claimed_by):
                return True
        return False

    def describe_left(self) -> str:
        """The readers not settled, in words: how many, in which state, held by whom."""
        parts = []
        states = self.states
        if states["pending"]:
            until = self.deferred_until()
            when = f", deferred until {until:%H:%M:%S} UTC" if until else ""
            parts.append(f"{states['pending']} pending{when}")
        if states["sending"]:
            held = ", ".join(
                f"{n} by {holder} ({processes.describe(holder)})"
                for holder, n in self.holders().most_common()
            )
            parts.append(f"{states['sending']} sending (held {held})")
        if states["uncertain"]:
            parts.append(f"{states['uncertain']} uncertain")
        return "; ".join(parts)


def edition_id(site: Site) -> int:
    (row,) = site.query("SELECT id FROM digest_edition")
    return int(row[0])


def read(site: Site, edition: int) -> Ledger:
    rows = site.query(
        "SELECT email, state, last_error, claimed_by, lease_until FROM digest_delivery "
        f"WHERE edition_id = {int(edition)}"
    )
    return Ledger(
        tuple(Row(e, s, err or "", by or "", _utc(until)) for e, s, err, by, until in rows)
    )


def uncertain_count(site: Site, edition: int) -> int:
    (row,) = site.query(
        "SELECT COUNT(*) FROM digest_delivery "
        f"WHERE edition_id = {int(edition)} AND state = 'uncertain'"
    )
    return int(row[0])


def _utc(value) -> dt.datetime | None:
    """A stored time: text on SQLite (UTC, as Django writes it), aware on PostgreSQL."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
