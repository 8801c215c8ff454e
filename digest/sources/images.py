"""A story's lead image, as its source names it: WordPress featured media, a page's
``og:image``, a feed item's image enclosure or Media RSS content.

Only the address (http or https), the alt text and the size are kept: the email references the
hosted image and never embeds it. Alt text is the source's own (alt text, else the caption);
the email falls back to the headline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class LeadImage:
    url: str
    alt: str = ""
    width: int | None = None
    height: int | None = None


def _size(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 20_000 else None


def _image(url: Any, alt: Any = "", width: Any = None, height: Any = None) -> LeadImage | None:
    address = str(url or "").strip()
    if not address.startswith(("https://", "http://")) or len(address) > 1000:
        return None
    text = " ".join(html.unescape(_TAGS.sub(" ", str(alt or ""))).split())[:500]
    w, h = _size(width), _size(height)
    if w is None or h is None:
        w = h = None  # a size is only useful whole (it sets the image's height in the email)
    return LeadImage(address, text, w, h)


def from_wordpress(embedded: Mapping[str, Any]) -> LeadImage | None:
    """``_embedded["wp:featuredmedia"][0]`` of a post fetched with ``_embed``."""
    media = embedded.get("wp:featuredmedia") or []
    first = media[0] if isinstance(media, list) and media else None
    if not isinstance(first, Mapping) or first.get("media_type", "image") != "image":
        return None
    details = first.get("media_details") or {}
    caption = first.get("caption") or {}
    caption = caption.get("rendered", "") if isinstance(caption, Mapping) else caption
    return _image(
        first.get("source_url"),
        first.get("alt_text") or caption,
        details.get("width") if isinstance(details, Mapping) else None,
        details.get("height") if isinstance(details, Mapping) else None,
    )


def from_meta(meta: Mapping[str, str]) -> LeadImage | None:
    """A page's Open Graph image (``og:image`` with its alt, width and height)."""
    url = meta.get("og:image:secure_url") or meta.get("og:image") or meta.get("twitter:image")
    return _image(
        url,
        meta.get("og:image:alt") or meta.get("twitter:image:alt"),
        meta.get("og:image:width"),
        meta.get("og:image:height"),
    )


def from_feed_entry(entry: Mapping[str, Any]) -> LeadImage | None:
    """A feed item's image: Media RSS content or thumbnail, else an image enclosure."""
    for media in entry.get("media_content") or []:
        if media.get("medium", "image") == "image" or str(media.get("type", "")).startswith(
            "image/"
        ):
            found = _image(media.get("url"), "", media.get("width"), media.get("height"))
            if found:
                return found
    for enclosure in entry.get("enclosures") or []:
        if str(enclosure.get("type", "")).startswith("image/"):
            found = _image(enclosure.get("href") or enclosure.get("url"))
            if found:
                return found
    for thumbnail in entry.get("media_thumbnail") or []:
        found = _image(thumbnail.get("url"), "", thumbnail.get("width"), thumbnail.get("height"))
        if found:
            return found
    return None
