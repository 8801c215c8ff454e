"""A scripted storm over 10,000 readers: 20% 429, 5% 500 and one 400 request.

Everyone but the readers of the rejected request gets the edition exactly once.
"""

from __future__ import annotations

import collections
import random

import pytest

from digest.clock import FakeClock
from digest.compose import compose
from digest.delivery.dispatch import SendOptions, send_edition
from digest.delivery.senders import SendGridSender
from digest.demo import DEMO_DAY
from digest.models import Delivery
from digest.testing.sendgrid_api import Answer, SendGridAPI
from subscribers.models import MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db
KEY = "SG.storm"
READERS = 10_000


def add_readers(mailing_list: MailingList, count: int) -> None:
    choices = [[], ["trade"], ["diplomacy", "community"], ["more"], ["trade", "more"]]
    people = Subscriber.objects.bulk_create(
        Subscriber(email=f"storm{n}@example.com") for n in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=p,
            mailing_list=mailing_list,
            status="confirmed",
            sections=choices[n % len(choices)],
        )
        for n, p in enumerate(people)
    )


def test_storm(demo):
    english = MailingList.objects.get(slug="morning-en")
    add_readers(english, READERS)
    edition = compose(english, DEMO_DAY).edition
    weather = random.Random(20261124)
    rejected_request = 7

    def script(n: int, body: dict) -> Answer | None:
        if n == rejected_request:
            return Answer(400, body={"errors": [{"message": "Invalid substitution"}]})
        roll = weather.random()
        if roll < 0.20:
            return Answer(429, {"X-RateLimit-Remaining": "0", "Retry-After": "2"})
        if roll < 0.25:
            return Answer(500, body={"errors": [{"message": "internal error"}]})
        return None

    clock = FakeClock()
    with SendGridAPI(KEY, script=script) as api:
        sender = SendGridSender(KEY, host=api.url, timeout=10, sleep=clock.sleep, max_retries=8)
        report = send_edition(
            edition, sender, clock=clock, options=SendOptions(batch_size=200, breaker=0)
        )

    statuses = collections.Counter(r.answer.status for r in api.requests)
    assert statuses[429] > 0 and statuses[500] > 0 and statuses[400] == 1
    lost = {
        p["to"][0]["email"] for p in api.requests[rejected_request - 1].body["personalizations"]
    }
    delivered = collections.Counter(
        p["to"][0]["email"]
        for r in api.requests
        if r.answer.status == 202
        for p in r.body["personalizations"]
    )
    everyone = set(Delivery.objects.filter(edition=edition).values_list("email", flat=True))
    assert len(everyone) == READERS + 4
    assert max(delivered.values()) == 1
    assert set(delivered) == everyone - lost
    assert report.sent == len(everyone) - len(lost)
    failed = Delivery.objects.filter(edition=edition, state="failed")
    assert set(failed.values_list("email", flat=True)) == lost
    assert failed.first().last_error == "SendGrid 400: Invalid substitution"
    assert 2.0 in clock.slept  # Retry-After honoured
