"""The seam between the dispatch loop and a delivery backend: ``send(batch) -> results``.

A ``Batch`` is one variant of an edition (a shared subject and body with placeholders) and
the readers it goes to, each with the few values and headers that are theirs. A provider that
personalizes on its side (SendGrid substitutions) sends the shared body once per request; a
backend that sends finished messages (SMTP, the file outbox) calls ``batch.messages()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Literal, Protocol

from ...render import substitute


@dataclass(frozen=True)
class OutgoingMessage:
    """One reader's finished email: everything a backend needs, nothing it must look up."""

    delivery_id: int
    to: str
    from_addr: str  # "Name <address>"
    subject: str
    html: str
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)
    folder: str = ""  # where the file outbox puts it: "<list>/<date>"


@dataclass(slots=True)  # not frozen: a million per edition, and frozen init costs 3 times more
class Recipient:
    """One reader of a batch: their address, their placeholder values, their own headers."""

    delivery_id: int
    to: str
    values: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """One variant of an edition and the readers it goes to."""

    from_addr: str
    subject: str
    html: str  # with placeholders
    text: str
    recipients: Sequence[Recipient]
    headers: Mapping[str, str] = field(default_factory=dict)  # the same for every reader
    edition_id: int = 0
    category: str = ""  # the list's slug: a SendGrid category, a folder name
    folder: str = ""

    def messages(self) -> Iterator[OutgoingMessage]:
        """Each reader's finished message, in the batch's order."""
        for recipient in self.recipients:
            yield self.message(recipient)

    def message(self, recipient: Recipient) -> OutgoingMessage:
        """One reader's finished message: a few string replacements, and the Date and
        Message-ID headers that a provider like SendGrid would add itself."""
        domain = parseaddr(self.from_addr)[1].rpartition("@")[2] or "localhost"
        page, text = substitute(self.html, self.text, recipient.values)
        own = {
            "Date": format_datetime(datetime.now(UTC)),
            "Message-ID": make_msgid(f"{self.edition_id}.{recipient.delivery_id}", domain=domain),
        }
        return OutgoingMessage(
            delivery_id=recipient.delivery_id,
            to=recipient.to,
            from_addr=self.from_addr,
            subject=self.subject,
            html=page,
            text=text,
            headers={**own, **self.headers, **recipient.headers},
            folder=self.folder,
        )


@dataclass(slots=True)  # not frozen: one per reader, as Recipient
class SendResult:
    delivery_id: int
    status: Literal["sent", "failed", "retry"]
    provider_id: str = ""
    error: str = ""
    bad_address: bool = False


class Sender(Protocol):
    """Backends open once per run (a connection, a folder), send batches, then close.

    A backend that hands the provider one message at a time and hears its answer for each
    (SMTP) sets ``per_message = True`` and offers ``send_message(message) -> SendResult``:
    the dispatch loop then records each answer before the next message goes, so a crash
    leaves at most the message in flight uncertain rather than the whole batch.
    """

    name: str

    def __enter__(self) -> Sender: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def send(self, batch: Batch) -> list[SendResult]:
        """Answer one result per recipient; raise FatalError only when nothing can be sent."""
        ...
