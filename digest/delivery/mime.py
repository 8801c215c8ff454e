"""An OutgoingMessage as a MIME email: text part first, then HTML."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from .senders.base import OutgoingMessage


def to_mime(message: OutgoingMessage) -> EmailMessage:
    mime = EmailMessage(policy=SMTP)
    mime["From"] = message.from_addr
    mime["To"] = message.to
    mime["Subject"] = message.subject
    for name, value in message.headers.items():
        mime[name] = value
    mime.set_content(message.text, subtype="plain", charset="utf-8")
    mime.add_alternative(message.html, subtype="html", charset="utf-8")
    return mime
