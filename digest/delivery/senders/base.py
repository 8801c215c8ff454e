"""The seam between the dispatch loop and a delivery backend: ``send(batch) -> results``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol


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
    filename: str = ""  # the outbox file's name, when the delivery id does not make one


@dataclass(frozen=True)
class SendResult:
    delivery_id: int
    status: Literal["sent", "failed", "retry"]
    provider_id: str = ""
    error: str = ""
    bad_address: bool = False


class Sender(Protocol):
    """Backends open once per run (a connection, a folder), send batches, then close."""

    name: str

    def __enter__(self) -> Sender: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def send(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """Answer one result per message; raise FatalError only when nothing can be sent."""
        ...
