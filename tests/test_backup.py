"""`digest backup`: a copy taken while a real `digest send` process writes, restored and read
back; and the pg_dump advice on PostgreSQL."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time

import pytest

from digest.testing.sendgrid_api import Answer, SendGridAPI
from digest.testing.sites import Site
from digest.testing.web_server import SECRET_KEY

KEY = "SG.backup-key"
EDITION = "morning-en/2026-11-24"
BATCH = 100


def wait_for(condition, timeout: float = 120.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.skipif(bool(os.environ.get("DIGEST_TEST_POSTGRES")), reason="SQLite's backup")
def test_a_backup_taken_during_a_send_is_consistent_and_restores(tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    # Each request waits at the provider, so the send lasts seconds: time to back up in it.
    with SendGridAPI(KEY, script=lambda n, body: Answer(delay=0.15)) as api:
        site = Site(
            live,
            DIGEST_SENDER="sendgrid",
            SENDGRID_API_KEY=KEY,
            SENDGRID_API_HOST=api.url,
            DJANGO_SECRET_KEY=SECRET_KEY,
        )
        site.prepare(3000)
        sending = site.start("send", "--edition", EDITION, "--batch-size", str(BATCH))

        def sent() -> int:
            return site.query("SELECT count(*) FROM digest_delivery WHERE state = 'sent'")[0][0]

        wait_for(lambda: sent() >= 3 * BATCH or sending.poll() is not None, what="the send")
        copy = tmp_path / "backups" / "during-send.sqlite3"
        copy.parent.mkdir()
        backup = site.run("backup", str(copy))
        still_sending = sending.poll() is None
        _, err = sending.communicate(timeout=300)
    assert backup.returncode == 0, backup.stderr
    assert sending.returncode == 0, err
    assert still_sending, "the send ended before the backup did: nothing was proven"
    assert "integrity" in backup.stdout and "ok" in backup.stdout

    assert copy.stat().st_mode & 0o777 == 0o600  # every reader's address is in it
    assert not copy.with_name(copy.name + "-wal").exists()
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        states = dict(db.execute("SELECT state, count(*) FROM digest_delivery GROUP BY state"))
        total = db.execute("SELECT count(*) FROM digest_delivery").fetchone()[0]
        unrecorded_sent = db.execute(
            "SELECT count(*) FROM digest_delivery WHERE state = 'sent' "
            "AND (sent_at IS NULL OR provider_id = '')"
        ).fetchone()[0]
        edition_status = db.execute("SELECT status FROM digest_edition").fetchone()[0]
    final = dict(site.query("SELECT state, count(*) FROM digest_delivery GROUP BY state"))
    enqueued = sum(final.values())
    # The whole frozen audience is in the copy: the enqueue is one transaction.
    assert total == enqueued and sum(states.values()) == total
    assert set(states) <= {"pending", "sending", "sent", "skipped"}, states
    # A moment in the middle of the send: some sent, not all, each with its provider's id.
    assert 3 * BATCH <= states["sent"] < final["sent"]
    assert unrecorded_sent == 0
    assert states.get("sending", 0) <= 2 * BATCH  # the batch with the provider, the next
    assert states.get("skipped", 0) == final.get("skipped", 0)
    assert edition_status == "sending"

    # Restore as README says: the copy becomes a site's database file, and digest reads it.
    restored_home = tmp_path / "restored"
    restored_home.mkdir()
    restored = Site(restored_home, DJANGO_SECRET_KEY=SECRET_KEY)
    shutil.copy(copy, restored.database.removeprefix("sqlite:///"))
    status = restored.run("status", EDITION)
    assert status.returncode == 0, status.stderr
    assert re.search(rf"\bsent\W+{states['sent']}\b", status.stdout), status.stdout
    check = restored.run("migrate", "--check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_backup_never_overwrites_and_names_what_to_do(tmp_path):
    site = Site(tmp_path, DJANGO_SECRET_KEY=SECRET_KEY)
    assert site.run("migrate", "-v", "0").returncode == 0
    folder = tmp_path / "nightly"
    folder.mkdir()
    first = site.run("backup", str(folder))  # a folder: a dated file inside
    assert first.returncode == 0, first.stderr
    (made,) = folder.iterdir()
    assert made.name.startswith("digest-") and made.suffix == ".sqlite3"
    again = site.run("backup", str(made))
    assert again.returncode == 1
    assert f"{made} exists: give another file name, or a folder" in again.stderr
    missing = site.run("backup", str(tmp_path / "no-such-folder" / "x.sqlite3"))
    assert missing.returncode == 1
    assert "no-such-folder is not a folder: create it first" in missing.stderr


def test_on_postgresql_it_prints_the_pg_dump_command(tmp_path):
    site = Site(tmp_path, DJANGO_SECRET_KEY=SECRET_KEY)
    done = site.run(
        "backup",
        "/srv/backups/digest.dump",
        DATABASE_URL="postgres://digest:secret@db.internal:5433/news",
    )
    assert done.returncode == 1
    assert (
        "pg_dump --format=custom --no-owner --file=/srv/backups/digest.dump "
        "--host=db.internal --port=5433 --username=digest news"
    ) in done.stderr
    assert "pg_restore --clean --if-exists --no-owner" in done.stderr
    assert "secret" not in done.stderr  # the password stays in PGPASSWORD or ~/.pgpass
