"""A sender that keeps messages in a list: the test double, shipped beside the real ones."""

from __future__ import annotations

from collections.abc import Callable

from .base import Batch, OutgoingMessage, Sender, SendResult


class MemorySender(Sender):
    name = "memory"

    def __init__(self, answer: Callable[[OutgoingMessage], SendResult] | None = None) -> None:
        self.sent: list[OutgoingMessage] = []
        self.batches: list[Batch] = []
        self.answer = answer

    @classmethod
    def from_settings(cls) -> MemorySender:
        return cls()

    def send(self, batch: Batch) -> list[SendResult]:
        self.batches.append(batch)
        results = []
        for message in batch.messages():
            result = (
                self.answer(message)
                if self.answer
                else SendResult(
                    message.delivery_id, "sent", provider_id=f"mem-{message.delivery_id}"
                )
            )
            if result.status == "sent":
                self.sent.append(message)
            results.append(result)
        return results
