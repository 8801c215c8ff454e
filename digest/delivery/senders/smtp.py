"""Any SMTP relay: ``SMTP_URL=smtp://[user:pass@]host:port`` (``?starttls=1``) or ``smtps://``.

One connection serves the whole run; a dropped connection is reopened once per message.
Each message's answer is recorded before the next one goes (``per_message``).
"""

from __future__ import annotations

import smtplib
import ssl
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings

from ..errors import FatalError
from ..mime import to_bytes
from .base import Batch, OutgoingMessage, Sender, SendResult

BAD_MAILBOX_CODES = {550, 551, 553}


class SmtpSender(Sender):
    name = "smtp"
    # The relay answers each message: the dispatch loop records every answer before the
    # next message goes (send_message), so a crash leaves at most one message uncertain.
    per_message = True

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise FatalError(
                f"SMTP_URL {url!r} is not smtp://[user:pass@]host:port or smtps://...: fix it"
            )
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username or "")
        self.password = unquote(parts.password or "")
        query = parse_qs(parts.query)
        self.starttls = query.get("starttls", ["0"])[0].lower() in {"1", "true", "yes"}
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None

    @classmethod
    def from_settings(cls) -> SmtpSender:
        return cls(settings.SMTP_URL, timeout=settings.SMTP_TIMEOUT)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def __enter__(self) -> SmtpSender:
        self._connect()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def _connect(self) -> None:
        try:
            if self.implicit_tls:
                conn = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.starttls:
                    conn.starttls(context=ssl.create_default_context())
            if self.username:
                conn.login(self.username, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise FatalError(
                f"the SMTP server {self.where} refused the login ({exc.smtp_code}): "
                "check the user and password in SMTP_URL"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise FatalError(
                f"cannot connect to the SMTP server {self.where}: {exc}; check SMTP_URL "
                "and that the relay is up"
            ) from exc
        self.connection = conn

    def send(self, batch: Batch) -> list[SendResult]:
        results: list[SendResult] = []
        for message in batch.messages():
            try:
                results.append(self.send_message(message))
            except FatalError as exc:
                exc.partial = results
                raise
        return results

    def send_message(self, message: OutgoingMessage) -> SendResult:
        """Hand one message to the relay and return its answer; FatalError when the relay
        cannot take any (unreachable, login or sender refused): this message did not go."""
        data = to_bytes(message)
        message_id = message.headers.get("Message-ID", "")
        envelope_from = parseaddr(message.from_addr)[1]
        for attempt in (1, 2):
            if self.connection is None:
                self._connect()
            try:
                self.connection.sendmail(envelope_from, [message.to], data)
                return SendResult(message.delivery_id, "sent", provider_id=message_id)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()), (0, b""))
                return self._answer(message, code, text)
            except (smtplib.SMTPDataError, smtplib.SMTPResponseException) as exc:
                if isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code >= 500:
                    raise FatalError(
                        f"the SMTP server {self.where} refuses the sender {envelope_from} "
                        f"({exc.smtp_code} {_text(exc.smtp_error)}): check DIGEST_FROM_EMAIL "
                        "and the list's from address"
                    ) from exc
                return self._answer(message, exc.smtp_code, exc.smtp_error)
            except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                self.connection = None
                if attempt == 2:
                    return SendResult(
                        message.delivery_id,
                        "retry",
                        error=f"connection to {self.where} lost twice: {exc or 'closed'}",
                    )
        raise AssertionError("unreachable")

    def _answer(self, message: OutgoingMessage, code: int, text: bytes | str) -> SendResult:
        detail = f"SMTP {code} {_text(text)}".strip()
        if 400 <= code < 500:
            return SendResult(message.delivery_id, "retry", error=detail, code=f"SMTP {code}")
        return SendResult(
            message.delivery_id,
            "failed",
            error=detail,
            bad_address=code in BAD_MAILBOX_CODES,
            code=f"SMTP {code}",
        )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
