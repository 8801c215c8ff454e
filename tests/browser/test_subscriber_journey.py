"""A reader's whole journey in a real browser: subscribe, confirm, choose sections, leave."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from subscribers.models import ConsentEvent, MailingList, Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def morning(live_server, settings):
    settings.SITE_URL = live_server.url
    return MailingList.objects.create(
        name="The Korea Daily Morning",
        slug="morning-en",
        from_name="The Korea Daily Morning",
        from_email="morning@koreadailyus.com",
        description="Trade, diplomacy and Koreatown news before your commute.",
    )


def confirmation_link(settings) -> str:
    (path,) = sorted(settings.DIGEST_OUTBOX_DIR.rglob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return re.search(r"(http://\S+/confirm/\S+/)", message.get_body(("plain",)).get_content())[1]


def test_subscribe_confirm_preferences_unsubscribe(page, shoot, live_server, morning, settings):
    page.goto(f"{live_server.url}/subscribe/morning-en/")
    assert page.title() == "The Korea Daily Morning"
    page.fill("#id_email", "grace.kim@example.com")
    page.fill("#id_name", "Grace Kim")
    page.get_by_label("Trade", exact=True).check()
    page.get_by_label("Community", exact=True).check()
    shoot(page, "1-subscribe")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    shoot(page, "2-check-inbox")

    page.goto(confirmation_link(settings))
    assert Subscription.objects.get().status == "pending"  # opening the link is not consent
    shoot(page, "3-confirm")
    page.click("text=Yes, subscribe me")
    page.wait_for_selector("text=You are subscribed")
    assert Subscription.objects.get().status == "confirmed"

    page.click("text=Choose your sections")
    page.wait_for_selector("text=Your newsletter settings")
    assert (
        page.get_by_label("Trade", exact=True).is_checked()
        and page.get_by_label("Community", exact=True).is_checked()
    )
    page.get_by_label("Community", exact=True).uncheck()
    page.get_by_label("Diplomacy", exact=True).check()
    page.click("text=Save")
    page.wait_for_selector("text=Saved.")
    shoot(page, "4-preferences")
    assert Subscription.objects.get().sections == ["trade", "diplomacy"]

    from subscribers import tokens

    subscription = Subscription.objects.get()
    token = tokens.make_token(tokens.UNSUBSCRIBE, subscription.subscriber_id, morning.pk)
    page.goto(f"{live_server.url}/unsubscribe/{token}/")
    assert Subscription.objects.get().status == "confirmed"
    shoot(page, "5-unsubscribe")
    page.click("button[type=submit]")
    page.wait_for_selector("text=You are unsubscribed")
    shoot(page, "6-unsubscribed")
    assert Subscription.objects.get().status == "unsubscribed"
    assert list(ConsentEvent.objects.values_list("kind", flat=True)) == [
        "subscribe",
        "confirmation_sent",
        "confirm",
        "preferences",
        "unsubscribe",
    ]


def test_pages_work_without_javascript(browser, live_server, morning):
    context = browser.new_context(java_script_enabled=False, color_scheme="dark")
    page = context.new_page()
    page.goto(f"{live_server.url}/subscribe/morning-en/")
    page.fill("#id_email", "daniel@example.com")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Check your inbox")
    context.close()
    assert Subscription.objects.get().subscriber.email == "daniel@example.com"
