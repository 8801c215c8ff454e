"""Article text is text: the one allow-list any HTML goes through before it reaches an email.

Bodies are stored as plain paragraphs, so most of the pipeline never sees markup. Where a
fragment of HTML is worth keeping (a feed's own summary, say), ``safe_html`` passes it through
nh3 with a short allow-list: no scripts, styles, iframes, event handlers or ``javascript:``
links survive, whatever a partner's feed sends.
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {"p", "br", "a", "b", "strong", "i", "em", "ul", "ol", "li", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


def safe_html(fragment: str) -> str:
    """The fragment with only harmless markup left; script and style contents are dropped."""
    return nh3.clean(
        fragment or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain(text: str) -> str:
    """Text with control characters and zero-width junk removed (they break mail clients)."""
    return _CONTROL.sub("", text or "")
