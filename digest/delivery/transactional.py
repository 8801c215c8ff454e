"""One-off emails (a subscription confirmation) through the configured backend.

``SUBSCRIBERS_MAILER`` points here. The message goes out at once and is not a Delivery: it
belongs to no edition.
"""

from __future__ import annotations

import datetime as dt
import uuid
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from subscribers.hooks import Mail, MailNotSent

from .errors import SendError
from .senders import configured_sender
from .senders.base import OutgoingMessage


def send(mail: Mail) -> None:
    domain = mail.from_addr.rpartition("@")[2].rstrip(">") or "localhost"
    message = OutgoingMessage(
        delivery_id=0,
        to=mail.to,
        from_addr=mail.from_addr,
        subject=mail.subject,
        html=mail.html,
        text=mail.text,
        headers={
            "Date": format_datetime(timezone.now()),
            "Message-ID": make_msgid(mail.kind, domain=domain),
            **mail.headers,
        },
        folder=f"_{mail.kind}/{dt.date.today():%Y-%m-%d}",
        filename=f"{uuid.uuid4().hex[:12]}-{mail.to}",
    )
    try:
        with configured_sender() as sender:
            (result,) = sender.send([message])
    except SendError as exc:
        raise MailNotSent(str(exc)) from exc
    if result.status != "sent":
        raise MailNotSent(f"could not send to {mail.to}: {result.error}")
