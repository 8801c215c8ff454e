"""One address per article: tracking parameters, fragments and cosmetic differences removed."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "mc_", "fbclid", "gclid", "igshid", "_ga", "ref", "cmpid")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return url
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(TRACKING_PREFIXES)
    ]
    path = parts.path.rstrip("/") or ""
    host = parts.netloc.lower().removesuffix(":443" if parts.scheme == "https" else ":80")
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))
