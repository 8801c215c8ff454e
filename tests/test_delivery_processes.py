"""Whole `digest send` processes: killed with SIGKILL mid-send, and two at once on one edition.

The SendGrid path runs against the local Mail Send API; each process has the real CLI, the
real database (a SQLite file, or PostgreSQL when DIGEST_TEST_POSTGRES is set) and nothing
shared with the test but that server.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import signal
import threading
import time

import pytest

from digest.testing.sendgrid_api import Answer, SendGridAPI
from digest.testing.sites import Site
from digest.testing.smtp_server import Handler, SmtpServer

KEY = "SG.process-key"
EDITION = "morning-en/2026-11-24"


@pytest.fixture
def site_for(tmp_path):
    made: list[Site] = []

    def make(api: SendGridAPI, readers: int) -> Site:
        site = Site(
            tmp_path, DIGEST_SENDER="sendgrid", SENDGRID_API_KEY=KEY, SENDGRID_API_HOST=api.url
        )
        made.append(site)
        site.prepare(readers)
        return site

    yield make
    for site in made:
        site.drop()


def received(api: SendGridAPI) -> collections.Counter:
    """Addresses the provider took (it answered 202 or would have: the client may be dead)."""
    return collections.Counter(
        p["to"][0]["email"]
        for r in api.requests
        if r.answer.status == 202
        for p in r.body["personalizations"]
    )


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def test_killed_runs_never_send_twice_and_leave_only_uncertain_rows(site_for):
    # While we kill, each request takes 0.3 s at the provider: time to kill a run mid-request.
    with SendGridAPI(KEY, script=lambda n, body: Answer(delay=0.3 if n <= 12 else 0)) as api:
        site = site_for(api, readers=600)
        kills = 0
        for stop_after in (2, 5, 9):
            run = site.start("send", "--edition", EDITION, "--batch-size", "40")
            wait_for(lambda n=stop_after: len(api.requests) >= n)
            os.kill(run.pid, signal.SIGKILL)
            run.communicate(timeout=30)
            kills += 1
        final = site.run("send", "--edition", EDITION, "--batch-size", "40")
        # Done but for the uncertain readers, which wait for an operator's decision: exit 3.
        assert final.returncode == 3, final.stderr
        assert "`digest resend-uncertain morning-en/2026-11-24`" in " ".join(final.stdout.split())

    counts = received(api)
    assert max(counts.values()) == 1, "a reader got the edition twice"
    states = dict(site.query("SELECT state, COUNT(*) FROM digest_delivery GROUP BY state"))
    uncertain = states.get("uncertain", 0)
    assert 0 < uncertain <= kills * 40
    assert states["sent"] + uncertain == 604
    # Every reader not marked sent is one of the reported uncertain ones, nothing else.
    assert "uncertain (a run died holding them)" in final.stdout
    sent = {row[0] for row in site.query("SELECT email FROM digest_delivery WHERE state='sent'")}
    assert sent <= set(counts)


def test_two_workers_share_an_edition_and_send_each_reader_once(site_for):
    with SendGridAPI(KEY, script=lambda n, body: Answer(delay=0.02)) as api:
        site = site_for(api, readers=2000)
        # Enqueue first so both workers find the same frozen audience.
        workers = [site.start("send", "--edition", EDITION, "--batch-size", "50") for _ in range(2)]
        outputs = [w.communicate(timeout=300) for w in workers]
    for worker, (out, err) in zip(workers, outputs, strict=True):
        # One that ends while the other still holds a batch says so, with exit 3.
        assert worker.returncode in (0, 3), err
        assert (worker.returncode == 3) == ("held by" in out), out
    counts = received(api)
    assert len(counts) == 2004 and max(counts.values()) == 1
    assert site.query("SELECT state, COUNT(*) FROM digest_delivery GROUP BY state") == [
        ("sent", 2004)
    ]
    # Both did part of the work.
    sent_by_each = [int(out.split("sent now")[1].split("│")[1]) for out, _ in outputs]
    assert sum(sent_by_each) == 2004 and min(sent_by_each) > 0


def test_workers_flag_starts_helpers_that_share_the_edition(site_for):
    # Slow answers at first: alone, the first process would need 4 s, long enough for its
    # helpers to start (a Python process with Django) and take their share.
    with SendGridAPI(KEY, script=lambda n, body: Answer(delay=0.2 if n <= 20 else 0)) as api:
        site = site_for(api, readers=1500)
        run = site.run(
            "send",
            "--edition",
            EDITION,
            "--batch-size",
            "50",
            "--workers",
            "3",
            DIGEST_READERS_PER_WORKER="500",
        )
    assert run.returncode == 0, run.stderr
    counts = received(api)
    assert len(counts) == 1504 and max(counts.values()) == 1
    assert site.query("SELECT state, COUNT(*) FROM digest_delivery GROUP BY state") == [
        ("sent", 1504)
    ]
    # One summary for all three processes, and the helpers really sent some of it.
    assert int(run.stdout.split("sent now")[1].split("│")[1]) == 1504
    assert re.search(r"sending processes\s+│\s+3 │", run.stdout)
    claimed_by = site.query("SELECT COUNT(DISTINCT claimed_by) FROM digest_delivery")
    assert claimed_by[0][0] >= 2


class HoldingSink(Handler):
    """An SMTP sink that accepts ``accept`` messages, then holds the next one unanswered
    until told to let go: a point at which to kill the sender mid-batch, without timing."""

    def __init__(self, accept: int) -> None:
        super().__init__()
        self.accept = accept
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) == self.accept and not self.release.is_set():
            self.held = list(envelope.rcpt_tos)
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


def test_a_killed_smtp_run_leaves_only_the_message_in_flight_uncertain(tmp_path):
    """SMTP answers each message: a kill in the middle of a 500-message batch leaves one
    reader uncertain (the message the relay had), not the batch."""
    sink = HoldingSink(accept=137)
    with SmtpServer(sink) as server:
        site = Site(tmp_path, DIGEST_SENDER="smtp", SMTP_URL=server.url)
        try:
            site.prepare(600)
            run = site.start("send", "--edition", EDITION, "--batch-size", "500")
            assert sink.holding.wait(120), run.communicate(timeout=5)
            os.kill(run.pid, signal.SIGKILL)
            run.communicate(timeout=30)
            sink.release.set()  # the relay finishes that message: the reader gets it

            again = site.run("send", "--edition", EDITION, "--batch-size", "500")
            assert again.returncode == 3, again.stderr  # one reader needs a decision
            states = dict(site.query("SELECT state, COUNT(*) FROM digest_delivery GROUP BY state"))
            assert states == {"sent": 603, "uncertain": 1}
            (uncertain,) = site.query("SELECT email FROM digest_delivery WHERE state='uncertain'")
            # The uncertain one is the message the relay held when the run was killed (this
            # sink dropped it with the connection; a relay may also have delivered it).
            assert sink.held == [uncertain[0]]
            received = collections.Counter(rcpts[0] for rcpts, _ in sink.messages)
            assert len(received) == 603 and max(received.values()) == 1
            assert uncertain[0] not in received
            assert "1 uncertain" in " ".join(again.stdout.split())

            site.run("resend-uncertain", EDITION)
            last = site.run("send", "--edition", EDITION)
            assert last.returncode == 0, last.stdout
            received = collections.Counter(rcpts[0] for rcpts, _ in sink.messages)
            assert len(received) == 604 and max(received.values()) == 1
        finally:
            site.drop()
