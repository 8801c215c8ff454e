"""An operator's controls and the run's own brakes: uncertain rows, pause, resume, cancel,
too late, the circuit breaker, the rate limit and the quota."""

from __future__ import annotations

import datetime as dt
import io
import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from digest.clock import FakeClock
from digest.compose import compose
from digest.delivery import control, ledger
from digest.delivery.dispatch import DispatchError, SendOptions, send_edition
from digest.delivery.senders import MemorySender
from digest.delivery.senders.base import SendResult
from digest.delivery.throttle import Quota
from digest.demo import DEMO_DAY
from digest.models import Delivery, Edition
from subscribers.models import MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db


def edition() -> Edition:
    return compose(MailingList.objects.get(slug="morning-en"), DEMO_DAY).edition


def enqueued() -> Edition:
    target = edition()
    ledger.enqueue(target)
    return target


def states(target: Edition) -> list[str]:
    return list(
        Delivery.objects.filter(edition=target).order_by("id").values_list("state", flat=True)
    )


def options(**kw) -> SendOptions:
    return SendOptions(**{"batch_size": 500, **kw})


def test_rows_left_sending_by_a_dead_run_are_uncertain_and_not_resent(demo):
    target = enqueued()
    first, second = Delivery.objects.filter(edition=target).order_by("id")[:2]
    past = dt.datetime(2026, 11, 24, 13, tzinfo=dt.UTC)
    # One claimed by a run whose lease ran out, one by a process of this machine that is gone.
    Delivery.objects.filter(pk=first.pk).update(state="sending", lease_until=past, claimed_by="x:1")
    Delivery.objects.filter(pk=second.pk).update(
        state="sending",
        lease_until=past + dt.timedelta(days=9),
        claimed_by=f"{socket.gethostname()}:999999999",
    )
    sender = MemorySender()
    report = send_edition(target, sender, options=options(), clock=FakeClock())
    assert report.uncertain == 2 and report.sent == 2
    assert {m.to for m in sender.sent}.isdisjoint({first.email, second.email})
    assert states(target) == ["uncertain", "uncertain", "sent", "sent"]

    out = io.StringIO()
    call_command("resend-uncertain", f"morning-en/{DEMO_DAY}", stdout=out)
    assert "2 uncertain deliveries queued" in out.getvalue()
    again = send_edition(target, sender, options=options(), clock=FakeClock())
    assert again.sent == 2 and states(target) == ["sent"] * 4


def test_the_resend_policy_sends_uncertain_rows_at_once(demo):
    target = enqueued()
    row = Delivery.objects.filter(edition=target).first()
    Delivery.objects.filter(pk=row.pk).update(
        state="sending", lease_until=dt.datetime(2026, 11, 24, 13, tzinfo=dt.UTC)
    )
    report = send_edition(
        target, MemorySender(), options=options(on_uncertain="resend"), clock=FakeClock()
    )
    assert report.uncertain == 1 and report.resent_uncertain == 1 and report.sent == 4


def test_pause_stops_after_the_batch_and_resume_goes_on(demo):
    target = edition()

    def answer(message):
        control.pause(target, "paused by an operator")
        return SendResult(message.delivery_id, "sent", provider_id="x")

    first = send_edition(target, MemorySender(answer), options=options(batch_size=1))
    assert first.sent == 1 and first.stopped.startswith("paused by an operator")
    # The stop says the state the edition is in now and the one command that goes on.
    assert f"Edition morning-en/{DEMO_DAY} is paused" in first.stopped
    assert f"`digest resume morning-en/{DEMO_DAY} --send`" in first.stopped
    assert states(target).count("pending") == 3
    with pytest.raises(DispatchError, match="is paused"):
        send_edition(target, MemorySender(), options=options())
    call_command("resume", str(target.pk), stdout=io.StringIO())
    second = send_edition(target, MemorySender(), options=options())
    assert second.sent == 3
    assert Edition.objects.get(pk=target.pk).status == "sent"


def test_cancel_drops_what_is_left_and_nothing_more_is_sent(demo):
    target = enqueued()
    out = io.StringIO()
    call_command("cancel", f"morning-en:{DEMO_DAY}", stdout=out)
    assert "4 reader(s) will not get it" in out.getvalue()
    with pytest.raises(DispatchError, match="cancelled"):
        send_edition(target, MemorySender(), options=options())
    assert states(target) == ["skipped"] * 4
    with pytest.raises(CommandError, match="cancelled"):
        call_command("resume", str(target.pk), stdout=io.StringIO())


def test_an_edition_too_late_to_start_waits_for_an_editor(demo):
    target = edition()
    clock = FakeClock(dt.datetime(2026, 11, 24, 20, tzinfo=dt.UTC))  # noon in Los Angeles
    Edition.objects.filter(pk=target.pk).update(
        send_before=dt.datetime(2026, 11, 24, 16, tzinfo=dt.UTC)
    )
    sender = MemorySender()
    with pytest.raises(DispatchError, match="too late"):
        send_edition(target, sender, options=options(), clock=clock)
    assert not sender.sent and Edition.objects.get(pk=target.pk).status == "paused"
    control.resume(target)
    assert send_edition(target, sender, options=options(), clock=clock).sent == 4


def test_the_breaker_pauses_after_consecutive_failed_batches(demo):
    target = edition()
    failing = MemorySender(lambda m: SendResult(m.delivery_id, "failed", error="SMTP 554 no"))
    report = send_edition(target, failing, options=options(batch_size=1, breaker=2))
    assert "2 batches in a row failed" in report.stopped
    assert states(target) == ["failed", "failed", "pending", "pending"]
    assert Edition.objects.get(pk=target.pk).status == "paused"


def test_the_rate_limit_spaces_the_batches(demo):
    clock = FakeClock()
    send_edition(
        edition(), MemorySender(), options=options(batch_size=1, per_second=2), clock=clock
    )
    # Four single-reader batches at two a second: the bucket starts full, then waits.
    assert sum(clock.slept) == pytest.approx(1.0)


def test_a_used_up_quota_stops_the_run_until_the_window_frees(demo):
    clock = FakeClock()
    english = MailingList.objects.get(slug="morning-en")
    # Earlier today another edition sent to 3 readers.
    other = Edition.objects.create(
        mailing_list=english, date=DEMO_DAY - dt.timedelta(days=1), subject="x"
    )
    for person in Subscriber.objects.all()[:3]:
        Delivery.objects.create(
            edition=other,
            subscriber=person,
            email=person.email,
            state="sent",
            sent_at=clock.now() - dt.timedelta(hours=2),
        )
    target = edition()
    report = send_edition(
        target,
        MemorySender(),
        clock=clock,
        options=options(batch_size=1, quota=Quota.parse("4/day")),
    )
    assert report.sent == 1
    assert "quota of 4 recipients per 24 h is used up until 2026-11-25 12:00 UTC" in report.stopped
    assert states(target).count("pending") == 3


def test_quota_parsing():
    assert Quota.parse("") is None
    assert Quota.parse("5000/hour") == Quota(5000, dt.timedelta(hours=1))
    with pytest.raises(ValueError, match="100000/day"):
        Quota.parse("lots")


def test_status_shows_counts_and_the_last_error(demo):
    target = edition()
    failing = MemorySender(lambda m: SendResult(m.delivery_id, "failed", error="SMTP 554 spam"))
    send_edition(target, failing, options=options(batch_size=1, breaker=1))
    out = io.StringIO()
    call_command("status", f"morning-en/{DEMO_DAY}", stdout=out)
    text = out.getvalue()
    assert "paused" in text and "failed ×1: SMTP 554 spam" in text
    assert "last error: 1 batches in a row failed" in text


def test_unknown_edition_reference_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no edition 'nope/2026-01-01'"):
        call_command("status", "nope/2026-01-01")


def test_a_reader_blocked_for_a_bad_mailbox_is_suppressed_everywhere(demo):
    target = edition()
    bad = MemorySender(
        lambda m: (
            SendResult(
                m.delivery_id,
                "failed",
                error="SMTP 550 5.1.1 no such user",
                bad_address=True,
                code="SMTP 550",
            )
            if m.to == "grace.kim@example.com"
            else SendResult(m.delivery_id, "sent")
        )
    )
    send_edition(target, bad, options=options())
    grace = Subscriber.objects.get(email="grace.kim@example.com")
    assert grace.status == "blocked" and "550" in grace.status_reason
    assert grace.consent_events.get().how == "smtp 550"
    assert Subscription.objects.filter(subscriber=grace).exists()


def test_the_operators_settings_become_the_runs_options(settings):
    settings.DIGEST_BATCH_SIZE = 250
    settings.DIGEST_ON_UNCERTAIN = "resend"
    settings.DIGEST_RATE_PER_SECOND = 40.0
    settings.DIGEST_QUOTA = "5000/hour"
    settings.DIGEST_BREAKER_BATCHES = 3
    options = SendOptions.from_settings(batch_size=None)
    assert (options.batch_size, options.on_uncertain, options.per_second) == (250, "resend", 40.0)
    assert options.quota == Quota.parse("5000/hour") and options.breaker == 3
    assert SendOptions.from_settings(batch_size=10).batch_size == 10  # --batch-size wins
