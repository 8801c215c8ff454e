"""Processes named ``host:pid``: this one, and whether another one is known to be gone.

A delivery claim and the scheduler's lock both record their holder this way, so that a
restart on the same machine can tell at once that the holder died, without waiting for its
lease to run out.
"""

from __future__ import annotations

import os
import socket


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def gone(holder: str) -> bool:
    """True for a process of this machine that no longer exists. A holder on another machine
    (or not named ``host:pid``) cannot be checked from here and counts as alive."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, under another user
    return False
