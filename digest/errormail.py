"""Django's error emails (a 500 on a page, an error the scheduler logs) to ``ADMINS``.

They go out the way every other email of the product does: through the configured sender
(``DIGEST_SENDER``: the file outbox, the SMTP relay of ``SMTP_URL``, or SendGrid), so there
is one set of mail settings to get right, not a second one for Django. ``DJANGO_ADMINS``
names the people: ``"Name <a@example.com>, b@example.com"``.
"""

from __future__ import annotations

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
    """Django's email backend over our one-off emails (``EMAIL_BACKEND`` names it)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from .delivery.errors import SendError
        from .delivery.senders import configured_sender
        from .delivery.transactional import NotSent, send_one_off

        sent = 0
        try:
            with configured_sender() as sender:
                for message in email_messages:
                    page = next(
                        (
                            content
                            for content, kind in getattr(message, "alternatives", [])
                            if kind == "text/html"
                        ),
                        f"<pre>{html.escape(message.body)}</pre>",
                    )
                    try:
                        send_one_off(
                            message.recipients(),
                            message.subject,
                            page,
                            message.body,
                            kind="errors",
                            from_addr=message.from_email,
                            headers={**message.extra_headers, "X-Digest-Notice": "errors"},
                            sender=sender,
                        )
                    except NotSent as exc:
                        log.error("error email to ADMINS not sent: %s", exc)
                        continue
                    sent += 1
        except (SendError, OSError):
            if not self.fail_silently:
                raise
            log.exception("error emails to ADMINS not sent")
        return sent
