"""Dates as the site prints them, read into aware UTC datetimes."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

WEEKDAY_DATE = re.compile(
    r"^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4}$"
)
DOTTED = re.compile(r"^(\d{4})\.\s?(\d{1,2})\.\s?(\d{1,2})\.?(?:\s+(\d{1,2}):(\d{2}))?$")
ISO_LIKE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$")
KOREAN = re.compile(
    r"^(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일(?:\s*(오전|오후)?\s*(\d{1,2}):(\d{2}))?$"
)
SEOUL = ZoneInfo("Asia/Seoul")
PUBLISHED = re.compile(r"^(?:published|posted|updated|date|입력|발행)\s*:?\s*(.+)$", re.I)

_ENGLISH_FORMATS = (
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y %H:%M",
    "%b %d, %Y %H:%M",
    "%B %d, %Y",
    "%b %d, %Y",
    "%A, %B %d, %Y",
    "%A, %b %d, %Y",
    "%d %B %Y",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%d %b %Y",
)


def parse_local(text: str, tz: ZoneInfo) -> tuple[dt.datetime, bool] | None:
    """Read a printed date, as (aware UTC datetime, has_time); None when it is not a date.

    Times without a zone are the site's local time. A date without a time is placed at local
    noon, so it stays on the same day in any nearby time zone.
    """
    text = " ".join(text.replace(".,", ",").split()).strip()
    if not text:
        return None
    for pattern in (DOTTED, ISO_LIKE):
        m = pattern.match(text)
        if m:
            y, mo, d, h, mi = m.groups()
            return _to_utc(int(y), int(mo), int(d), h, mi, tz)
    m = KOREAN.match(text)
    if m:
        y, mo, d, ampm, h, mi = m.groups()
        if h is not None and ampm == "오후" and int(h) < 12:
            h = str(int(h) + 12)
        elif h is not None and ampm == "오전" and int(h) == 12:
            h = "0"
        return _to_utc(int(y), int(mo), int(d), h, mi, tz)
    # A time marked KST is Seoul's, not the site's.
    zone = SEOUL if re.search(r"(?:\(KST\)|\sKST)$", text) else tz
    cleaned = re.sub(r"\s*\((?:PT|PST|PDT|KST)\)$|\s+(?:PT|PST|PDT|KST)$", "", text)
    cleaned = re.sub(
        r"\b(a\.m\.|p\.m\.)", lambda m: m.group(1).replace(".", ""), cleaned, flags=re.I
    )
    # AP style: "Nov. 23, 2026, 6:05 p.m." reads as "Nov 23, 2026 6:05 pm".
    cleaned = re.sub(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.", r"\1", cleaned)
    cleaned = re.sub(r"\bSept\b", "Sep", cleaned)
    cleaned = re.sub(r"(\d{4}),\s+(?=\d)", r"\1 ", cleaned)
    for fmt in _ENGLISH_FORMATS:
        try:
            parsed = dt.datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        has_time = "%H" in fmt or "%I" in fmt
        if not has_time:
            return parsed.replace(hour=12, tzinfo=tz).astimezone(dt.UTC), False
        return parsed.replace(tzinfo=zone).astimezone(dt.UTC), True
    return None


def _to_utc(y: int, mo: int, d: int, h: str | None, mi: str | None, tz: ZoneInfo):
    try:
        local = dt.datetime(y, mo, d, int(h) if h else 12, int(mi) if mi else 0, tzinfo=tz)
    except ValueError:
        return None
    return local.astimezone(dt.UTC), h is not None
