"""Django's error emails (a 500 on a page, an error the scheduler logs) to ``ADMINS``.

They go out the way every other email of the product does: through the configured sender
(``DIGEST_SENDER``: the file outbox, the SMTP relay of ``SMTP_URL``, or SendGrid), so there
is one set of mail settings to get right, not a second one for Django. ``DJANGO_ADMINS``
names the people: ``"Name <a@example.com>, b@example.com"``.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Sequence
from email.utils import getaddresses

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

log = logging.getLogger(__name__)


def parse_admins(value: str) -> list[tuple[str, str]]:
    """``"Name <a@x>, b@y"`` → ``[("Name", "a@x"), ("b@y", "b@y")]`` (Django's ADMINS).

    Raises ValueError naming an entry that is not one address, so a typo stops the start-up
    instead of silencing every error email."""
    admins = []
    for entry in _entries(value):
        parsed = getaddresses([entry])
        name, address = parsed[0] if len(parsed) == 1 else ("", "")
        local, _, domain = address.rpartition("@")
        if not local or not domain or any(c.isspace() for c in address):
            raise ValueError(
                f"DJANGO_ADMINS: {entry.strip()!r} is not one email address "
                '(write "Name <address>, address")'
            )
        admins.append((name or address, address))
    return admins


def _entries(value: str) -> list[str]:
    """The comma-separated entries (a comma inside a quoted name stays in its entry)."""
    entries, current, quoted = [], "", False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            entries.append(current)
            current = ""
        else:
            current += char
    entries.append(current)
    return [e.strip() for e in entries if e.strip()]


class EmailBackend(BaseEmailBackend):
    """Django's email backend over our senders (``EMAIL_BACKEND`` names it)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from .delivery.errors import SendError
        from .delivery.senders import configured_sender

        sent = 0
        try:
            with configured_sender() as sender:
                for message in email_messages:
                    results = sender.send(batch_for(message))
                    failed = [r for r in results if r.status != "sent"]
                    for result in failed:
                        log.error("error email to ADMINS not sent: %s", result.error)
                    if not failed:
                        sent += 1
        except (SendError, OSError):
            if not self.fail_silently:
                raise
            log.exception("error emails to ADMINS not sent")
        return sent


def batch_for(message: EmailMessage):
    """One Django message as a batch of our senders: each recipient its own copy."""
    from .delivery.senders.base import Batch, Recipient

    page = next(
        (content for content, kind in getattr(message, "alternatives", []) if kind == "text/html"),
        f"<pre>{html.escape(message.body)}</pre>",
    )
    return Batch(
        from_addr=message.from_email,
        subject=message.subject,
        html=page,
        text=message.body,
        recipients=[
            Recipient(delivery_id=0, to=address, headers={"X-Digest-Notice": "errors"})
            for address in message.recipients()
        ],
        headers=dict(message.extra_headers),
        category="errors",
        folder=f"_errors/{dt.date.today():%Y-%m-%d}",
    )
