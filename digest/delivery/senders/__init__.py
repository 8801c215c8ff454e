"""Delivery backends, chosen by ``DIGEST_SENDER``: an alias below or a dotted path to a
``Sender`` subclass (the way Django chooses its email backends). Every caller builds its
backend through ``configured_sender``; the contract is ``base.Sender``'s docstring."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from ..errors import FatalError
from .base import Batch, OutgoingMessage, Recipient, Sender, SendResult
from .memory import MemorySender
from .outbox import OutboxSender
from .sendgrid import SendGridSender
from .smtp import SmtpSender

SENDERS: dict[str, type[Sender]] = {
    "outbox": OutboxSender,
    "smtp": SmtpSender,
    "sendgrid": SendGridSender,
    "memory": MemorySender,  # keeps messages in the process: tests and previews
}


def sender_class(key: str) -> type[Sender]:
    """The backend class an alias or a dotted path names."""
    if key in SENDERS:
        return SENDERS[key]
    if "." in key:
        try:
            found = import_string(key)
        except ImportError as exc:
            raise FatalError(f"DIGEST_SENDER={key!r} cannot be imported: {exc}") from exc
        if isinstance(found, type) and issubclass(found, Sender):
            return found
        raise FatalError(f"DIGEST_SENDER={key!r} is not a subclass of digest's Sender")
    raise FatalError(
        f"DIGEST_SENDER={key!r} is not one of: {', '.join(SENDERS)} (or a dotted path to a "
        "Sender subclass)"
    )


def configured_sender(key: str | None = None) -> Sender:
    """The backend ``key`` (default ``DIGEST_SENDER``) names, built from the settings."""
    return sender_class(key or settings.DIGEST_SENDER).from_settings()


def sender_path(sender: Sender) -> str:
    """What rebuilds this backend in another process (a run's helpers): its class's path."""
    cls = type(sender)
    return f"{cls.__module__}.{cls.__qualname__}"


__all__ = [
    "SENDERS",
    "Batch",
    "MemorySender",
    "OutboxSender",
    "OutgoingMessage",
    "Recipient",
    "SendGridSender",
    "SendResult",
    "Sender",
    "SmtpSender",
    "configured_sender",
    "sender_class",
    "sender_path",
]
