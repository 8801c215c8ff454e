"""Unsubscribe requests sent by email to the ``mailto:`` address of ``List-Unsubscribe``.

Mail programs send ``subject=unsubscribe TOKEN`` to that address; people sometimes write
"unsubscribe" by hand. A signed token unsubscribes its reader from its list; a request without
one unsubscribes the sender's address from every list (the request proves no more than the
From line, and the worst a forger can do is stop someone's newsletter, which is what they
could do with one click on a forwarded email).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from . import suppression, tokens
from .models import Subscriber, Subscription

TOKEN = re.compile(r"unsubscribe[\s:_-]+([A-Za-z0-9_.\-]+:[A-Za-z0-9_\-]+:[A-Za-z0-9_\-]+)", re.I)
WORDS = re.compile(r"\bunsubscribe\b|\bremove me\b|수신\s*거부|구독\s*취소|구독\s*해지", re.I)


@dataclass(frozen=True)
class MailtoOutcome:
    sender: str
    action: str  # "unsubscribed", "already", "ignored"
    detail: str


def handle(message: EmailMessage) -> MailtoOutcome:
    sender = parseaddr(str(message.get("From", "")))[1]
    subject = str(message.get("Subject", ""))
    body = _text(message)
    match = TOKEN.search(subject) or TOKEN.search(body[:4000])
    how = f"mailto from {sender or 'unknown sender'}"
    if match:
        try:
            data = tokens.read_token(tokens.UNSUBSCRIBE, match.group(1))
        except tokens.BadToken as exc:
            return MailtoOutcome(sender, "ignored", f"token: {exc}")
        changed = suppression.unsubscribe(data.subscriber_id, data.list_id, how=how)
        return MailtoOutcome(sender, "unsubscribed" if changed else "already", "signed token")
    if not (WORDS.search(subject) or WORDS.search(body[:2000])):
        return MailtoOutcome(sender, "ignored", "no unsubscribe request in it")
    subscriber = Subscriber.objects.filter(email__iexact=sender).first() if sender else None
    if subscriber is None:
        return MailtoOutcome(sender, "ignored", "sender is not a subscriber")
    lists = (
        Subscription.objects.filter(subscriber=subscriber)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .values_list("mailing_list_id", flat=True)
    )
    changed = [suppression.unsubscribe(subscriber.pk, pk, how=how) for pk in list(lists)]
    return MailtoOutcome(
        sender, "unsubscribed" if any(changed) else "already", "sender's address, every list"
    )


def _text(message: EmailMessage) -> str:
    try:
        part = message.get_body(("plain",)) if message.is_multipart() else message
        return part.get_content() if part is not None else ""
    except (KeyError, LookupError, AttributeError):
        return ""
