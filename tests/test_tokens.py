"""Reader tokens: Django's signing format exactly, signed cheaply, read back by the stock signer."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from subscribers import tokens


@pytest.fixture
def frozen(monkeypatch):
    moment = [1_795_000_000.0]
    monkeypatch.setattr(time, "time", lambda: moment[0])
    return moment


@pytest.mark.parametrize("purpose", tokens.PURPOSES)
def test_tokens_are_byte_for_byte_djangos_timestamp_signatures(settings, frozen, purpose):
    settings.SECRET_KEY = "k" * 50
    stock = signing.TimestampSigner(key=settings.SECRET_KEY, salt=f"subscribers.tokens.{purpose}")
    for subscriber, mailing_list in [(1, 1), (42, 7), (9_999_999, 3)]:
        token = tokens.make_token(purpose, subscriber, mailing_list)
        assert token == stock.sign(f"{subscriber}.{mailing_list}")
        assert stock.unsign(token) == f"{subscriber}.{mailing_list}"
    frozen[0] += 3600  # the cached timestamp follows the clock
    assert tokens.make_token(purpose, 1, 1) == stock.sign("1.1")


def test_a_token_survives_a_key_rotation_through_the_fallback_keys(settings):
    settings.SECRET_KEY = "old-" + "o" * 46
    token = tokens.make_token(tokens.UNSUBSCRIBE, 5, 2)
    settings.SECRET_KEY = "new-" + "n" * 46
    with pytest.raises(tokens.BadToken):
        tokens.read_token(tokens.UNSUBSCRIBE, token)
    settings.SECRET_KEY_FALLBACKS = ["old-" + "o" * 46]
    assert tokens.read_token(tokens.UNSUBSCRIBE, token) == tokens.TokenData(5, 2)


def test_tampered_other_purpose_and_expired_tokens_are_refused(frozen):
    token = tokens.make_token(tokens.CONFIRM, 5, 2)
    _, stamp, signature = token.split(":")
    with pytest.raises(tokens.BadToken, match="not valid"):
        tokens.read_token(tokens.CONFIRM, f"6.2:{stamp}:{signature}")
    with pytest.raises(tokens.BadToken, match="not valid"):
        tokens.read_token(tokens.UNSUBSCRIBE, token)
    assert tokens.read_token(tokens.CONFIRM, token) == tokens.TokenData(5, 2)
    frozen[0] += tokens.MAX_AGE[tokens.CONFIRM] + 1
    with pytest.raises(tokens.BadToken, match="expired"):
        tokens.read_token(tokens.CONFIRM, token)


def test_a_batch_maker_signs_like_django_with_the_time_it_was_made(settings, frozen):
    settings.SECRET_KEY = "b" * 50
    stock = signing.TimestampSigner(key=settings.SECRET_KEY, salt="subscribers.tokens.unsubscribe")
    make = tokens.token_maker(tokens.UNSUBSCRIBE, 7)
    expected = [stock.sign(f"{n}.7") for n in (1, 42, 123_456)]
    frozen[0] += 5  # a batch is stamped once, when its maker is made
    assert [make(n) for n in (1, 42, 123_456)] == expected
    assert tokens.read_token(tokens.UNSUBSCRIBE, make(42)) == tokens.TokenData(42, 7)
