"""Collect, compose and send twice: nothing duplicated, nobody mailed twice."""

from __future__ import annotations

import pytest

from digest.collect import collect
from digest.compose import compose
from digest.delivery.dispatch import send_edition
from digest.delivery.senders import MemorySender, OutboxSender
from digest.demo import ARTICLES_DIR, DEMO_DAY
from digest.models import Article, Delivery, Edition, EditionItem
from digest.sources import FolderSource
from subscribers.models import MailingList

pytestmark = pytest.mark.django_db


def test_the_whole_pipeline_twice_changes_nothing(demo, settings):
    english = MailingList.objects.get(slug="morning-en")
    outbox = OutboxSender(settings.DIGEST_OUTBOX_DIR)
    first = send_edition(compose(english, DEMO_DAY).edition, outbox)
    files = sorted(settings.DIGEST_OUTBOX_DIR.rglob("*.eml"))
    snapshot = (
        Article.objects.count(),
        Edition.objects.count(),
        EditionItem.objects.count(),
        list(Delivery.objects.values_list("id", "state", "provider_id", "attempts")),
    )

    again = collect([("demo", FolderSource(ARTICLES_DIR), None)])
    assert again.total("new") == 0 and again.total("updated") == 0
    assert again.total("unchanged") == 20
    second = send_edition(compose(english, DEMO_DAY).edition, outbox)

    assert first.sent == 4 and second.sent == 0 and second.enqueued == 0
    assert snapshot == (
        Article.objects.count(),
        Edition.objects.count(),
        EditionItem.objects.count(),
        list(Delivery.objects.values_list("id", "state", "provider_id", "attempts")),
    )
    assert sorted(settings.DIGEST_OUTBOX_DIR.rglob("*.eml")) == files and len(files) == 4


def test_the_audience_is_frozen_at_the_first_enqueue(demo):
    from subscribers.models import Subscriber, Subscription

    english = MailingList.objects.get(slug="morning-en")
    edition = compose(english, DEMO_DAY).edition
    sender = MemorySender()
    send_edition(edition, sender)
    late = Subscriber.objects.create(email="late@example.com", name="Late")
    Subscription.objects.create(
        subscriber=late, mailing_list=english, status=Subscription.Status.CONFIRMED
    )
    send_edition(edition, sender)
    assert [m.to for m in sender.sent].count("late@example.com") == 0
    assert len(sender.sent) == 4


def test_a_process_holding_an_older_copy_of_the_edition_does_not_enqueue_again(demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from digest.delivery import ledger

    english = MailingList.objects.get(slug="morning-en")
    first = compose(english, DEMO_DAY).edition
    helper_copy = Edition.objects.get(pk=first.pk)  # read before the first process enqueued
    assert ledger.enqueue(first).created == 4
    with CaptureQueriesContext(connection) as queries:
        again = ledger.enqueue(helper_copy)
    assert again.already and again.created == 0 and helper_copy.enqueued_at is not None
    assert not [q for q in queries.captured_queries if "INSERT" in q["sql"]]


def test_a_reader_whose_sections_are_all_absent_is_skipped_with_the_reason(demo):
    from subscribers.models import Subscription

    english = MailingList.objects.get(slug="morning-en")
    Subscription.objects.filter(subscriber__email="robert.han@example.org").update(
        sections=["sports"]
    )
    sender = MemorySender()
    send_edition(compose(english, DEMO_DAY).edition, sender)
    skipped = Delivery.objects.get(email="robert.han@example.org")
    assert skipped.state == Delivery.State.SKIPPED
    assert "none of the reader's chosen sections" in skipped.last_error
    assert "robert.han@example.org" not in [m.to for m in sender.sent]


def test_a_full_disk_stops_the_run_and_keeps_the_rest_pending(demo, settings):
    import errno

    from digest.delivery.errors import FatalError

    class FullDisk(OutboxSender):
        written = 0

        def write(self, messages):
            results = []
            for message in messages:
                if self.written == 2:
                    raise FatalError(
                        "cannot write to the outbox: No space left on device", partial=results
                    )
                results.extend(super().write([message]))
                self.written += 1
            return results

    english = MailingList.objects.get(slug="morning-en")
    edition = compose(english, DEMO_DAY).edition
    report = send_edition(edition, FullDisk(settings.DIGEST_OUTBOX_DIR))
    assert report.sent == 2 and "No space left" in report.stopped
    states = list(Delivery.objects.order_by("id").values_list("state", flat=True))
    assert states == ["sent", "sent", "pending", "pending"]
    assert errno.ENOSPC  # the real outbox maps ENOSPC to FatalError (senders/outbox.py)
    # The edition is paused with the reason; once space is back an operator resumes it and
    # the next run sends only the two that were left.
    edition.refresh_from_db()
    assert edition.status == "paused" and "No space left" in edition.last_error
    from digest.delivery.control import resume

    resume(edition)
    retry = send_edition(edition, OutboxSender(settings.DIGEST_OUTBOX_DIR))
    assert retry.sent == 2
    assert len(list(settings.DIGEST_OUTBOX_DIR.rglob("*.eml"))) == 4


class _Undo(Exception):
    pass


def test_a_claim_takes_exactly_the_deliveries_the_due_rule_names(demo):
    # The due rule is written out in SQL for speed; it must say what the ORM says.
    import datetime as dt

    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from digest.delivery import ledger

    english = MailingList.objects.get(slug="morning-en")
    edition = compose(english, DEMO_DAY).edition
    ledger.enqueue(edition)
    ledger.enqueue(compose(MailingList.objects.get(slug="morning-ko"), DEMO_DAY).edition)
    now = timezone.now()
    rows = list(Delivery.objects.filter(edition=edition).order_by("id"))
    assert len(rows) == 4
    Delivery.objects.filter(pk=rows[0].pk).update(lease_until=now - dt.timedelta(minutes=1))
    Delivery.objects.filter(pk=rows[1].pk).update(lease_until=now + dt.timedelta(minutes=5))
    Delivery.objects.filter(pk=rows[2].pk).update(state=Delivery.State.SENDING)
    choices = {tuple(r.sections) for r in rows} | {("nothing-like-this",)}
    for choice in [*sorted(choices), None]:
        due = Delivery.objects.filter(edition=edition, state=Delivery.State.PENDING)
        due = due.filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now)).order_by("id")
        if choice is not None:
            due = due.filter(sections=list(choice))
        expected = list(due.values_list("id", flat=True))
        for size in (1, 100):
            try:
                with transaction.atomic():
                    taken = [c.id for c in ledger.claim(edition, size, now, choice)]
                    raise _Undo
            except _Undo:
                pass
            assert taken == expected[:size], (choice, size)
    # An expired lease is due again; a live lease, a row being sent, another edition are not.
    assert expected == [rows[0].pk, rows[3].pk]
    assert ledger.next_choice(edition, now) == tuple(rows[0].sections)
