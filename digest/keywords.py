"""A section's keywords: how editors write them, and how they are found in a story.

``Section.keywords`` is a JSON list whose entries are either a word (weight 1) or a word with
its weight, ``["summit", 0.5]``. The weight says how specific the word is: 2 for a word that
nearly decides the section on its own ("tariff", "총영사관"), 1 for an ordinary one, below 1
for a generic word ("residents", "주민") that adds to a section's score but never makes one
alone: a section scores only when one of its words of weight 1 or more is found, or two
different generic ones.

Finding them:

- **English** (and any Latin-script word) on word edges, case-insensitive, with the simple
  inflections of the last word: "tariff" finds "tariffs", "export" finds "exported" and
  "exporting", "ally" finds "allies"; "exporter" and "trademark" are other words. A word
  written in capitals ("LA", "ICE") is found only in capitals and as written.
- **Korean** by morphemes (``digest.korean_morphemes``): a keyword finds a word with its particles
  ("한인회가", "관세를") and a compound's part ("한미동맹" holds "동맹"), but never the inside
  of another morpheme ("비자" is not in "서류미비자", nor "한인" in "북한인권"). A space in a
  Korean keyword ("무역 협상") matches a space or none. Latin letters next to Hangul count as
  their own word ("LA에서" holds "LA").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.core.exceptions import ValidationError

from .korean_morphemes import HANGUL, MARK, mark_morphemes

SPECIFIC = 1.0  # a word of at least this weight can make a section's score
MAX_WEIGHT = 10.0

_LATIN = "0-9A-Za-z\u00c0-\u024f"
_CAPITALS = re.compile(r"[A-Z]{2,}")
_VOWELS = "aeiou"


@dataclass(frozen=True)
class Keyword:
    word: str
    weight: float = 1.0

    @property
    def specific(self) -> bool:
        return self.weight >= SPECIFIC


def parse_keywords(entries: object) -> tuple[tuple[Keyword, ...], list[str]]:
    """The keywords of a ``Section.keywords`` value, and a message for each entry that is not
    one (so the admin can refuse them and a run can go on without them)."""
    if entries in (None, ""):
        return (), []
    if not isinstance(entries, list):
        return (), ['write a list, e.g. ["tariff", ["summit", 0.5]]']
    found: list[Keyword] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, start=1):
        try:
            keyword = _entry(entry)
        except ValueError as exc:
            problems.append(f"entry {n}: {exc}")
            continue
        folded = keyword.word.casefold()
        if folded in seen:
            problems.append(f"entry {n}: {keyword.word!r} is listed twice")
            continue
        seen.add(folded)
        found.append(keyword)
    return tuple(found), problems


def validate_keywords(value: object) -> None:
    """The field validator behind the admin: every entry a word or ``["word", weight]``."""
    _, problems = parse_keywords(value)
    if problems:
        raise ValidationError("; ".join(problems))


def _entry(entry: object) -> Keyword:
    weight: object = 1.0
    if isinstance(entry, list) and len(entry) == 2:
        entry, weight = entry
    if not isinstance(entry, str):
        raise ValueError('write "word" or ["word", weight]')
    word = " ".join(entry.split())
    if not word:
        raise ValueError("an empty word")
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not math.isfinite(weight)
        or not 0 < weight <= MAX_WEIGHT
    ):
        raise ValueError(f"{word!r}: the weight must be a number above 0, at most {MAX_WEIGHT:g}")
    return Keyword(word, float(weight))


class Text:
    """One part of a story (headline, lead, rest) cut into words once, shared by every
    section's matcher; cut into morphemes too only when a Korean keyword first needs it."""

    def __init__(self, raw: str) -> None:
        self.raw = raw

    @cached_property
    def words(self) -> list[tuple[str, str]]:
        return _units(self.raw)

    @cached_property
    def morphemes(self) -> list[tuple[str, str]]:
        marked = mark_morphemes(self.raw)
        return self.words if marked == self.raw else _units(marked)


@dataclass(frozen=True)
class Matcher:
    """All of one section's keywords, spelled every way they may appear, for lookups word by
    word: a story costs a few dictionary lookups a word, however many keywords there are.

    Each place in the text counts once, for the longest keyword found there, so "supply chain"
    is not also a "chain", and "LA한인회" not also an "LA".
    """

    keywords: tuple[Keyword, ...]  # as written, each word once
    folded: dict[str, Keyword]  # spellings of keywords found in any case
    exact: dict[str, Keyword]  # spellings of keywords written in capitals
    prefixes: frozenset[str]  # every beginning of a spelling, for stopping early
    longest: int
    korean: bool

    def count(self, text: Text) -> Counter[Keyword]:
        found: Counter[Keyword] = Counter()
        if not (self.folded or self.exact):
            return found
        units = text.morphemes if self.korean else text.words
        n, i = len(units), 0
        while i < n:
            best, end, j = None, i, i
            spelled = units[i][1]
            while True:
                keyword = self.exact.get(spelled) or self.folded.get(spelled.casefold())
                if keyword:
                    best, end = keyword, j
                j += 1
                if j == n or len(spelled) >= self.longest:
                    break
                spelled = f"{spelled}{units[j][0]}{units[j][1]}"
                if spelled.casefold() not in self.prefixes:
                    break
            if best:
                found[best] += 1
                i = end + 1
            else:
                i += 1
        return found


@lru_cache(maxsize=512)
def matcher(keywords: tuple[Keyword, ...]) -> Matcher:
    """The matcher of a keyword tuple (cached: sections rarely change)."""
    by_word: dict[str, Keyword] = {}
    for keyword in keywords:
        by_word.setdefault(keyword.word.casefold(), keyword)
    unique = tuple(by_word.values())
    folded: dict[str, Keyword] = {}
    exact: dict[str, Keyword] = {}
    for keyword in unique:
        capitals = bool(_CAPITALS.search(keyword.word)) and not re.search("[a-z]", keyword.word)
        for spelling in _spellings(keyword.word, inflect=not capitals):
            if capitals:
                exact.setdefault(spelling, keyword)
            else:
                folded.setdefault(spelling.casefold(), keyword)
    spellings = [*folded, *(s.casefold() for s in exact)]
    prefixes = frozenset(s[:end] for s in spellings for end in range(1, len(s) + 1))
    korean = any(HANGUL.search(k.word) for k in unique)
    longest = max(map(len, spellings), default=0)
    return Matcher(unique, folded, exact, prefixes, longest, korean)


_UNIT = re.compile(f"[{_LATIN}]+|[\uac00-\ud7a3]+")
_JOINERS = re.compile(r"[\s\-\u2010-\u2013]+")


def _units(text: str) -> list[tuple[str, str]]:
    """The words (Latin) and morphemes (Hangul) of a text, each with the gap before it as a
    keyword spells it: nothing inside a word, one space for spaces and hyphens, else as is."""
    units = []
    last = 0
    for m in _UNIT.finditer(text):
        units.append((_gap(text[last : m.start()]), m.group()))
        last = m.end()
    return units


def _gap(between: str) -> str:
    between = between.replace(MARK, "")
    if not between:
        return ""
    return " " if _JOINERS.fullmatch(between) else between


def _spellings(word: str, inflect: bool) -> set[str]:
    """Every way a keyword is spelled in a text cut into units: a space in a Korean phrase may
    be missing ("무역 협상", "무역협상"); the last English word may be inflected."""
    units = _units(word)
    if not units:
        return set()
    gaps = [gap for gap, _ in units[1:]]
    forms = [text for _, text in units]
    tails = _inflections(forms[-1]) if inflect else {forms[-1]}
    spelled: set[str] = {forms[0]} if len(forms) > 1 else set(tails)
    for n, (gap, form) in enumerate(zip(gaps, forms[1:], strict=True), start=1):
        endings = tails if n == len(forms) - 1 else {form}
        options = {gap}
        if gap == " " and HANGUL.match(forms[n - 1][-1]) and HANGUL.match(form[0]):
            options.add("")
        spelled = {f"{s}{g}{e}" for s in spelled for g in options for e in endings}
    return spelled


def _inflections(word: str) -> set[str]:
    """A lower-case English word and its simple inflections: -s/-es, -ed, -ing, y → ies."""
    if len(word) < 3 or not word.isalpha() or not word.isascii() or word != word.lower():
        return {word}
    if word[-1] == "y" and word[-2] not in _VOWELS:
        return {word, f"{word[:-1]}ies", f"{word[:-1]}ied", f"{word}ing"}
    if word[-1] == "e":
        return {word, f"{word}s", f"{word}d", f"{word[:-1]}ing"}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return {word, f"{word}es", f"{word}ed", f"{word}ing"}
    forms = {word, f"{word}s", f"{word}ed", f"{word}ing"}
    if word[-1] not in _VOWELS + "wxy" and word[-2] in _VOWELS and word[-3] not in _VOWELS:
        forms |= {f"{word}{word[-1]}ed", f"{word}{word[-1]}ing"}  # ship: shipped, shipping
    return forms
