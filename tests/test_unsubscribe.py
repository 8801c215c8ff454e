"""The unsubscribe link in every email: GET asks, POST (RFC 8058 one-click) unsubscribes."""

from __future__ import annotations

import pytest
from django.test import Client

from subscribers import tokens
from subscribers.models import MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    english = MailingList.objects.create(
        name="The Korea Daily Morning",
        slug="morning-en",
        from_name="Morning",
        from_email="morning@example.com",
    )
    korean = MailingList.objects.create(
        name="아침 브리핑",
        slug="morning-ko",
        language="ko",
        from_name="아침",
        from_email="morning@example.com",
    )
    person = Subscriber.objects.create(email="grace@example.com")
    for mailing_list in (english, korean):
        Subscription.objects.create(
            subscriber=person, mailing_list=mailing_list, status=Subscription.Status.CONFIRMED
        )
    return person, english, korean


def status(person, mailing_list) -> str:
    return Subscription.objects.get(subscriber=person, mailing_list=mailing_list).status


def test_one_click_post_without_cookies_or_csrf_unsubscribes_from_that_list(reader):
    person, english, korean = reader
    token = tokens.make_token(tokens.UNSUBSCRIBE, person.pk, english.pk)
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert status(person, english) == "unsubscribed"
    assert status(person, korean) == "confirmed"
    # Again: still 200, still unsubscribed.
    assert (
        client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 200
    )


def test_get_only_shows_the_button(reader):
    person, english, _ = reader
    token = tokens.make_token(tokens.UNSUBSCRIBE, person.pk, english.pk)
    response = Client().get(f"/unsubscribe/{token}/")
    assert response.status_code == 200
    assert b'<form method="post">' in response.content and b"Unsubscribe" in response.content
    assert status(person, english) == "confirmed"


def test_korean_list_page_is_in_korean(reader):
    person, _, korean = reader
    token = tokens.make_token(tokens.UNSUBSCRIBE, person.pk, korean.pk)
    response = Client().get(f"/unsubscribe/{token}/")
    assert "수신 거부" in response.content.decode() and 'lang="ko"' in response.content.decode()


@pytest.mark.parametrize("forge", ["tampered", "other-purpose", "garbage"])
def test_forged_tokens_get_a_clear_400_and_change_nothing(reader, forge):
    person, english, _ = reader
    good = tokens.make_token(tokens.UNSUBSCRIBE, person.pk, english.pk)
    token = {
        "tampered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "other-purpose": tokens.make_token(tokens.PREFERENCES, person.pk, english.pk),
        "garbage": "not-a-token",
    }[forge]
    response = Client().post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert b"This link is not valid" in response.content
    assert status(person, english) == "confirmed"
