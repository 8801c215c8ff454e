"""How long a story takes to read, shown beside its byline ("3 min read", "3분 분량")."""

from __future__ import annotations

import math

# Typical silent reading speeds of news prose: words a minute in English, characters (not
# counting spaces) a minute in Korean.
WORDS_PER_MINUTE = 230
KOREAN_CHARACTERS_PER_MINUTE = 500


def reading_minutes(body: str, language: str) -> int | None:
    """Whole minutes, at least 1; None for no text (a manual item without an article)."""
    if not body.strip():
        return None
    if language == "ko":
        amount = sum(1 for ch in body if not ch.isspace()) / KOREAN_CHARACTERS_PER_MINUTE
    else:
        amount = len(body.split()) / WORDS_PER_MINUTE
    return max(1, math.ceil(amount))
