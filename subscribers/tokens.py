"""Signed links for one purpose and one subscriber, with Django's signing.

The salt carries the purpose, so an unsubscribe token cannot confirm a subscription and a
token for one reader or list never works for another.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
PURPOSES = (CONFIRM, UNSUBSCRIBE, PREFERENCES)

# Unsubscribe and preferences links must outlive any email that carries them (CAN-SPAM asks
# for 30 days; readers keep mail for years). Confirmation links are short-lived.
MAX_AGE = {
    CONFIRM: 7 * 24 * 3600,
    UNSUBSCRIBE: 2 * 366 * 24 * 3600,
    PREFERENCES: 2 * 366 * 24 * 3600,
}


class BadToken(Exception):
    """The token is forged, tampered with, expired or meant for another purpose."""


@dataclass(frozen=True)
class TokenData:
    subscriber_id: int
    list_id: int


def _signer(purpose: str) -> signing.TimestampSigner:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return signing.TimestampSigner(salt=f"subscribers.tokens.{purpose}")


def make_token(purpose: str, subscriber_id: int, list_id: int) -> str:
    return _signer(purpose).sign_object({"s": subscriber_id, "l": list_id}, compress=False)


def read_token(purpose: str, token: str) -> TokenData:
    try:
        data = _signer(purpose).unsign_object(token, max_age=MAX_AGE[purpose])
        return TokenData(int(data["s"]), int(data["l"]))
    except signing.SignatureExpired as exc:
        raise BadToken("This link has expired.") from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadToken("This link is not valid.") from exc
