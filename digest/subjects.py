"""Subject line and preheader from an edition's top stories."""

from __future__ import annotations

from collections.abc import Sequence

SUBJECT_MAX = 90
PREHEADER_MAX = 140


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut, so a subject never ends mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:·-—") + "…"


def subject_for(headlines: Sequence[str], language: str) -> str:
    """The top headline, and how many more stories follow."""
    if not headlines:
        return ""
    more = len(headlines) - 1
    if not more:
        return shorten(headlines[0], SUBJECT_MAX)
    suffix = f" 외 {more}건" if language == "ko" else f" + {more} more"
    return shorten(headlines[0], SUBJECT_MAX - len(suffix)) + suffix


def preheader_for(headlines: Sequence[str], language: str) -> str:
    """The next headlines after the top one: the line inboxes show under the subject."""
    rest = list(headlines[1:4])
    if not rest:
        return ""
    lead = "함께 보기: " if language == "ko" else "Also: "
    return shorten(lead + " · ".join(rest), PREHEADER_MAX)
