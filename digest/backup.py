"""A consistent copy of the SQLite database while it is in use, through SQLite's online
backup API; for PostgreSQL, the ``pg_dump`` command to run instead.

The copy is taken in steps (a progress bar can follow it) inside one read transaction held
on the source: in WAL mode that transaction sees one snapshot, so every step copies pages of
the same moment while a send goes on writing. Without it SQLite restarts the copy whenever
another process commits, and a busy database would never finish. The copy is written beside
the target under a temporary name, checked (``PRAGMA integrity_check``), switched out of WAL
(one self-contained file) and only then renamed into place; it is readable by its owner only,
since it holds every reader's address.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PAGES_PER_STEP = 1024  # 4 MB of 4 KB pages between two progress reports
COUNTED = {
    "readers": "subscribers_subscriber",
    "subscriptions": "subscribers_subscription",
    "editions": "digest_edition",
    "deliveries": "digest_delivery",
    "events": "digest_event",
}


class BackupError(Exception):
    """The backup cannot be made; the message names the path and what to do."""


@dataclass
class BackupReport:
    path: Path
    pages: int
    size: int
    seconds: float
    integrity: str
    counts: dict[str, int] = field(default_factory=dict)


def target_for(path: Path, now: dt.datetime) -> Path:
    """A folder gets a dated file inside it (for timers); a file name is used as it is,
    but never over an existing file."""
    if path.is_dir():
        path = path / f"digest-{now:%Y%m%d-%H%M%S}.sqlite3"
    if path.exists():
        raise BackupError(f"{path} exists: give another file name, or a folder for a dated one")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a folder: create it first")
    return path


def backup_sqlite(
    source: Path,
    target: Path,
    on_progress: Callable[[int, int], None] = lambda done, total: None,
    pages_per_step: int = PAGES_PER_STEP,
) -> BackupReport:
    """Copy ``source`` to ``target`` (which must not exist) while others write to it;
    ``on_progress(bytes copied, bytes in all)`` after each step."""
    if not source.is_file():
        raise BackupError(f"no database at {source}: check DATABASE_URL and DIGEST_HOME")
    started = time.monotonic()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        src = sqlite3.connect(source, timeout=20, isolation_level=None)
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            src.execute("BEGIN")  # one snapshot for every step (see the module's docstring)
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()
            page_size = src.execute("PRAGMA page_size").fetchone()[0]

            def progress(status: int, remaining: int, total: int) -> None:
                on_progress((total - remaining) * page_size, total * page_size)

            src.backup(dst, pages=pages_per_step, progress=progress)
            src.execute("COMMIT")
            dst.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            integrity = "; ".join(r[0] for r in dst.execute("PRAGMA integrity_check"))
            pages = dst.execute("PRAGMA page_count").fetchone()[0]
            counts = _counts(dst)
        finally:
            src.close()
            dst.close()
        if integrity != "ok":
            raise BackupError(f"the copy of {source} failed its integrity check: {integrity}")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(
        path=target,
        pages=pages,
        size=target.stat().st_size,
        seconds=time.monotonic() - started,
        integrity=integrity,
        counts=counts,
    )


def _counts(db: sqlite3.Connection) -> dict[str, int]:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {
        label: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for label, table in COUNTED.items()
        if table in tables
    }


def pg_dump_command(database: dict, target: Path) -> str:
    """The command that backs up this PostgreSQL database (the password: PGPASSWORD or
    ~/.pgpass, never on a command line)."""
    args = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args.append(f"{option}={database[key]}")
    args.append(str(database["NAME"]))
    return shlex.join(args)


def pg_restore_command(database: dict, source: Path) -> str:
    args = ["pg_restore", "--clean", "--if-exists", "--no-owner"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args.append(f"{option}={database[key]}")
    args += [f"--dbname={database['NAME']}", str(source)]
    return shlex.join(args)
