"""The local providers of the crash matrix, counting what they accept.

Counts come from here, not from the ledger: a SendGrid recipient counts when the Mail Send
server answers its request 202 (it was taken, whether or not the client lived to read the
answer), an SMTP message when the sink answers its DATA with 250. The kill points are read
from the same counts.

- SendGrid: the local Mail Send server (``digest/testing/sendgrid_api.py``: every request
  checked against the documented contract), its answers scripted here.
- SMTP: an aiosmtpd sink that keeps only the envelope (reading 60 KB messages is what it
  spends its time on).

In a storm the SendGrid server answers about 20% of requests 429 (with X-RateLimit-Reset or
Retry-After) and 5% 500, and rejects one request with 400; the SMTP sink defers about 3% of
messages with 451 and refuses a few addresses with 550 for good.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from digest.testing.sendgrid_api import Answer, SendGridAPI
from digest.testing.smtp_server import free_port

KEY = "SG.crash-matrix"
REJECTED_REQUEST = 3  # in a SendGrid storm this request is refused with 400
REFUSED = ("reader7@example.com", "reader11@example.com", "reader13@example.com")


class Tally:
    """Recipients a server took, and a way to wait until there are at least so many."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.accepted = 0
        self.changed = threading.Condition()

    def add(self, addresses: list[str]) -> None:
        with self.changed:
            self.received.update(addresses)
            self.accepted += len(addresses)
            self.changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` recipients were accepted (woken by each acceptance, with a
        short timeout so a caller can look at its process between two)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.accepted >= count, timeout)


@contextmanager
def sendgrid(storm: bool, rng: random.Random, slow: bool) -> Iterator[tuple[dict, Tally]]:
    """A Mail Send server; yields the environment that points `digest send` at it.
    ``slow``: each answer takes 0.3 ms per recipient (a 1,000-reader request 0.3 s), so a
    run lasts long enough for its helper to be sending when the kill comes."""
    tally = Tally()

    def script(number: int, body: dict) -> Answer | None:
        if storm:
            if number == REJECTED_REQUEST:
                return Answer(400, body={"errors": [{"message": "Invalid substitution"}]})
            roll = rng.random()
            if roll < 0.10:
                return Answer(429, {"X-RateLimit-Reset": str(int(time.time()) + 1)})
            if roll < 0.20:
                return Answer(429, {"X-RateLimit-Remaining": "0", "Retry-After": "1"})
            if roll < 0.25:
                return Answer(500, body={"errors": [{"message": "internal error"}]})
        tally.add([p["to"][0]["email"] for p in body["personalizations"]])
        return Answer(delay=0.0003 * len(body["personalizations"])) if slow else None  # 202

    with SendGridAPI(KEY, script=script, keep=False) as api:
        env = {"DIGEST_SENDER": "sendgrid", "SENDGRID_API_KEY": KEY, "SENDGRID_API_HOST": api.url}
        yield env, tally


class _Sink:
    """aiosmtpd handler: 250 for a message it keeps count of, 451 or 550 when scripted."""

    def __init__(self, tally: Tally, storm: bool, rng: random.Random) -> None:
        self.tally = tally
        self.storm = storm
        self.rng = rng

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.storm and address.lower() in REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.storm and self.rng.random() < 0.03:
            return "451 4.3.0 try again later"
        self.tally.add(list(envelope.rcpt_tos))
        return "250 Message accepted"


@contextmanager
def smtp(storm: bool, rng: random.Random, slow: bool) -> Iterator[tuple[dict, Tally]]:
    """An SMTP sink (``slow`` is for SendGrid: 60 KB messages keep a run long already)."""
    tally = Tally()
    port = free_port()
    controller = Controller(_Sink(tally, storm, rng), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield {"DIGEST_SENDER": "smtp", "SMTP_URL": f"smtp://127.0.0.1:{port}"}, tally
    finally:
        controller.stop()


def provider(sender: str, storm: bool, rng: random.Random, slow: bool = False):
    return {"sendgrid": sendgrid, "smtp": smtp}[sender](storm, rng, slow)
