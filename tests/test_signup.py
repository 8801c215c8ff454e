"""Double opt-in through the real pages: subscribe, confirmation email, confirm, preferences."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from subscribers import tokens
from subscribers.addresses import address_hash
from subscribers.models import ConsentEvent, ErasedAddress, MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def lists(db):
    english = MailingList.objects.create(
        name="The Korea Daily Morning",
        slug="morning-en",
        from_name="The Korea Daily Morning",
        from_email="morning@koreadailyus.com",
    )
    korean = MailingList.objects.create(
        name="코리아데일리 아침 브리핑",
        slug="morning-ko",
        language="ko",
        from_name="코리아데일리 아침 브리핑",
        from_email="morning@koreadaily.com",
    )
    return english, korean


def outbox_messages(settings):
    files = sorted((settings.DIGEST_OUTBOX_DIR).rglob("*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def confirm_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https://news\.example\.com(/confirm/[^\s]+/)", text).group(1)


def test_subscribe_confirm_and_choose_sections(lists, settings):
    english, korean = lists
    client = Client(REMOTE_ADDR="203.0.113.7")
    page = client.get("/subscribe/morning-en/")
    assert page.status_code == 200 and b"Trade" in page.content and b"<script" not in page.content
    response = client.post(
        "/subscribe/morning-en/",
        {"email": "Grace.Kim@Example.COM", "name": "Grace", "sections": ["trade", "community"]},
    )
    assert response.status_code == 200 and b"Check your inbox" in response.content
    subscription = Subscription.objects.get()
    assert subscription.status == "pending" and subscription.sections == ["trade", "community"]
    assert subscription.subscriber.email == "Grace.Kim@example.com"

    (message,) = outbox_messages(settings)
    assert message["To"] == "Grace.Kim@example.com"
    assert "confirm" in message["Subject"].lower()
    link = confirm_link(message)

    # A mail scanner following the link confirms nothing.
    assert client.get(link).status_code == 200
    assert Subscription.objects.get().status == "pending"
    confirmed = client.post(link)
    assert confirmed.status_code == 200 and b"You are subscribed" in confirmed.content
    assert Subscription.objects.get().status == "confirmed"
    kinds = list(ConsentEvent.objects.values_list("kind", "how", "ip"))
    assert kinds == [
        ("subscribe", "subscribe form", "203.0.113.7"),
        ("confirmation_sent", "subscribe form", None),
        ("confirm", "confirm page", "203.0.113.7"),
    ]

    prefs = re.search(rb'href="(/preferences/[^"]+/)"', confirmed.content).group(1).decode()
    page = client.get(prefs)
    assert page.status_code == 200 and b"Grace.Kim@example.com" in page.content
    saved = client.post(
        prefs,
        {"sections": ["diplomacy"], "language": "ko", "lists": [str(english.pk), str(korean.pk)]},
    )
    assert saved.status_code == 200 and b"Saved." in saved.content
    grace = Subscriber.objects.get()
    assert grace.language == "ko"
    assert Subscription.objects.get(mailing_list=english).sections == ["diplomacy"]
    assert Subscription.objects.get(mailing_list=korean).status == "confirmed"
    change = ConsentEvent.objects.filter(kind="preferences").get()
    assert change.detail["changes"] == ["language=ko", "sections=diplomacy", "joined morning-ko"]
    # Leaving a list from the preferences page is an unsubscribe on the record.
    client.post(prefs, {"sections": [], "language": "ko", "lists": [str(korean.pk)]})
    assert Subscription.objects.get(mailing_list=english).status == "unsubscribed"
    assert ConsentEvent.objects.filter(kind="unsubscribe", how="preferences page").exists()


def test_korean_list_pages_and_email_are_in_korean(lists, settings):
    Client().post("/subscribe/morning-ko/", {"email": "sujin@example.net"})
    (message,) = outbox_messages(settings)
    assert message["Subject"] == "코리아데일리 아침 브리핑 구독을 확인해 주세요"
    assert "구독 확인하기" in message.get_body(("html",)).get_content()
    page = Client().get(confirm_link(message))
    assert 'lang="ko"' in page.content.decode() and "구독 확인" in page.content.decode()


def test_invalid_address_is_shown_on_the_form(lists, settings):
    response = Client().post("/subscribe/morning-en/", {"email": "grace@@example"})
    assert response.status_code == 200
    assert b'class="error"' in response.content
    assert not Subscriber.objects.exists() and not outbox_messages(settings)


def test_honeypot_pretends_and_stores_nothing(lists, settings):
    response = Client().post(
        "/subscribe/morning-en/", {"email": "bot@example.com", "website": "http://spam"}
    )
    assert response.status_code == 200 and b"Check your inbox" in response.content
    assert not Subscriber.objects.exists() and not outbox_messages(settings)


def test_rate_limit_per_client_address(lists, settings):
    settings.SUBSCRIBE_RATE_PER_HOUR = 3
    bomber = Client(REMOTE_ADDR="198.51.100.9")
    codes = [
        bomber.post("/subscribe/morning-en/", {"email": f"victim{n}@example.com"}).status_code
        for n in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert Subscriber.objects.count() == 3
    other = Client(REMOTE_ADDR="198.51.100.10")
    assert other.post("/subscribe/morning-en/", {"email": "fine@example.com"}).status_code == 200


def test_confirmation_emails_per_address_are_limited_whatever_the_client(lists, settings):
    """Posts from many machines (one subscribe limit each) must not fill one inbox."""
    assert settings.SUBSCRIBE_CONFIRMATIONS_PER_HOUR == 3
    pages = []
    for n in range(6):
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        list_slug = ("morning-en", "morning-ko")[n % 2]  # any lists: one inbox
        response = client.post(f"/subscribe/{list_slug}/", {"email": "Victim@Example.com"})
        assert response.status_code == 200
        pages.append(response.content)
    assert len(outbox_messages(settings)) == 3
    # No difference to see: the withheld requests answer as the sent ones (same language).
    assert pages[4] == pages[2] and pages[3] == pages[5] == pages[1]
    events = ConsentEvent.objects.filter(kind="subscribe").order_by("at", "pk")
    assert [e.detail.get("confirmation", "sent") for e in events] == [
        "sent",
        "sent",
        "sent",
        "not sent: 3 confirmation emails in the last hour",
        "not sent: 3 confirmation emails in the last hour",
        "not sent: 3 confirmation emails in the last hour",
    ]
    # An hour after the emails went out the reader may ask again; withheld requests since
    # then do not push that back.
    events.exclude(detail__has_key="confirmation").update(
        at=timezone.now() - dt.timedelta(minutes=61)
    )
    again = Client(REMOTE_ADDR="198.51.100.99")
    again.post("/subscribe/morning-en/", {"email": "victim@example.com"})
    assert len(outbox_messages(settings)) == 4


def test_blocked_and_erased_addresses_get_the_same_answer_and_no_mail(lists, settings):
    Subscriber.objects.create(email="blocked@example.com", status="blocked")
    ErasedAddress.objects.create(email_hash=address_hash("gone@example.com"))
    for address in ("blocked@example.com", "GONE@example.com"):
        response = Client().post("/subscribe/morning-en/", {"email": address})
        assert response.status_code == 200 and b"Check your inbox" in response.content
    assert not outbox_messages(settings)
    assert not Subscription.objects.exists()
    assert not Subscriber.objects.filter(email__iexact="gone@example.com").exists()


def test_a_confirmed_reader_subscribing_again_changes_nothing(lists, settings):
    english, _ = lists
    grace = Subscriber.objects.create(email="grace@example.com")
    Subscription.objects.create(
        subscriber=grace, mailing_list=english, status="confirmed", sections=["trade"]
    )
    Client().post("/subscribe/morning-en/", {"email": "grace@example.com", "sections": ["more"]})
    assert Subscription.objects.get().sections == ["trade"]
    assert not outbox_messages(settings)


def test_mail_backend_down_is_said_and_the_request_kept(lists, settings):
    settings.DIGEST_SENDER = "smtp"
    settings.SMTP_URL = "smtp://127.0.0.1:9"  # nothing listens there
    settings.SMTP_TIMEOUT = 2
    response = Client().post("/subscribe/morning-en/", {"email": "grace@example.com"})
    assert response.status_code == 503 and b"try again" in response.content
    assert Subscription.objects.get().status == "pending"


@pytest.mark.parametrize("purpose", [tokens.CONFIRM, tokens.PREFERENCES])
def test_tokens_for_another_purpose_or_tampered_are_refused(lists, purpose):
    english, _ = lists
    grace = Subscriber.objects.create(email="grace@example.com")
    Subscription.objects.create(subscriber=grace, mailing_list=english)
    wrong = tokens.make_token(tokens.UNSUBSCRIBE, grace.pk, english.pk)
    path = "confirm" if purpose == tokens.CONFIRM else "preferences"
    assert Client().post(f"/{path}/{wrong}/").status_code == 400
    good = tokens.make_token(purpose, grace.pk, english.pk)
    tampered = good.replace(
        good.split(":")[0], tokens.make_token(purpose, grace.pk + 1, 1).split(":")[0]
    )
    response = Client().post(f"/{path}/{tampered}/")
    assert response.status_code == 400 and b"not valid" in response.content
    assert Subscription.objects.get().status == "pending"


def test_unsubscribe_and_preferences_links_work_a_year_later_but_confirm_links_expire(
    monkeypatch,
):
    import time

    from django.core import signing

    issued = time.time()
    links = {p: tokens.make_token(p, 5, 2) for p in tokens.PURPOSES}
    monkeypatch.setattr(signing.time, "time", lambda: issued + 400 * 24 * 3600)
    assert tokens.read_token(tokens.UNSUBSCRIBE, links[tokens.UNSUBSCRIBE]).subscriber_id == 5
    assert tokens.read_token(tokens.PREFERENCES, links[tokens.PREFERENCES]).list_id == 2
    with pytest.raises(tokens.BadToken, match="expired"):
        tokens.read_token(tokens.CONFIRM, links[tokens.CONFIRM])
