"""SendGrid events as plain data: recorded once, mapped to deliveries, and the policy applied."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError

from digest import events as events_module
from digest.delivery.senders import SendResult
from digest.events import ProviderEvent, apply_send_failures, record_events
from digest.models import Delivery, Event
from digest.sendgrid_events import apply_sendgrid_events as apply_events
from digest.stats import edition_stats
from subscribers.models import ConsentEvent, Subscriber
from subscribers.privacy import erase

from .provider_events import delivery, demo_batch, event, snapshot, status, subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions(sent_demo):
    return sent_demo


def test_a_batch_updates_deliveries_and_applies_the_policy(editions):
    english, korean = editions
    batch = demo_batch(english, korean)
    report = apply_events(batch)
    assert (report.applied, report.duplicates, report.unmatched, report.invalid) == (13, 0, 0, 0)
    assert report.by_kind["open"] == 2 and report.by_kind["delivered"] == 4
    assert report.blocked == 2 and report.unsubscribed == 1

    grace = delivery(english, "grace.kim@example.com")
    assert (grace.outcome, grace.opens, grace.clicks) == ("delivered", 2, 1)
    assert (
        grace.delivered_at is not None and grace.delivered_at.timestamp() == batch[1]["timestamp"]
    )
    assert delivery(english, "daniel.cho@example.com").outcome == "blocked"
    assert delivery(english, "robert.han@example.org").outcome == "bounced"
    assert delivery(english, "minji.park@example.com").outcome == "unsubscribed"
    assert delivery(korean, "sujin.lee@example.net").outcome == "spamreport"

    # A soft bounce blocks nobody; a hard bounce and a complaint block the reader everywhere.
    assert status("daniel.cho@example.com") == "active"
    assert status("robert.han@example.org") == "blocked"
    assert status("sujin.lee@example.net") == "blocked"
    blocks = ConsentEvent.objects.filter(kind="block").order_by("id")
    assert [(c.subscriber.email, c.how) for c in blocks] == [
        ("robert.han@example.org", "sendgrid bounce"),
        ("sujin.lee@example.net", "sendgrid spamreport"),
    ]
    assert "550 5.1.1 no such user" in blocks[0].detail["reason"]
    assert blocks[0].detail["event_id"] == batch[7]["sg_event_id"]

    # An unsubscribe ends that list only.
    assert subscription("minji.park@example.com", "morning-en") == "unsubscribed"
    assert subscription("minji.park@example.com", "morning-ko") == "confirmed"
    unsubscribe = ConsentEvent.objects.get(kind="unsubscribe", how="sendgrid unsubscribe")
    assert unsubscribe.mailing_list.slug == "morning-en"

    stored = Event.objects.get(provider_event_id=batch[2]["sg_event_id"])
    assert (stored.kind, stored.delivery_id, stored.edition_id) == ("open", grace.pk, english.pk)
    assert stored.payload == batch[2] and stored.email == "grace.kim@example.com"

    assert edition_stats(english) == {
        "recipients": 4,
        "sent": 4,
        "failed": 0,
        "delivered": 3,  # grace, minji, and robert's late "delivered" (before the bounce)
        "bounced": 1,
        "dropped": 0,
        "soft_bounced": 1,
        "complaints": 0,
        "unsubscribes": 1,
        "opens": 1,
        "clicks": 1,
    }
    korean_stats = edition_stats(korean)
    assert (korean_stats["recipients"], korean_stats["delivered"]) == (3, 1)
    assert korean_stats["complaints"] == 1


def test_the_same_batch_again_changes_nothing(editions):
    batch = demo_batch(*editions)
    apply_events(batch)
    before = snapshot()
    report = apply_events(batch)
    assert (report.applied, report.duplicates, report.unmatched) == (0, len(batch), 0)
    assert snapshot() == before


def test_a_duplicate_inside_one_batch_counts_once(editions):
    english, _ = editions
    opened = event(delivery(english, "grace.kim@example.com"), "open")
    report = apply_events([opened, dict(opened)])
    assert (report.applied, report.duplicates) == (1, 1)
    assert delivery(english, "grace.kim@example.com").opens == 1


def test_a_concurrent_duplicate_is_caught_by_the_unique_id(editions, monkeypatch):
    """Two posts of one batch at once: the unique sg_event_id stops the second."""
    batch = demo_batch(*editions)
    apply_events(batch)
    before = snapshot()
    monkeypatch.setattr(events_module, "_stored", lambda ids: set())  # both saw "not stored"
    report = apply_events(batch)
    assert (report.applied, report.duplicates) == (0, len(batch))
    assert snapshot() == before


def test_custom_args_of_another_editions_delivery_are_unmatched(editions):
    english, korean = editions
    minji_ko = delivery(korean, "minji.park@example.com")
    wrong = event(minji_ko, "unsubscribe", edition_id=str(english.pk))
    other_reader = event(
        delivery(english, "grace.kim@example.com"), "open", email="someone@example.com"
    )
    unknown = event(None, "click", email="x@example.com", delivery_id="999999", edition_id="1")
    garbage = event(None, "open", email="y@example.com", delivery_id="abc", edition_id=[1])
    before = snapshot()
    report = apply_events([wrong, other_reader, unknown, garbage])
    assert (report.applied, report.unmatched) == (0, 4)
    after = snapshot()
    assert after[:4] == before[:4]  # no delivery, reader, subscription or consent changed
    stored = Event.objects.get(provider_event_id=wrong["sg_event_id"])
    assert stored.delivery_id is None and stored.edition_id is None
    assert apply_events([wrong]).duplicates == 1


def test_an_unmatched_complaint_from_a_known_address_still_blocks_it(editions):
    report = apply_events(
        [
            event(None, "spamreport", email="Grace.Kim@example.com"),
            event(None, "spamreport", email="stranger@example.com"),
        ]
    )
    assert (report.unmatched, report.blocked) == (2, 1)
    assert status("grace.kim@example.com") == "blocked"
    assert ConsentEvent.objects.get(kind="block").how == "sendgrid spamreport"


def test_an_unmatched_unsubscribe_is_kept_but_ends_no_list(editions):
    report = apply_events([event(None, "unsubscribe", email="minji.park@example.com")])
    assert report.unmatched == 1
    assert subscription("minji.park@example.com", "morning-en") == "confirmed"
    assert subscription("minji.park@example.com", "morning-ko") == "confirmed"


@pytest.mark.parametrize(
    ("reason", "blocked", "subscription_after"),
    [
        ("Invalid", True, "confirmed"),
        ("Bounced Address", True, "confirmed"),
        ("Spam Reporting Address", True, "confirmed"),
        ("Unsubscribed Address", False, "unsubscribed"),
        ("Recipient List over Package Quota", False, "confirmed"),
    ],
)
def test_dropped(editions, reason, blocked, subscription_after):
    english, _ = editions
    d = delivery(english, "grace.kim@example.com")
    apply_events([event(d, "dropped", reason=reason)])
    d.refresh_from_db()
    assert d.outcome == "dropped"
    assert status("grace.kim@example.com") == ("blocked" if blocked else "active")
    assert subscription("grace.kim@example.com", "morning-en") == subscription_after


def test_group_unsubscribe_and_resubscribe(editions):
    english, _ = editions
    d = delivery(english, "daniel.cho@example.com")
    apply_events([event(d, "group_unsubscribe", asm_group_id=7)])
    assert subscription("daniel.cho@example.com", "morning-en") == "unsubscribed"
    # A resubscribe at SendGrid is recorded but does not bring the reader back.
    apply_events([event(d, "group_resubscribe", asm_group_id=7)])
    assert subscription("daniel.cho@example.com", "morning-en") == "unsubscribed"
    assert Event.objects.filter(kind="group_resubscribe", delivery=d).exists()


def test_events_without_an_id_are_skipped_not_stored(editions):
    english, _ = editions
    d = delivery(english, "grace.kim@example.com")
    no_id = event(d, "open")
    del no_id["sg_event_id"]
    no_kind = event(d, "open")
    del no_kind["event"]
    report = apply_events([no_id, no_kind, event(d, "machine_opened")])
    assert (report.invalid, report.applied) == (2, 1)
    assert Event.objects.get().kind == "machine_opened"  # an unknown kind is kept, no policy
    assert delivery(english, "grace.kim@example.com").opens == 0


def test_a_database_error_leaves_that_event_unapplied_and_a_retry_finishes(editions, monkeypatch):
    batch = demo_batch(*editions)
    real_block = events_module.suppression.block

    def failing_block(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(events_module.suppression, "block", failing_block)
    with pytest.raises(OperationalError):
        apply_events(batch)
    robert_bounce = batch[7]
    # Everything before the failing event is applied; the failing one left no trace.
    assert Event.objects.count() == 7
    assert not Event.objects.filter(provider_event_id=robert_bounce["sg_event_id"]).exists()
    assert delivery(editions[0], "robert.han@example.org").outcome == ""

    monkeypatch.setattr(events_module.suppression, "block", real_block)
    report = apply_events(batch)
    assert (report.duplicates, report.applied) == (7, 6)
    assert delivery(editions[0], "robert.han@example.org").outcome == "bounced"
    assert status("robert.han@example.org") == "blocked"


def test_erasure_removes_the_address_from_events_and_keeps_counts(editions):
    english, korean = editions
    batch = demo_batch(english, korean)
    batch.append(event(None, "spamreport", email="GRACE.KIM@example.com"))
    apply_events(batch)
    stats = edition_stats(english)
    grace = Subscriber.objects.get(email="grace.kim@example.com")
    erase(grace, how="request by email")

    mine = Event.objects.filter(delivery__subscriber=grace) | Event.objects.filter(
        provider_event_id=batch[-1]["sg_event_id"]
    )
    assert mine.count() == 7
    for row in mine:
        assert row.email == ""
        assert "grace" not in str(row.payload).lower()
        assert not {"ip", "useragent", "url", "email", "response"} & set(row.payload)
        assert row.payload["erased"] is True and row.payload["event"] == row.kind
    assert Event.objects.filter(email="robert.han@example.org").count() == 2  # others untouched
    assert edition_stats(english) == stats

    # An event for the erased address that arrives later is kept without the address.
    late = event(None, "open", email="grace.kim@example.com", ip="203.0.113.9")
    report = apply_events([late])
    assert report.unmatched == 1
    stored = Event.objects.get(provider_event_id=late["sg_event_id"])
    assert stored.email == "" and "ip" not in stored.payload


def test_smtp_bad_mailbox_failures_block_through_the_same_path(editions):
    english, _ = editions
    grace = delivery(english, "grace.kim@example.com")
    daniel = delivery(english, "daniel.cho@example.com")
    robert = delivery(english, "robert.han@example.org")
    results = [
        SendResult(
            grace.pk,
            "failed",
            error="SMTP 550 5.1.1 No such mailbox",
            bad_address=True,
            code="SMTP 550",
        ),
        SendResult(daniel.pk, "failed", error="SMTP 554 5.7.1 Message rejected"),
        SendResult(robert.pk, "sent", provider_id="<x@y>"),
    ]
    assert apply_send_failures(results) == 1
    assert apply_send_failures(results) == 0  # already blocked: nothing new
    assert status("grace.kim@example.com") == "blocked"
    assert status("daniel.cho@example.com") == "active"
    block = ConsentEvent.objects.get(kind="block")
    assert block.how == "smtp 550"
    assert block.detail["reason"] == "SMTP 550 5.1.1 No such mailbox"
    assert apply_send_failures([]) == 0


def test_any_provider_reports_through_the_same_entry_and_policy(sent_demo):
    """A provider other than SendGrid needs only an adapter to ProviderEvent: the record,
    the matching and the policy are the same (here, a hard bounce and a complaint)."""
    english, _ = sent_demo
    robert = delivery(english, "robert.han@example.org")
    grace = delivery(english, "grace.kim@example.com")
    common = {"edition_id": english.pk, "provider": "ses", "at": dt.datetime.now(dt.UTC)}
    report = record_events(
        [
            ProviderEvent(
                "ses-1",
                "bounce",
                robert.email,
                delivery_id=robert.pk,
                bounce="hard",
                reason="smtp; 550 5.1.1 user unknown",
                **common,
            ),
            ProviderEvent("ses-2", "spamreport", grace.email, delivery_id=grace.pk, **common),
            ProviderEvent("ses-2", "spamreport", grace.email, delivery_id=grace.pk, **common),
        ]
    )
    assert (report.applied, report.duplicates, report.blocked) == (2, 1, 2)
    blocks = ConsentEvent.objects.filter(kind="block").order_by("id")
    assert [c.how for c in blocks] == ["ses bounce", "ses spamreport"]
    assert Delivery.objects.get(pk=robert.pk).outcome == "bounced"
