"""A list's UTM tags added to the story links of its emails (optional, per list)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def with_utm(url: str, params: str) -> str:
    """``url`` with the list's ``utm_*`` tags (a query string such as
    ``utm_source=newsletter&utm_medium=email``). Tags the link already has are kept, not
    doubled; anything in ``params`` that is not a ``utm_`` tag is ignored, so a list setting
    cannot change where a link leads."""
    if not url or not params:
        return url
    tags = [(k, v) for k, v in parse_qsl(params.lstrip("?&")) if k.startswith("utm_")]
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    query += [(k, v) for k, v in tags if k not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))
