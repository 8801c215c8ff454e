"""The dispatch loop's overlap: the next batch is prepared while the provider has the current
one, and a batch that was only prepared is never counted as possibly sent."""

from __future__ import annotations

import datetime as dt
import gc
import socket
import threading

import pytest

from digest.clock import FakeClock
from digest.compose import compose
from digest.delivery import ledger
from digest.delivery.dispatch import SendOptions, send_edition
from digest.delivery.senders import MemorySender, SendGridSender
from digest.demo import DEMO_DAY
from digest.models import Delivery, Edition, Handoff
from digest.testing.sendgrid_api import Answer, SendGridAPI
from subscribers.models import MailingList

pytestmark = pytest.mark.django_db

KEY = "SG.pipeline-key"


def edition() -> Edition:
    return compose(MailingList.objects.get(slug="morning-en"), DEMO_DAY).edition


def states(target: Edition) -> list[str]:
    return list(
        Delivery.objects.filter(edition=target).order_by("id").values_list("state", flat=True)
    )


class Overlapping(MemorySender):
    """Holds the first batch until the run has claimed the next one."""

    overlap = True

    def __init__(self, next_claimed: threading.Event) -> None:
        super().__init__()
        self.next_claimed = next_claimed
        self.threads: set[str] = set()
        self.waited: list[bool] = []

    def send(self, batch):
        self.threads.add(threading.current_thread().name)
        if not self.waited:
            self.waited.append(self.next_claimed.wait(timeout=10))
        return super().send(batch)


def test_the_next_batch_is_claimed_while_the_provider_has_the_current_one(demo, monkeypatch):
    target = edition()
    claims, next_claimed = [], threading.Event()
    real_claim = ledger.claim

    def claim(*args, **kwargs):
        rows = real_claim(*args, **kwargs)
        if rows:
            claims.append(rows)
            if len(claims) == 2:
                next_claimed.set()
        return rows

    monkeypatch.setattr(ledger, "claim", claim)
    sender = Overlapping(next_claimed)
    report = send_edition(target, sender, options=SendOptions(batch_size=1))
    assert sender.waited == [True], "the second batch was not prepared during the first send"
    assert report.sent == 4 and states(target) == ["sent"] * 4
    assert sender.threads and all(name.startswith("digest-send") for name in sender.threads)
    # Every batch was written down as handed over before it went, and only then.
    assert Handoff.objects.filter(edition=target).count() == 4


class BuildsAhead(MemorySender):
    """Builds its requests first, as the SendGrid sender does; holds the first until the run
    has built the next one."""

    overlap = True

    def __init__(self) -> None:
        super().__init__()
        self.built = 0
        self.next_built = threading.Event()
        self.waited: list[bool] = []

    def prepare(self, batch):
        self.built += 1
        if self.built == 2:
            self.next_built.set()
        return batch

    def send_prepared(self, batch):
        if not self.waited:
            self.waited.append(self.next_built.wait(timeout=10))
        return self.send(batch)


def test_the_next_requests_are_built_while_the_provider_has_the_current_ones(demo):
    # Between the provider's answer and the next request only the record and the hand-over
    # remain: building a request (milliseconds of JSON) is not among them.
    sender = BuildsAhead()
    report = send_edition(edition(), sender, options=SendOptions(batch_size=1))
    assert sender.waited == [True], "the second request was built only after the first"
    assert report.sent == 4 and sender.built == 4


class FreezeWatcher(MemorySender):
    """Notes whether the objects from before the run were frozen out of the collector."""

    def __init__(self) -> None:
        super().__init__()
        self.frozen: list[int] = []

    def send(self, batch):
        self.frozen.append(gc.get_freeze_count())
        return super().send(batch)


def test_the_loop_keeps_older_objects_out_of_full_collections_and_lets_them_go_after(demo):
    # A full collection during the loop would walk every object of the process, Django's
    # included, for each few dozen batches.
    before = gc.get_freeze_count()
    sender = FreezeWatcher()
    report = send_edition(edition(), sender, options=SendOptions(batch_size=2))
    assert report.sent == 4 and sender.frozen
    assert all(count > 10_000 for count in sender.frozen)
    assert gc.get_freeze_count() == before == 0


def test_a_process_that_froze_its_own_heap_keeps_it_frozen(demo):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert send_edition(edition(), MemorySender()).sent == 4
        assert gc.get_freeze_count() > frozen // 2  # not thawed by the run
    finally:
        gc.unfreeze()


def test_a_refused_key_mid_run_keeps_what_was_sent_and_gives_back_the_rest(demo):
    target = edition()
    script = {2: Answer(401, body={"errors": [{"message": "revoked"}]})}
    with SendGridAPI(KEY, script=lambda n, body: script.get(n)) as api:
        backend = SendGridSender(KEY, host=api.url, timeout=5, sleep=lambda s: None)
        report = send_edition(target, backend, options=SendOptions(batch_size=1))
    assert "refused the API key (401)" in report.stopped
    # The first reader went; the second was refused; the third, prepared meanwhile, never
    # left: nothing stays claimed, nothing is uncertain.
    assert report.sent == 1
    assert sorted(states(target)) == ["pending", "pending", "pending", "sent"]
    assert Edition.objects.get(pk=target.pk).status == "paused"


def test_a_dead_runs_prepared_batch_waits_again_and_its_handed_batch_is_uncertain(demo):
    target = edition()
    ledger.enqueue(target)
    dead = f"{socket.gethostname()}:999999999"
    handed_at = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)
    prepared_at = handed_at + dt.timedelta(seconds=1)
    first, second, third, _ = Delivery.objects.filter(edition=target).order_by("id")
    for row, claimed_at in ((first, handed_at), (second, prepared_at), (third, prepared_at)):
        Delivery.objects.filter(pk=row.pk).update(
            state="sending",
            claimed_by=dead,
            claimed_at=claimed_at,
            lease_until=handed_at + dt.timedelta(days=9),
            attempts=1,
        )
    Handoff.objects.create(edition=target, claimed_by=dead, claimed_at=handed_at)

    sender = MemorySender()
    report = send_edition(target, sender, options=SendOptions(batch_size=10), clock=FakeClock())
    assert (report.uncertain, report.returned, report.sent) == (1, 2, 3)
    assert first.email not in {m.to for m in sender.sent}
    assert states(target) == ["uncertain", "sent", "sent", "sent"]
    assert list(
        Delivery.objects.filter(pk__in=[second.pk, third.pk]).values_list("attempts", flat=True)
    ) == [1, 1]


def test_the_send_time_recheck_follows_the_eligibility_rule(demo):
    from subscribers.audience import eligible_subscriptions, still_eligible
    from subscribers.models import Subscriber, Subscription

    english = MailingList.objects.get(slug="morning-en")
    korean = MailingList.objects.get(slug="morning-ko")
    readers = list(Subscriber.objects.order_by("pk"))
    blocked, unsubscribed, other_list_only = readers[0], readers[1], readers[2]
    Subscriber.objects.filter(pk=blocked.pk).update(status=Subscriber.Status.BLOCKED)
    Subscription.objects.filter(subscriber=unsubscribed, mailing_list=english).update(
        status=Subscription.Status.UNSUBSCRIBED
    )
    Subscription.objects.filter(subscriber=other_list_only, mailing_list=english).delete()
    Subscription.objects.get_or_create(
        subscriber=other_list_only, mailing_list=korean, defaults={"status": "confirmed"}
    )
    everyone = [r.pk for r in readers]
    expected = set(eligible_subscriptions(english.pk).values_list("subscriber_id", flat=True))
    assert still_eligible(english.pk, everyone) == expected
    assert {blocked.pk, unsubscribed.pk, other_list_only.pk}.isdisjoint(expected)
    assert expected, "the demo list has eligible readers left"


def test_helpers_reports_are_added_and_a_failed_helper_is_reported(demo, tmp_path, settings):
    import json
    import sys

    from digest.delivery.workers import send_with_workers

    settings.DIGEST_READERS_PER_WORKER = 1  # a helper even for the demo's four readers

    target = edition()
    helper = tmp_path / "helper.py"
    helper.write_text(
        "import json, sys\n"
        "path = sys.argv[sys.argv.index('--report') + 1]\n"
        "if path.endswith('helper-2.json'):\n"
        "    sys.exit('helper two could not reach the database')\n"
        "json.dump({'sent': 7, 'failed': {'SMTP 550': 2}, 'skipped': 1,"
        " 'peak_rss_mb': 80.5}, open(path, 'w'))\n"
    )
    report = send_with_workers(
        target,
        MemorySender(),
        3,
        options=SendOptions(batch_size=10),
        command=[sys.executable, str(helper)],
    )
    # This process sent the demo's four; the first helper says it sent seven and failed two.
    assert report.sent == 4 + 7 and report.failed == {"SMTP 550": 2} and report.skipped == 1
    assert report.workers == 3 and report.helpers_peak_rss_mb == [80.5]
    # The dead helper is reported; this process took over what it left, so the run is whole.
    assert report.warnings == [
        "a helper process ended abnormally (exit 1: helper two could not reach the database)"
    ]
    assert not report.stopped and not report.open
    assert json.dumps(report.failed)  # plain data, ready for the summary table


def test_runs_started_without_a_count_use_digest_send_workers(demo, tmp_path, settings):
    # `digest run` and the scheduler pass no count: the setting decides.
    import sys

    from digest.delivery.workers import send_with_workers

    settings.DIGEST_SEND_WORKERS = 3
    settings.DIGEST_READERS_PER_WORKER = 1
    helper = tmp_path / "helper.py"
    helper.write_text(
        "import json, sys\n"
        "json.dump({'sent': 0}, open(sys.argv[sys.argv.index('--report') + 1], 'w'))\n"
    )
    report = send_with_workers(edition(), MemorySender(), command=[sys.executable, str(helper)])
    assert report.workers == 3 and len(report.helpers_peak_rss_mb) == 2 and report.sent == 4


def test_helpers_are_started_only_for_as_many_readers_as_they_are_worth(demo, tmp_path, settings):
    import sys

    from digest.delivery.workers import send_with_workers, worth_starting

    target = edition()  # four readers
    settings.DIGEST_READERS_PER_WORKER = 2
    assert [worth_starting(target, most) for most in (1, 2, 3)] == [1, 2, 2]
    settings.DIGEST_READERS_PER_WORKER = 5
    assert worth_starting(target, 3) == 1
    started = tmp_path / "helper-started"
    helper = tmp_path / "helper.py"
    helper.write_text(f"open({str(started)!r}, 'w').close()\n")
    report = send_with_workers(target, MemorySender(), 3, command=[sys.executable, str(helper)])
    assert report.sent == 4 and report.workers == 1 and not started.exists()


def test_the_first_process_sends_the_variants_it_holds_as_they_are(demo):
    import dataclasses

    from digest import kept_renderings
    from digest.compose import edition_view
    from subscribers.audience import eligible_choices

    target = edition()
    first = kept_renderings.render_missing(
        edition_view(target), eligible_choices(target.mailing_list_id)
    )
    assert first, "the demo readers need at least one variant"
    marked = {
        key: dataclasses.replace(variant, subject=f"[from the first process] {variant.subject}")
        for key, variant in first.items()
    }
    sender = MemorySender()
    report = send_edition(target, sender, options=SendOptions(batch_size=10), rendered=marked)
    assert report.sent == 4
    assert {m.subject.split("]")[0] for m in sender.sent} == {"[from the first process"}


def test_a_helper_told_not_to_go_sends_nothing(demo, monkeypatch):
    import io
    import sys

    from django.core.management import call_command

    target = edition()
    # The first process failed before freezing the audience: it sends an empty line.
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    call_command("send", "--edition", str(target.pk), "--sender", "outbox", "--wait-for-go")
    target.refresh_from_db()
    assert target.enqueued_at is None and not Delivery.objects.filter(edition=target).exists()


def test_the_hand_over_is_written_inside_a_durable_commit(demo, monkeypatch):
    # A power cut must not roll back the note that a batch went out (it would be sent again).
    from contextlib import contextmanager

    target = edition()
    ledger.enqueue(target)
    (first, *_) = ledger.claim(target, 10)
    seen = []

    @contextmanager
    def spy():
        seen.append(Handoff.objects.count())
        yield
        seen.append(Handoff.objects.count())

    monkeypatch.setattr(ledger, "_durable_commit", spy)
    ledger.hand_over(target, Delivery.objects.get(pk=first.id).claimed_at)
    assert seen == [0, 1]


def test_a_durable_commit_on_sqlite_is_flushed_and_ordinary_ones_are_not(tmp_path, monkeypatch):
    # Its own autocommit connection, as in a run (the tests' own is inside a transaction).
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's synchronous setting")
    own = DatabaseWrapper({**connection.settings_dict, "NAME": str(tmp_path / "d.sqlite3")})
    monkeypatch.setattr(ledger, "connection", own)

    def synchronous() -> int:
        with own.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            return cursor.fetchone()[0]

    try:
        assert synchronous() == 1  # NORMAL, as configured
        with ledger._durable_commit():
            assert synchronous() == 2  # FULL: the WAL is flushed at this commit
        assert synchronous() == 1
    finally:
        own.close()


def test_a_durable_commit_on_postgresql_forces_synchronous_commit(demo):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")  # as a server tuned for speed might
        with ledger._durable_commit():
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"


def test_an_edition_without_items_is_refused_before_helpers_start_or_anyone_is_enqueued(
    demo, tmp_path, settings
):
    import sys

    from digest.delivery.dispatch import DispatchError
    from digest.delivery.workers import send_with_workers
    from digest.models import EditionItem

    settings.DIGEST_READERS_PER_WORKER = 1
    target = edition()
    EditionItem.objects.filter(edition=target).delete()
    started = tmp_path / "helper-started"
    helper = tmp_path / "helper.py"
    helper.write_text(f"open({str(started)!r}, 'w').close()\n")
    with pytest.raises(DispatchError, match="has no items"):
        send_with_workers(target, MemorySender(), 2, command=[sys.executable, str(helper)])
    assert not started.exists()
    assert not Delivery.objects.filter(edition=target).exists()
