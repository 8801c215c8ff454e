"""The client's address, the one thing every limit and log keys on: the subscribe limit, the
login lockout, the consent log.

Behind reverse proxies every connection comes from the nearest proxy, so REMOTE_ADDR alone
would put all readers behind one address (one subscribe limit, one lockout for everyone).
Each proxy appends the address it received the request from to ``X-Forwarded-For``; what a
client sends in that header itself stands to the left. So with ``DIGEST_TRUSTED_PROXIES = N``
the client is the N-th address from the right, the one the outermost trusted proxy saw;
anything further left is the client's own claim and never believed. With 0 (the default) the
header is ignored altogether.

Here rather than in ``digest`` because this app needs it too and never imports ``digest``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address as text, or None when the request has none (a test client).

    Falls back to REMOTE_ADDR when the header has fewer addresses than there are trusted
    proxies or the N-th is not an IP address: a request that did not come through every
    proxy, or a misconfigured one, is keyed on the address that really connected.
    """
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    hops = settings.DIGEST_TRUSTED_PROXIES
    if hops <= 0:
        return remote
    header = request.META.get(_meta_key(settings.DIGEST_FORWARDED_FOR_HEADER), "")
    chain = [part.strip() for part in header.split(",") if part.strip()]
    if len(chain) < hops:
        return remote
    return _ip(chain[-hops]) or remote


def _meta_key(header: str) -> str:
    """``X-Forwarded-For`` -> ``HTTP_X_FORWARDED_FOR``, as WSGI servers name it."""
    return "HTTP_" + header.upper().replace("-", "_")


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
