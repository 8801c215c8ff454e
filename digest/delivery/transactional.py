"""One-off emails (a subscription confirmation) through the configured backend.

``SUBSCRIBERS_MAILER`` points here. The message goes out at once and is not a Delivery: it
belongs to no edition.
"""

from __future__ import annotations

import datetime as dt

from subscribers.hooks import Mail, MailNotSent

from .errors import SendError
from .senders import configured_sender
from .senders.base import Batch, Recipient


def send(mail: Mail) -> None:
    batch = Batch(
        from_addr=mail.from_addr,
        subject=mail.subject,
        html=mail.html,
        text=mail.text,
        recipients=[Recipient(delivery_id=0, to=mail.to, headers=dict(mail.headers))],
        category=mail.kind,
        folder=f"_{mail.kind}/{dt.date.today():%Y-%m-%d}",
    )
    try:
        with configured_sender() as sender:
            (result,) = sender.send(batch)
    except SendError as exc:
        raise MailNotSent(str(exc)) from exc
    if result.status != "sent":
        raise MailNotSent(f"could not send to {mail.to}: {result.error}")
