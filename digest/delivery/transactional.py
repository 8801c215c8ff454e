"""One-off emails, built and sent one way: a subscription confirmation, an editors' notice,
an editor's test of an edition. Each goes out at once through the configured backend and is
not a Delivery: it belongs to no reader's record of an edition.

``SUBSCRIBERS_MAILER`` points at ``send`` (the subscribers app's confirmations).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from email.utils import formataddr

from django.conf import settings

from subscribers.hooks import Mail, MailNotSent
from subscribers.models import MailingList

from .errors import SendError
from .senders import configured_sender
from .senders.base import Batch, Recipient, Sender, SendResult


class NotSent(Exception):
    """A one-off email did not go out; the message says why."""


def list_from(mailing_list: MailingList) -> str:
    """The From header of a list's emails: its name and its address (or the site's)."""
    return formataddr(
        (mailing_list.from_name, mailing_list.from_email or settings.DIGEST_FROM_EMAIL)
    )


def send_one_off(
    to: str | Sequence[str],
    subject: str,
    html: str,
    text: str,
    *,
    kind: str,
    from_addr: str = "",
    headers: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    edition_id: int = 0,
    folder: str = "",
    sender: Sender | None = None,
) -> list[SendResult]:
    """Send one email to each address in ``to``, now; raises ``NotSent`` naming the first
    address that was not taken. ``kind`` names it for the provider (a category) and the
    outbox's folder (``_<kind>/<date>``, unless ``folder`` says otherwise). ``sender``: a
    backend the caller has open (several emails, one connection); by default the configured
    one, opened and closed here."""
    addresses = [to] if isinstance(to, str) else list(to)
    batch = Batch(
        from_addr=from_addr or settings.DIGEST_FROM_EMAIL,
        subject=subject,
        html=html,
        text=text,
        recipients=[
            Recipient(0, address, dict(values or {}), dict(headers or {})) for address in addresses
        ],
        edition_id=edition_id,
        category=kind,
        folder=folder or f"_{kind}/{dt.date.today():%Y-%m-%d}",
    )
    try:
        if sender is not None:
            results = sender.send(batch)
        else:
            with configured_sender() as backend:
                results = backend.send(batch)
    except SendError as exc:
        raise NotSent(str(exc)) from exc
    for result, address in zip(results, addresses, strict=False):
        if result.status != "sent":
            raise NotSent(f"could not send to {address}: {result.error}")
    return results


def send(mail: Mail) -> None:
    """The subscribers app's one-off email (``SUBSCRIBERS_MAILER``)."""
    try:
        send_one_off(
            mail.to,
            mail.subject,
            mail.html,
            mail.text,
            kind=mail.kind,
            from_addr=mail.from_addr,
            headers=mail.headers,
        )
    except NotSent as exc:
        raise MailNotSent(str(exc)) from exc
