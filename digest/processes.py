"""Processes named ``host:pid``: this one, and whether another one is known to be gone.

A delivery claim and the scheduler's lock both record their holder this way, so that a
restart on the same machine can tell at once that the holder died, without waiting for its
lease to run out.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

PROC = Path("/proc")
# A start time read from /proc drifts from the wall clock by whatever the clock was stepped
# since boot: only a process started clearly after the claim is taken for another one.
SLACK = 120.0


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def gone(holder: str, since: dt.datetime | None = None) -> bool:
    """True for a process of this machine that no longer runs: it does not exist, it is a
    zombie (killed, not yet reaped by its parent: ``kill(pid, 0)`` still succeeds on one), or
    its pid now belongs to a process started after ``since`` (the moment the holder was
    known to be alive, such as its claim), so not the holder. A holder on another machine
    (or not named ``host:pid``) cannot be checked from here and counts as alive."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # it exists, under another user: /proc still tells its state
    stat = _stat(int(pid))
    if stat is None:
        return False  # no /proc (not Linux): existing is all we know
    state, started = stat
    if state in {"Z", "X"}:
        return True
    return since is not None and started is not None and started > since.timestamp() + SLACK


def _stat(pid: int) -> tuple[str, float | None] | None:
    """A process's state letter and start time (seconds since the epoch), from /proc."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return ("X", None) if PROC.is_dir() else None
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or parentheses.
    fields = text[text.rindex(")") + 2 :].split()
    state, ticks = fields[0], fields[19]  # fields 3 and 22 of proc(5)
    boot = _boot_time()
    if boot is None:
        return state, None
    return state, boot + int(ticks) / os.sysconf("SC_CLK_TCK")


def _boot_time() -> float | None:
    try:
        for line in (PROC / "stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
    except OSError:
        pass
    return None
