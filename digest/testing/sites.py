"""A digest installation in a folder whose verbs run as real `digest` processes: for the
command line, crash, multi-worker and server tests, and the benchmarks.

The database is a SQLite file per test, or, when DIGEST_TEST_POSTGRES names a server
(``postgres://user@host:port``), a fresh PostgreSQL database per test.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

DIGEST = Path(sys.executable).with_name("digest")
ROOT = Path(__file__).resolve().parents[2]  # the checkout: processes run there (bench.phases)
# Everything a deployment configures: none of the calling process's values may leak into a site.
OURS = ("DJANGO_", "DIGEST_", "DATABASE_", "SITE_URL", "SMTP_", "SENDGRID_", "SUBSCRIBE_")


# Outside a test run (the crash matrix, `python -m bench.crash`), the processes of one run
# share a key of their own.
_RUN_KEY = secrets.token_urlsafe(50)


def clean_env(**env: str) -> dict[str, str]:
    """This process's environment with none of our settings in it, and ``env`` added."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith(OURS)}, **env}


def base_env() -> dict[str, str]:
    """The environment for a `digest` process: none of ours leaks in, but the test run's
    secret key does (a server refuses to start without one), so the links a process signs
    open in this one."""
    from django.conf import settings

    return clean_env(DJANGO_SECRET_KEY=settings.SECRET_KEY if settings.configured else _RUN_KEY)


class Site:
    """A digest installation in a folder: environment, database, and a way to run verbs."""

    def __init__(self, folder: Path, *, template: str = "", **env: str) -> None:
        self.folder = folder
        base = base_env()
        self.database = database_url(folder, template)
        self.env = {
            **base,
            "DIGEST_HOME": str(folder),
            "DATABASE_URL": self.database,
            "DIGEST_OUTBOX_DIR": str(folder / "outbox"),
            "SITE_URL": "https://news.example.com",
            "DJANGO_SETTINGS_MODULE": "digest.settings",
            **env,
        }

    def prepare(self, readers: int) -> None:
        """Migrate, load the demo, add synthetic readers, compose the English edition."""
        self.phase("setup", readers)

    def phase(self, name: str, readers: int) -> None:
        """One of ``bench.phases`` (setup, approve, ...) run against this site."""
        subprocess.run(
            [sys.executable, "-m", "bench.phases", name, str(readers)],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=600,
        )

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen(
            [str(DIGEST), *args],
            env={**self.env, **env},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(DIGEST), *args],
            env={**self.env, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def clone(self, folder: Path, **env: str) -> Site:
        """A site in ``folder`` whose database starts as a copy of this one's, made by the
        database itself (SQLite's backup; PostgreSQL: CREATE DATABASE ... TEMPLATE): a set-up
        built once serves many runs."""
        if self.database.startswith("sqlite"):
            import sqlite3

            site = Site(folder, **env)
            source = sqlite3.connect(self.database.removeprefix("sqlite:///"))
            target = sqlite3.connect(site.database.removeprefix("sqlite:///"))
            with source, target:
                source.backup(target)
            source.close()
            target.close()
            return site
        return Site(folder, template=self.database.rpartition("/")[2], **env)

    def drop(self) -> None:
        """Remove a PostgreSQL database made for this site (SQLite files go with tmp_path)."""
        if self.database.startswith("postgres"):
            import psycopg

            server, _, name = self.database.rpartition("/")
            with psycopg.connect(f"{server}/postgres", autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def query(self, sql: str) -> list[tuple]:
        """Read the site's database directly (the test process has its own)."""
        if self.database.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(self.database.removeprefix("sqlite:///")) as db:
                return db.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.database) as db:
            return db.execute(sql).fetchall()


def database_url(folder: Path, template: str = "") -> str:
    """A new database for a site: empty, or on PostgreSQL a copy of ``template``."""
    server = os.environ.get("DIGEST_TEST_POSTGRES", "")
    if not server:
        return f"sqlite:///{folder}/site.sqlite3"
    import psycopg

    name = f"digest_proc_{uuid.uuid4().hex[:10]}"
    create = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as db:
        # A template must have no sessions: those of processes that just ended may still be
        # closing on the server's side for a moment.
        for attempt in range(100):
            try:
                db.execute(create)
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 99:
                    raise
                time.sleep(0.1)
    return f"{server}/{name}"
