"""Processes as the crash matrix sees them: which run, is a holder alive, kill it.

A run is started in a session of its own, so that SIGKILL can hit all its processes at once
(the first one and the helpers `--workers` starts), as when the machine, the container or
the service's cgroup goes down.

The harness becomes the "child subreaper" of what it starts (Linux ``prctl``): a helper
whose first process was killed becomes the harness's child, not init's, and the harness
reaps it only when the scenario ends. Until then the helper is a zombie: the pid exists and
``kill(pid, 0)`` succeeds on it, as it does under an init that reaps late or never (a
container whose first process is not an init). `digest send` must still see it is dead.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
HOST = socket.gethostname()


def state(pid: int) -> str:
    """The process's state letter from /proc (R, S, Z, ...), or "" when there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return text[text.rindex(")") + 2 :].split()[0]


def parent(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(text[text.rindex(")") + 2 :].split()[1])


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and parent(int(entry.name)) == pid:
            found.append(int(entry.name))
    return found


def alive(holder: str) -> bool:
    """A ``host:pid`` holder is a running process of this machine (not a zombie). Holders on
    another machine count as alive: nobody here can tell."""
    host, _, pid = holder.rpartition(":")
    if host != HOST or not pid.isdigit():
        return True
    return state(int(pid)) not in ("", "Z", "X")


def describe(holder: str) -> str:
    host, _, pid = holder.rpartition(":")
    if host != HOST or not pid.isdigit():
        return "elsewhere"
    letter = state(int(pid))
    return {"": "gone", "Z": "a zombie: dead, not yet reaped", "X": "gone"}.get(letter, "alive")


def kill(run: subprocess.Popen, target: str) -> list[int]:
    """SIGKILL ``target`` of a run: "run" every process of its session, "helper" its
    helpers only (the first process goes on). Returns the pids killed."""
    pids = [run.pid, *children(run.pid)]
    if target == "helper":
        pids = pids[1:]
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids
    with suppress(ProcessLookupError):
        os.killpg(run.pid, signal.SIGKILL)
    return pids


@contextmanager
def reaping_orphans() -> Iterator[list[int]]:
    """Make this process the subreaper of the runs it starts; on leaving, reap the orphans
    listed in the yielded list (helpers whose first process was killed) and stop being one."""
    orphans: list[int] = []
    libc = ctypes.CDLL(None, use_errno=True)
    subreaper = hasattr(libc, "prctl") and libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    try:
        yield orphans
    finally:
        for pid in orphans:
            # Killed with SIGKILL: each is dead or dies at once; waitpid only collects it.
            with suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)
        if subreaper:
            libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
