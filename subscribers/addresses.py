"""Email addresses: checked (syntax only, no DNS), normalised, and hashed for erasure."""

from __future__ import annotations

import hashlib

from email_validator import EmailNotValidError, validate_email

from .models import normalize_email


class InvalidAddress(ValueError):
    """The address cannot receive mail; the message says why, for the reader or the report."""


def clean_address(value: str) -> str:
    """A deliverable-looking address, normalised (domain lower-cased, IDN to Unicode form)."""
    value = (value or "").strip()
    if not value:
        raise InvalidAddress("no address")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidAddress(str(exc)) from None
    return normalize_email(checked.normalized)


def address_hash(address: str) -> str:
    """The same for every spelling of one address; what is kept after an erasure."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()
