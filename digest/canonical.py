"""One address per article: tracking parameters, fragments and cosmetic differences removed.

Two addresses that a reader would land on the same story from must give the same string here,
since ``Article.url`` is unique on it: ``?utm_source=...`` from a newsletter share, ``#comments``
from a feed, a trailing slash, the AMP copy of a WordPress post. A WordPress ``?p=NNN`` link is
kept as it is (the post's id); the collector matches it to the slug address through the guid.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "mc_", "_hs", "hsa_", "pk_", "vero_", "oly_")
TRACKING_NAMES = {
    "fbclid",
    "gclid",
    "dclid",
    "gclsrc",
    "msclkid",
    "yclid",
    "igshid",
    "twclid",
    "_ga",
    "_gl",
    "ref",
    "ref_src",
    "cmpid",
    "ncid",
    "ocid",
    "spm",
    "s_cid",
    "sr_share",
    "amp",
}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in {"http", "https"} or not parts.netloc:
            return url
        query = [
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)
        ]
        path = parts.path.rstrip("/")
        if path.endswith("/amp"):  # the AMP copy of a WordPress post is the post
            path = path[: -len("/amp")].rstrip("/")
        host = parts.netloc.lower().removesuffix(":443" if scheme == "https" else ":80")
        return urlunsplit((scheme, host, path, urlencode(query), ""))
    except ValueError:  # an address urllib cannot take apart (a broken IPv6 host, say)
        return url


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)
