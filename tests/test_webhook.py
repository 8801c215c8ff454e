"""POST /webhooks/sendgrid/: only SendGrid's signed, fresh posts are applied, each event once."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import OperationalError
from django.test import Client

from digest import events as events_module
from digest.models import Delivery, Event
from subscribers.models import ConsentEvent

from .provider_events import delivery, demo_batch, snapshot, status, subscription

pytestmark = pytest.mark.django_db

URL = "/webhooks/sendgrid/"
SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"


def public_key_b64(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The key as SendGrid shows it: base64 DER SubjectPublicKeyInfo."""
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def sign(private_key: ec.EllipticCurvePrivateKey, body: bytes, timestamp: str) -> str:
    signature = private_key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode()


@pytest.fixture
def key(settings):
    private_key = ec.generate_private_key(ec.SECP256R1())
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = public_key_b64(private_key)
    settings.SENDGRID_WEBHOOK_MAX_AGE = 600
    return private_key


@pytest.fixture
def editions(sent_demo):
    return sent_demo


def raw(events: list[dict]) -> bytes:
    """A body as SendGrid sends it: compact, non-ASCII left as is (what is signed)."""
    return json.dumps(events, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def post(body: bytes, headers: dict | None = None, client: Client | None = None):
    client = client or Client(enforce_csrf_checks=True)
    return client.post(URL, data=body, content_type="application/json", headers=headers or {})


def signed(key, body: bytes, timestamp: str | None = None) -> dict:
    timestamp = timestamp or str(int(time.time()))
    return {SIGNATURE: sign(key, body, timestamp), TIMESTAMP: timestamp}


def test_a_signed_batch_is_applied(key, editions):
    english, korean = editions
    batch = demo_batch(english, korean)
    body = raw(batch)
    response = post(body, signed(key, body))
    assert response.status_code == 200, response.content
    assert response.json()["applied"] == len(batch)

    grace = delivery(english, "grace.kim@example.com")
    assert (grace.outcome, grace.opens, grace.clicks) == ("delivered", 2, 1)
    assert delivery(english, "daniel.cho@example.com").outcome == "blocked"
    assert status("daniel.cho@example.com") == "active"  # soft bounce: not blocked
    assert status("robert.han@example.org") == "blocked"  # hard bounce: blocked everywhere
    assert status("sujin.lee@example.net") == "blocked"  # complaint: blocked everywhere
    assert subscription("minji.park@example.com", "morning-en") == "unsubscribed"
    assert subscription("minji.park@example.com", "morning-ko") == "confirmed"
    assert Event.objects.count() == len(batch)


def test_the_same_post_replayed_changes_nothing(key, editions):
    body = raw(demo_batch(*editions))
    headers = signed(key, body)
    assert post(body, headers).status_code == 200
    before = snapshot()
    consent = ConsentEvent.objects.count()
    response = post(body, headers)
    assert response.status_code == 200
    assert response.json()["duplicates"] == Event.objects.count()
    assert response.json()["applied"] == 0
    assert snapshot() == before and ConsentEvent.objects.count() == consent


def test_non_ascii_bodies_are_verified_on_the_bytes_received(key, editions):
    english, _ = editions
    d = delivery(english, "grace.kim@example.com")
    batch = [
        {
            "email": d.email,
            "timestamp": 1795500000,
            "event": "click",
            "sg_event_id": "sg-한국어",
            "url": "https://news.example.com/기사",
            "delivery_id": str(d.pk),
            "edition_id": str(d.edition_id),
        }
    ]
    body = raw(batch)
    assert post(body, signed(key, body)).status_code == 200
    assert Delivery.objects.get(pk=d.pk).clicks == 1


def _refused(key, body: bytes, case: str) -> dict:
    now = int(time.time())
    other = ec.generate_private_key(ec.SECP256R1())
    good = signed(key, body)
    return {
        "forged": {**good, SIGNATURE: sign(other, body, good[TIMESTAMP])},
        "reserialised": {
            **good,
            SIGNATURE: sign(key, json.dumps(json.loads(body)).encode(), good[TIMESTAMP]),
        },
        "not base64": {**good, SIGNATURE: "not*base64!"},
        "other timestamp": {**good, TIMESTAMP: str(now - 1)},
        "stale": signed(key, body, str(now - 601)),
        "future": signed(key, body, str(now + 301)),
        "not an integer": signed(key, body, f"{now}.5"),
        "no signature": {TIMESTAMP: good[TIMESTAMP]},
        "no timestamp": {SIGNATURE: good[SIGNATURE]},
        "no headers": {},
    }[case]


@pytest.mark.parametrize(
    "case",
    [
        "forged",
        "reserialised",
        "not base64",
        "other timestamp",
        "stale",
        "future",
        "not an integer",
        "no signature",
        "no timestamp",
        "no headers",
    ],
)
def test_unsigned_or_stale_posts_are_refused_and_change_nothing(key, editions, case):
    body = raw(demo_batch(*editions))
    assert json.dumps(json.loads(body)).encode() != body  # the re-serialised case differs
    before = snapshot()
    response = post(body, _refused(key, body, case))
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert 0 < len(response.content) < 200
    assert snapshot() == before and Event.objects.count() == 0


def test_no_key_configured_refuses_everything(settings, editions):
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = ""
    key = ec.generate_private_key(ec.SECP256R1())
    body = raw(demo_batch(*editions))
    before = snapshot()
    response = post(body, signed(key, body))
    assert response.status_code == 503
    assert b"SENDGRID_WEBHOOK_PUBLIC_KEY" in response.content
    assert snapshot() == before


def test_a_key_that_is_not_a_p256_public_key_is_a_configuration_error(settings, db):
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = "bm90IGEga2V5"
    response = post(b"[]", {SIGNATURE: "x", TIMESTAMP: str(int(time.time()))})
    assert response.status_code == 503
    assert b"SENDGRID_WEBHOOK_PUBLIC_KEY" in response.content


def test_a_key_pasted_as_pem_works(settings, key, db):
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    settings.SENDGRID_WEBHOOK_PUBLIC_KEY = pem.decode()
    assert post(b"[]", signed(key, b"[]")).status_code == 200


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b'{"event": "open"}', b'[{"event": "open"}, 3]', b"[[]]", b"\xff\xfe["],
)
def test_a_malformed_body_is_a_400(key, editions, body):
    before = snapshot()
    response = post(body, signed(key, body))
    expected = 403 if body == b"\xff\xfe[" else 400  # not UTF-8: cannot be SendGrid's
    assert response.status_code == expected
    assert snapshot() == before


def test_an_empty_batch_is_fine(key, db):
    assert post(b"[]", signed(key, b"[]")).status_code == 200


def test_only_post(key, db):
    assert Client().get(URL).status_code == 405


def test_custom_args_of_another_editions_delivery_are_unmatched(key, editions):
    english, korean = editions
    minji_ko = delivery(korean, "minji.park@example.com")
    batch = [
        {
            "email": minji_ko.email,
            "timestamp": 1795500000,
            "event": "unsubscribe",
            "sg_event_id": "sg-wrong-edition",
            "delivery_id": str(minji_ko.pk),
            "edition_id": str(english.pk),
        }
    ]
    body = raw(batch)
    before = snapshot()
    response = post(body, signed(key, body))
    assert response.status_code == 200
    assert response.json()["unmatched"] == 1
    assert snapshot()[:4] == before[:4]
    assert Event.objects.get().delivery_id is None


def test_a_database_error_answers_500_and_the_retry_completes(key, editions, monkeypatch):
    batch = demo_batch(*editions)
    body = raw(batch)
    real_block = events_module.suppression.block

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(events_module.suppression, "block", locked)
    response = post(body, signed(key, body))
    assert response.status_code == 500  # SendGrid retries
    assert status("robert.han@example.org") == "active"
    monkeypatch.setattr(events_module.suppression, "block", real_block)
    response = post(body, signed(key, body))
    assert response.status_code == 200
    assert response.json()["applied"] + response.json()["duplicates"] == len(batch)
    assert status("robert.han@example.org") == "blocked"
    assert Event.objects.count() == len(batch)
