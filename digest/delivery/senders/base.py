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
from typing import Literal

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
    code: str = ""  # the provider's answer in brief, for summaries: "SMTP 550", "SendGrid 400"


class Sender:
    """The contract between the dispatch loop and a delivery backend.

    Required of every backend:

    - ``name``: how summaries and logs call it ("smtp").
    - ``from_settings()``: the backend as the operator's settings configure it. Backends are
      chosen by ``DIGEST_SENDER``, an alias of ``senders.SENDERS`` or a dotted path to a
      subclass (as Django chooses its email backends); helper processes of a run rebuild
      theirs from the same key, so a backend must be buildable from settings alone.
    - ``send(batch) -> list[SendResult]``: one result per recipient of the batch, in any
      order. A refused recipient is a ``failed`` result (``bad_address`` when the provider
      says the mailbox does not exist); "try later" is a ``retry`` result. Raise
      ``FatalError`` only when nothing more can be sent (bad credentials, a relay that is
      down, a full disk), with ``partial`` holding the results answered before it.
    - Used as a context manager around a run: open a connection or folder once in
      ``__enter__``, close it in ``__exit__`` (both do nothing by default).

    Headers: a batch's ``headers`` (List-Id, List-Unsubscribe-Post, X-Digest-Edition,
    Reply-To) and each recipient's ``headers`` (List-Unsubscribe, X-Digest-Delivery) must
    reach the reader as they are; Date and Message-ID are the backend's (``Batch.message``
    adds them for backends that send finished messages). A provider that takes headers as
    data rather than as a message (SendGrid) passes this allow-list and nothing else:
    List-Id, List-Unsubscribe, List-Unsubscribe-Post, Reply-To (as its own field) and every
    header of the product's own, ``X-Digest-*`` (Edition, Delivery, ``X-Digest-Test: 1`` on
    a desk test, ``X-Digest-Notice`` on an editors' or error notice). A new header the
    product sends is named ``X-Digest-...`` so that it reaches readers through every backend.

    Optional capabilities, each declared by a class attribute the dispatch loop reads (never
    probed for):

    - ``overlap = True``: ``send``/``send_prepared`` only talk to the provider (no database,
      no shared state), so the loop may call them from a second thread while it prepares
      the next batch.
    - ``prepare(batch)`` / ``send_prepared(payload)``: build the provider's requests in the
      loop's own thread (SendGrid's JSON) and send them later; by default the batch is its
      own payload and ``send_prepared`` is ``send``.
    - ``per_message = True`` with ``send_message(message) -> SendResult``: the provider
      answers each message (SMTP). The loop then records each answer before the next
      message goes, so a crash leaves at most the message in flight uncertain.
    """

    name: str = ""
    overlap: bool = False
    per_message: bool = False

    @classmethod
    def from_settings(cls) -> Sender:
        raise NotImplementedError(f"{cls.__name__} cannot be built from the settings")

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def send(self, batch: Batch) -> list[SendResult]:
        """Answer one result per recipient; raise FatalError only when nothing can be sent."""
        raise NotImplementedError

    def prepare(self, batch: Batch) -> object:
        """What ``send_prepared`` takes for this batch (by default, the batch itself)."""
        return batch

    def send_prepared(self, payload) -> list[SendResult]:
        return self.send(payload)

    def send_message(self, message: OutgoingMessage) -> SendResult:
        """One finished message and its answer (``per_message`` backends)."""
        raise NotImplementedError(f"{type(self).__name__} does not send message by message")
