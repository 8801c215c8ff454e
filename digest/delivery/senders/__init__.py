"""Delivery backends by name (``DIGEST_SENDER``): ``outbox`` (default) and ``smtp``."""

from __future__ import annotations

from django.conf import settings

from ..errors import FatalError
from .base import OutgoingMessage, Sender, SendResult
from .memory import MemorySender
from .outbox import OutboxSender
from .sendgrid import SendGridSender
from .smtp import SmtpSender

SENDERS = {
    "outbox": OutboxSender,
    "smtp": SmtpSender,
    "sendgrid": SendGridSender,
    "memory": MemorySender,
}


def configured_sender(name: str | None = None) -> Sender:
    """The backend the settings name, built from the settings."""
    name = name or settings.DIGEST_SENDER
    if name == "outbox":
        return OutboxSender(settings.DIGEST_OUTBOX_DIR)
    if name == "smtp":
        return SmtpSender(settings.SMTP_URL, timeout=settings.SMTP_TIMEOUT)
    if name == "sendgrid":
        return SendGridSender(
            settings.SENDGRID_API_KEY,
            host=settings.SENDGRID_API_HOST,
            timeout=settings.SENDGRID_TIMEOUT,
            sandbox=settings.DIGEST_SENDGRID_SANDBOX,
        )
    raise FatalError(f"DIGEST_SENDER={name!r} is not one of: outbox, smtp, sendgrid")


__all__ = [
    "SENDERS",
    "MemorySender",
    "OutboxSender",
    "OutgoingMessage",
    "SendGridSender",
    "SendResult",
    "Sender",
    "SmtpSender",
    "configured_sender",
]
