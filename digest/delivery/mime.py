"""An OutgoingMessage as the bytes of a MIME email: text part first, then HTML.

Headers are folded by the standard library's SMTP policy (RFC 2047 for Korean) once per
distinct value; short ASCII ones are written directly. The two bodies are quoted-printable
encoded in C (``binascii``) and joined by hand: the ``email`` generator writes line by line in
Python and costs ~9 ms for a 60 KB newsletter, which per recipient would dominate a send.
"""

from __future__ import annotations

import binascii
import re
import uuid
from email.header import Header
from email.policy import SMTP
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .senders.base import OutgoingMessage


def to_bytes(message: OutgoingMessage) -> bytes:
    # "=_" never occurs in quoted-printable text, so the boundary cannot collide with a body.
    boundary = f"=_{uuid.uuid4().hex[:24]}"
    headers = [("From", message.from_addr), ("To", message.to), ("Subject", message.subject)]
    headers += list(message.headers.items())
    headers += [
        ("MIME-Version", "1.0"),
        ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
    ]
    parts = [_header_bytes(name, value) for name, value in headers]
    parts.append(b"\r\n")
    for subtype, content in (("plain", message.text), ("html", message.html)):
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode("ascii")
        )
        parts.append(_qp(content))
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts)


def _header_bytes(name: str, value: str) -> bytes:
    """One folded header line. Short ASCII values (most per-reader ones) skip the policy."""
    if value.isascii() and "\r" not in value and "\n" not in value:
        line = f"{name}: {value}"
        if len(line) <= 78:
            return (line + "\r\n").encode("ascii")
        if name.lower() == "list-unsubscribe":
            return (line.replace(">, <", ">,\r\n <") + "\r\n").encode("ascii")
    return _folded(name, value)


# A space left at the end of a folded line, before the continuation's own leading space.
_SPACE_BEFORE_FOLD = re.compile(rb"[ \t]+\r\n(?=[ \t])")


@lru_cache(maxsize=1024)
def _folded(name: str, value: str) -> bytes:
    """The header folded by the SMTP policy, without its doubled or lost spaces.

    The policy sometimes folds before an encoded word ("…", "외 4건") and keeps the space
    that was there at the end of the line, so a reader's client unfolds "January  tariff"
    with two spaces (the continuation's leading space already stands for it); and it may put
    "외" and "4건" in two encoded words with only the space between them, which decoders drop
    ("외4건"). A non-ASCII subject is therefore written as encoded words that carry their own
    spaces (``email.header.Header``); addresses (From, List-Id) keep the policy."""
    # The same From, List-Id and Subject recur on every message of an edition: fold once.
    if name.lower() == "subject" and not value.isascii():
        words = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
        return f"{name}: {words}\r\n".encode("ascii")
    folded = SMTP.fold_binary(name, SMTP.header_store_parse(name, value)[1])
    if "  " in value:  # the sender meant runs of spaces: keep them as folded
        return folded
    return _SPACE_BEFORE_FOLD.sub(b"\r\n", folded)


def _qp(content: str) -> bytes:
    lines = content.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(lines, istext=True).replace(b"\n", b"\r\n")
