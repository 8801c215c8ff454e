"""The demo edition through a real SMTP server: who gets what, with which headers."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from digest.compose import compose
from digest.delivery.dispatch import send_edition
from digest.delivery.senders import SmtpSender
from digest.demo import DEMO_DAY
from digest.models import Delivery, Edition
from digest.testing.smtp_server import Handler, SmtpServer
from subscribers.models import MailingList, Subscription

pytestmark = pytest.mark.django_db

# The demo readers of morning-en and what each chose (see digest/demo/subscribers.json).
EN_READERS = {
    "grace.kim@example.com": {"trade", "diplomacy", "community", "more"},
    "Daniel.Cho@example.com": {"trade", "diplomacy"},
    "robert.han@example.org": {"community", "more"},
    "minji.park@example.com": {"diplomacy"},
}
NOT_MAILED = {"james.yoon@example.com", "hana.choi@example.org", "bounced.reader@example.com"}


def edition_for(slug: str) -> Edition:
    return compose(MailingList.objects.get(slug=slug), DEMO_DAY).edition


def section_names(edition: Edition) -> dict[str, str]:
    return {i.section.key: i.section.name_en.upper() for i in edition.items.all()}


def headlines_by_section(edition: Edition) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in edition.items.select_related("section"):
        out.setdefault(item.section.key, []).append(item.headline)
    return out


def parts(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_each_eligible_reader_gets_one_message_with_their_sections(demo):
    edition = edition_for("morning-en")
    by_section = headlines_by_section(edition)
    with SmtpServer(Handler()) as server:
        report = send_edition(edition, SmtpSender(server.url))
    received = {rcpts[0]: msg for rcpts, msg in server.handler.messages}
    assert report.sent == 4
    assert [len(r) for r, _ in server.handler.messages] == [1, 1, 1, 1]
    assert set(received) == set(EN_READERS)
    assert not NOT_MAILED & {a.lower() for a in received}
    for address, chosen in EN_READERS.items():
        text, html = parts(received[address])
        for key, headlines in by_section.items():
            for headline in headlines:
                if key in chosen:
                    assert headline in text, (address, headline)
                else:
                    assert headline not in text, (address, headline)
                    assert headline not in html, (address, headline)


def test_every_message_carries_the_compliance_headers(demo):
    edition = edition_for("morning-en")
    with SmtpServer(Handler()) as server:
        send_edition(edition, SmtpSender(server.url))
    assert server.handler.messages
    for (address,), msg in server.handler.messages:
        assert msg["To"] == address
        assert msg["From"] == "The Korea Daily Morning <morning@koreadailyus.com>"
        assert msg["Subject"]
        assert msg["Date"] and msg["Message-ID"].endswith("@koreadailyus.com>")
        assert msg["List-Id"] == "The Korea Daily Morning <morning-en.koreadailyus.com>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links = re.findall(r"<([^>]+)>", msg["List-Unsubscribe"])
        assert links[0].startswith("https://news.example.com/unsubscribe/")
        assert links[1].startswith("mailto:unsubscribe@news.example.com?subject=unsubscribe")
        assert msg["Reply-To"] == "newsroom@koreadailyus.com"
        assert msg.get_content_type() == "multipart/alternative"
        text, html = parts(msg)
        # The reader's own links and address, and the postal address, in both parts.
        assert links[0] in text and links[0] in html
        assert address in text and address in html
        assert "690 Wilshire Place" in text and "690 Wilshire Place" in html
        assert "%%" not in text + html
        delivery = Delivery.objects.get(pk=int(msg["X-Digest-Delivery"]))
        assert delivery.email == address and delivery.state == Delivery.State.SENT
        assert delivery.provider_id == msg["Message-ID"]


def test_korean_edition_is_in_korean(demo):
    edition = edition_for("morning-ko")
    with SmtpServer(Handler()) as server:
        send_edition(edition, SmtpSender(server.url))
    received = {rcpts[0]: msg for rcpts, msg in server.handler.messages}
    assert set(received) == {
        "minji.park@example.com",
        "sujin.lee@example.net",
        "jaehoon.jung@example.net",
    }
    text, html = parts(received["sujin.lee@example.net"])
    assert "수신 거부" in text and "수신 거부" in html
    assert 'lang="ko"' in html
    assert received["sujin.lee@example.net"]["From"].startswith("코리아데일리 아침 브리핑")
    # Minji chose only community news on the Korean list.
    minji_text, _ = parts(received["minji.park@example.com"])
    assert "== 한인 사회 ==" in minji_text and "== 통상·경제 ==" not in minji_text
    # ... and is told what else today's edition holds.
    assert "오늘 호의 다른 섹션: 통상·경제 | 외교·안보" in minji_text


def test_a_refused_recipient_fails_alone_and_the_rest_go_through(demo):
    edition = edition_for("morning-en")
    handler = Handler(refuse={"daniel.cho@example.com": "550 5.1.1 No such mailbox"})
    with SmtpServer(handler) as server:
        report = send_edition(edition, SmtpSender(server.url))
    assert report.sent == 3
    assert report.failed == {"SMTP 550": 1}
    failed = Delivery.objects.get(edition=edition, state=Delivery.State.FAILED)
    assert failed.email == "Daniel.Cho@example.com"
    assert "550 5.1.1 No such mailbox" in failed.last_error
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT


def test_a_deferred_recipient_stays_pending_for_the_next_run(demo):
    edition = edition_for("morning-en")
    handler = Handler(refuse={"grace.kim@example.com": "451 4.7.1 Try again later"})
    with SmtpServer(handler) as server:
        first = send_edition(edition, SmtpSender(server.url))
        assert first.sent == 3 and first.retry_later == 1
        grace = Delivery.objects.get(edition=edition, email="grace.kim@example.com")
        assert grace.state == Delivery.State.PENDING and "451" in grace.last_error
        assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENDING
        # The retry is due after a pause; pretend the pause is over and run again.
        Delivery.objects.filter(pk=grace.pk).update(
            lease_until=grace.lease_until - dt.timedelta(hours=1)
        )
        handler.refuse.clear()
        second = send_edition(edition, SmtpSender(server.url))
    assert second.sent == 1
    assert [r for r, _ in server.handler.messages].count(["grace.kim@example.com"]) == 1
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT


def test_a_dropped_connection_is_reopened_and_nothing_is_lost(demo):
    edition = edition_for("morning-en")
    handler = Handler(drop_on_data=1)
    with SmtpServer(handler) as server:
        report = send_edition(edition, SmtpSender(server.url))
    assert report.sent == 4
    assert sorted(r[0] for r, _ in server.handler.messages) == sorted(EN_READERS)


def test_an_unreachable_server_stops_the_run_and_keeps_everyone_pending(demo):
    from digest.testing.smtp_server import free_port

    edition = edition_for("morning-en")
    report = send_edition(edition, SmtpSender(f"smtp://127.0.0.1:{free_port()}", timeout=2))
    assert "cannot connect to the SMTP server" in report.stopped
    states = set(Delivery.objects.filter(edition=edition).values_list("state", flat=True))
    assert states == {Delivery.State.PENDING}
    assert Edition.objects.get(pk=edition.pk).last_error.startswith("cannot connect")


def test_unsubscribing_after_enqueue_is_honoured_at_send_time(demo):
    from digest.delivery import ledger

    edition = edition_for("morning-en")
    ledger.enqueue(edition)
    Subscription.objects.filter(subscriber__email="grace.kim@example.com").update(
        status=Subscription.Status.UNSUBSCRIBED
    )
    with SmtpServer(Handler()) as server:
        report = send_edition(edition, SmtpSender(server.url))
    assert report.sent == 3 and report.skipped == 1
    assert "grace.kim@example.com" not in {r[0] for r, _ in server.handler.messages}
