"""The client's address: REMOTE_ADDR directly, the N-th forwarded address behind N proxies,
never a client's own claim; and the subscribe limit keyed on it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from subscribers.clientaddr import client_address
from subscribers.models import MailingList, Subscriber


def _request(remote: str = "127.0.0.1", **headers: str):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.DIGEST_TRUSTED_PROXIES = 0
    request = _request("203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_address(request) == "203.0.113.5"


@pytest.mark.parametrize(
    ("proxies", "chain", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        # What the client sent itself stands to the left of what the proxy appended.
        (1, "10.0.0.1, 198.51.100.1", "198.51.100.1"),
        (2, "10.0.0.1, 198.51.100.1, 192.0.2.10", "198.51.100.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
        # Fewer addresses than proxies, or no address at all: the connecting one.
        (2, "198.51.100.1", "127.0.0.1"),
        (1, "", "127.0.0.1"),
        (1, "unknown", "127.0.0.1"),
    ],
)
def test_behind_n_proxies_the_client_is_n_hops_from_the_right(settings, proxies, chain, expected):
    settings.DIGEST_TRUSTED_PROXIES = proxies
    assert client_address(_request(HTTP_X_FORWARDED_FOR=chain)) == expected


def test_the_header_name_is_configurable(settings):
    settings.DIGEST_TRUSTED_PROXIES = 1
    settings.DIGEST_FORWARDED_FOR_HEADER = "X-Real-Client-Chain"
    request = _request(HTTP_X_FORWARDED_FOR="198.51.100.1", HTTP_X_REAL_CLIENT_CHAIN="192.0.2.33")
    assert client_address(request) == "192.0.2.33"


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_subscribe_limit(settings):
    """Every connection comes from the proxy: one limit for all readers without this."""
    cache.clear()
    MailingList.objects.create(name="Morning", slug="morning-en", from_email="m@example.com")
    settings.DIGEST_TRUSTED_PROXIES = 1
    settings.SUBSCRIBE_RATE_PER_HOUR = 2

    def post(client_address: str, n: int) -> int:
        proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_address)
        return proxy.post("/subscribe/morning-en/", {"email": f"r{n}@example.com"}).status_code

    assert [post("198.51.100.9", n) for n in range(3)] == [200, 200, 429]
    assert post("10.1.1.1, 198.51.100.9", 3) == 429  # a forged hop does not escape
    assert post("198.51.100.10", 4) == 200
    assert Subscriber.objects.count() == 3
    event = Subscriber.objects.get(email="r4@example.com").consent_events.get(kind="subscribe")
    assert event.ip == "198.51.100.10"
    cache.clear()
