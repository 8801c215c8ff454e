"""Near-duplicate bodies: the same wire story on two sites, or a post republished.

Word shingles (five words in a row) of two bodies are compared by containment: how much of
the shorter one is inside the other. A wire story with a different intro line or an added
paragraph still shares nearly all of its shingles; two different stories share almost none.
An inverted index over a sample of the shingles finds the candidates without comparing each
new article with every stored one.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable

SHINGLE = 5
SAMPLE = 4  # index one shingle in four (by hash), enough to find candidates
MIN_SHINGLES = 12  # shorter bodies are too short to call duplicates safely
THRESHOLD = 0.8

_WORD = re.compile(r"\w+")


def _shingles(text: str) -> frozenset[int]:
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE:
        return frozenset()
    return frozenset(
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(len(words) - SHINGLE + 1)
    )


def _containment(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


class NearDuplicateIndex:
    """Bodies by id and language; ``find`` returns the id of a near-identical one, if any.

    ``load`` yields ``(id, language, body)`` of the stored articles worth comparing with; it
    runs once, on the first ``find``, so a run that needs no comparison reads nothing.
    """

    def __init__(self, load: Callable[[], Iterable[tuple[int, str, str]]] | None = None):
        self._load = load
        self._bodies: dict[int, tuple[str, frozenset[int]]] = {}
        self._index: dict[int, set[int]] = {}

    def add(self, key: int, language: str, body: str) -> None:
        self._ensure_loaded()
        self._add(key, language, body)

    def find(self, language: str, body: str) -> int | None:
        self._ensure_loaded()
        mine = _shingles(body)
        if len(mine) < MIN_SHINGLES:
            return None
        votes: Counter[int] = Counter()
        for h in mine:
            if h % SAMPLE == 0:
                for key in self._index.get(h, ()):
                    votes[key] += 1
        for key, _ in votes.most_common(5):
            lang, theirs = self._bodies[key]
            if (
                lang == language
                and len(theirs) >= MIN_SHINGLES
                and _containment(mine, theirs) >= THRESHOLD
            ):
                return key
        return None

    def _ensure_loaded(self) -> None:
        if self._load is not None:
            load, self._load = self._load, None
            for key, language, body in load():
                self._add(key, language, body)

    def _add(self, key: int, language: str, body: str) -> None:
        old = self._bodies.get(key)
        if old:
            for h in old[1]:
                if h % SAMPLE == 0:
                    self._index.get(h, set()).discard(key)
        found = _shingles(body)
        self._bodies[key] = (language, found)
        for h in found:
            if h % SAMPLE == 0:
                self._index.setdefault(h, set()).add(key)
