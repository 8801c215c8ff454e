"""The file outbox: one ``.eml`` per recipient under ``<outbox>/<list>/<date>/``.

The default backend: the demo, previews and a newsroom without a mail provider yet.
"""

from __future__ import annotations

import errno
import os
import re
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from ..errors import FatalError
from ..mime import to_bytes
from .base import Batch, OutgoingMessage, Sender, SendResult

UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


class OutboxSender(Sender):
    name = "outbox"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    @classmethod
    def from_settings(cls) -> OutboxSender:
        return cls(settings.DIGEST_OUTBOX_DIR)

    def path_for(self, message: OutgoingMessage) -> Path:
        # Transactional mail has no delivery id; a random prefix keeps every copy.
        prefix = f"{message.delivery_id:08d}" if message.delivery_id else uuid.uuid4().hex[:12]
        stem = f"{prefix}-{message.to}"
        name = f"{UNSAFE.sub('_', stem)[:100]}.eml"
        return self.directory / message.folder / name

    def send(self, batch: Batch) -> list[SendResult]:
        return self.write(batch.messages())

    def write(self, messages: Iterable[OutgoingMessage]) -> list[SendResult]:
        results = []
        for message in messages:
            path = self.path_for(message)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(".eml.part")
                partial.write_bytes(to_bytes(message))
                os.replace(partial, path)  # a reader never sees half a message
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
                    raise FatalError(
                        f"cannot write to the outbox {self.directory}: {exc.strerror}; "
                        "free space or fix permissions",
                        partial=results,
                    ) from exc
                results.append(SendResult(message.delivery_id, "retry", error=str(exc)))
                continue
            results.append(SendResult(message.delivery_id, "sent", provider_id=str(path)))
        return results
