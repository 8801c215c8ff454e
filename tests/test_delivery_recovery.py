"""After a crash: dead runs' claims settled at any size, dead processes told from live ones,
and runs that end saying truthfully what they leave open (exit codes, one line per group)."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import socket
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from digest.clock import FakeClock
from digest.compose import compose
from digest.delivery import ledger
from digest.delivery.dispatch import SendOptions, send_edition
from digest.delivery.senders import MemorySender
from digest.demo import DEMO_DAY
from digest.models import Delivery, Edition, Handoff
from digest.processes import gone, this_process
from subscribers.models import MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db
DEAD = f"{socket.gethostname()}:999999999"  # a process of this machine that does not exist
REF = f"morning-en/{DEMO_DAY}"


def edition_with_readers(extra: int = 0) -> Edition:
    english = MailingList.objects.get(slug="morning-en")
    people = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com") for n in range(extra)
    )
    Subscription.objects.bulk_create(
        Subscription(subscriber=p, mailing_list=english, status="confirmed") for p in people
    )
    target = compose(english, DEMO_DAY).edition
    ledger.enqueue(target)
    return target


def claim_all_for(target: Edition, holder: str, lease: dt.datetime) -> list[Delivery]:
    """Every row of the edition claimed by ``holder``, each at its own moment (as batches of
    one would be): the shape that used to give the recovery one condition per row."""
    base = dt.datetime(2026, 11, 24, 13, tzinfo=dt.UTC)
    rows = list(Delivery.objects.filter(edition=target).order_by("id"))
    for n, row in enumerate(rows):
        row.state, row.claimed_by, row.attempts = "sending", holder, 1
        row.claimed_at, row.lease_until = base + dt.timedelta(seconds=n), lease
    Delivery.objects.bulk_update(
        rows, ["state", "claimed_by", "attempts", "claimed_at", "lease_until"], batch_size=500
    )
    return rows


def states(target: Edition) -> dict[str, int]:
    return {k: v for k, v in ledger.counts(target).items() if v}


def test_a_dead_run_holding_thousands_of_claims_is_settled_in_one_go(demo):
    target = edition_with_readers(1_500)
    rows = claim_all_for(target, DEAD, lease=timezone.now() + dt.timedelta(days=1))
    # Half of them (by claim) were handed to the provider as whole batches.
    Handoff.objects.bulk_create(
        Handoff(edition=target, claimed_by=DEAD, claimed_at=row.claimed_at) for row in rows[::2]
    )
    sender = MemorySender()
    report = send_edition(target, sender, options=SendOptions(batch_size=1000), clock=FakeClock())
    handed = len(rows[::2])
    assert (report.uncertain, report.returned) == (handed, len(rows) - handed)
    assert report.sent == len(rows) - handed
    assert {m.to for m in sender.sent}.isdisjoint({r.email for r in rows[::2]})
    assert states(target) == {"sent": len(rows) - handed, "uncertain": handed}
    # Waiting for the rows to be given back took nothing: their claims' attempts are undone.
    returned = Delivery.objects.filter(pk=rows[1].pk).get()
    assert returned.attempts == 1


def test_the_cli_finishes_an_edition_a_dead_run_left_with_1000_claimed_rows(demo):
    """The issue's reproduction: 1,000+ rows `sending`, one dead holder, distinct claim
    times, no handoff, then `digest send`."""
    target = edition_with_readers(1_000)
    claim_all_for(target, DEAD, lease=timezone.now() + dt.timedelta(days=1))
    out = io.StringIO()
    call_command("send", "--edition", REF, stdout=out)  # exits 0: raises nothing
    assert states(target) == {"sent": 1_004}
    assert "back to waiting (a dead run claimed them, never sent)" in out.getvalue()
    assert Edition.objects.get(pk=target.pk).status == "sent"


def test_a_per_message_handoff_leaves_only_the_message_in_flight_uncertain(demo):
    target = edition_with_readers(20)
    rows = list(Delivery.objects.filter(edition=target).order_by("id"))
    claimed_at = dt.datetime(2026, 11, 24, 13, tzinfo=dt.UTC)
    Delivery.objects.filter(edition=target).update(
        state="sending", claimed_by=DEAD, claimed_at=claimed_at, attempts=1
    )
    # The relay answered the first five (recorded), the sixth was with it when the run died.
    Delivery.objects.filter(pk__in=[r.pk for r in rows[:5]]).update(state="sent")
    Handoff.objects.create(
        edition=target,
        claimed_by=DEAD,
        claimed_at=claimed_at,
        per_message=True,
        in_flight=rows[5].pk,
    )
    recovered = ledger.recover(target)
    assert (recovered.uncertain, recovered.returned) == (1, len(rows) - 6)
    assert Delivery.objects.get(pk=rows[5].pk).state == "uncertain"
    assert states(target) == {"sent": 5, "uncertain": 1, "pending": len(rows) - 6}


def test_a_killed_process_not_yet_reaped_is_gone():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    holder = f"{socket.gethostname()}:{child.pid}"
    try:
        assert not gone(holder)
        os.kill(child.pid, signal.SIGKILL)
        deadline = timezone.now() + dt.timedelta(seconds=10)
        while not _zombie(child.pid):  # the kernel marks it a zombie at once, or nearly
            assert timezone.now() < deadline
        os.kill(child.pid, 0)  # a zombie still answers the old liveness check ...
        assert gone(holder)  # ... and is dead all the same
    finally:
        child.kill()
        child.wait()
    assert gone(holder)


def _zombie(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rpartition(")")[2].split()[0] == "Z"


def test_a_pid_taken_by_a_later_process_is_not_the_holder():
    me = this_process()
    assert not gone(me)
    assert not gone(me, since=timezone.now())
    # A claim made an hour before this process started cannot be this process's.
    assert gone(me, since=timezone.now() - dt.timedelta(hours=1))
    # Another machine's holder cannot be checked from here.
    assert not gone("elsewhere.example:1")


def test_a_zombie_holders_rows_are_settled_by_the_next_run(demo):
    target = edition_with_readers(0)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        holder = f"{socket.gethostname()}:{child.pid}"
        claimed_at = timezone.now()
        Delivery.objects.filter(edition=target).update(
            state="sending",
            claimed_by=holder,
            claimed_at=claimed_at,
            attempts=1,
            lease_until=claimed_at + dt.timedelta(minutes=30),
        )
        Handoff.objects.create(edition=target, claimed_by=holder, claimed_at=claimed_at)
        os.kill(child.pid, signal.SIGKILL)
        while not _zombie(child.pid):
            pass
        report = send_edition(target, MemorySender(), options=SendOptions())
    finally:
        child.wait()
    assert report.uncertain == 4 and not report.open.held
    assert states(target) == {"uncertain": 4}


def run_send(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("send", "--edition", REF, *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_runs_that_leave_readers_open_exit_3_with_a_line_and_command_per_group(demo):
    target = edition_with_readers(0)
    first, second, third, _ = Delivery.objects.filter(edition=target).order_by("id")
    later = timezone.now() + dt.timedelta(minutes=5)
    claimed_at = timezone.now()
    Delivery.objects.filter(pk=first.pk).update(state="pending", lease_until=later)
    Delivery.objects.filter(pk=second.pk).update(state="uncertain")
    Delivery.objects.filter(pk=third.pk).update(
        state="sending",
        claimed_by="elsewhere.example:41",
        claimed_at=claimed_at,
        lease_until=later,
    )
    code, out = run_send()
    assert code == 3
    text = " ".join(out.split())
    assert f"1 deferred (the provider asked to try later): `digest send --edition {REF}`" in text
    assert f"`digest resend-uncertain {REF}`" in text and f"`digest accept-uncertain {REF}`" in text
    assert "1 held by elsewhere.example:41 until" in text
    assert f"Edition {REF}: sending" in text

    # The other run's claim ends and the deferred reader's time comes: what is left is the
    # uncertain reader; the edition is sent, and says one reader needs a decision.
    Delivery.objects.filter(pk__in=[first.pk, third.pk]).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    Handoff.objects.create(edition=target, claimed_by="elsewhere.example:41", claimed_at=claimed_at)
    code, out = run_send()
    assert code == 3
    edition = Edition.objects.get(pk=target.pk)
    assert edition.status == "sent" and edition.status_label == "Sent, 2 need a decision"
    assert f"Edition {REF}: sent, 2 need a decision" in " ".join(out.split())
    status = io.StringIO()
    call_command("status", REF, stdout=status)
    text = " ".join(status.getvalue().split())
    assert f"{target}: sent, 2 need a decision" in text
    assert "open: 2 uncertain" in text and f"`digest accept-uncertain {REF}`" in text

    call_command("accept-uncertain", REF, stdout=io.StringIO())
    code, out = run_send()
    assert code == 0 and "open:" not in out
    assert Edition.objects.get(pk=target.pk).status_label == "Sent"


def test_a_stop_that_pauses_says_so_and_names_the_command_that_goes_on(demo, settings):
    settings.DIGEST_SENDER = "smtp"
    settings.SMTP_URL = "smtp://127.0.0.1:9"  # nothing listens on the discard port
    edition_with_readers(0)
    code, out = run_send()
    text = " ".join(out.split())
    assert code == 2
    assert "cannot connect to the SMTP server 127.0.0.1:9" in text
    assert "run `digest send` again" not in text  # a paused edition refuses that
    assert f"Edition {REF} is paused" in text and f"`digest resume {REF} --send`" in text
    # That one command goes on, once the relay is fixed.
    settings.DIGEST_SENDER = "outbox"
    out = io.StringIO()
    call_command("resume", REF, "--send", stdout=out)
    assert Edition.objects.get(mailing_list__slug="morning-en", date=DEMO_DAY).status == "sent"
