"""Assign each article one newsletter section.

Evidence in order of trust: the site's own category (an editor chose it), then weighted
keywords (title hits count triple, since a headline states the topic), then the catch-all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

CATEGORY_SCORE = 100.0
TITLE_WEIGHT = 3
BODY_WEIGHT = 1
BODY_CAP = 5  # per keyword, so one word repeated through a long story cannot dominate
MIN_KEYWORD_SCORE = 2

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Latin keywords need word edges, but only against Latin letters and digits: Hangul counts as
# a word character to ``\b``, and "LA에서" must still match "LA".
_LATIN = "0-9A-Za-z\u00c0-\u024f"


@dataclass(frozen=True)
class SectionRule:
    key: str
    keywords: tuple[str, ...] = ()
    category_hints: tuple[str, ...] = ()
    position: int = 0
    catch_all: bool = False


@dataclass(frozen=True)
class Classification:
    key: str
    score: float
    reason: str


class Classifier(Protocol):
    def classify(
        self, title: str, body: str, categories: Sequence[str], rules: Sequence[SectionRule]
    ) -> Classification:
        """Pick the section for one article."""
        ...


class KeywordClassifier:
    """Category hints first, then title-weighted keyword counts, then the catch-all."""

    def classify(
        self, title: str, body: str, categories: Sequence[str], rules: Sequence[SectionRule]
    ) -> Classification:
        if not rules:
            raise ValueError("no section rules to classify with")
        ordered = sorted(rules, key=lambda rule: rule.position)
        candidates = [rule for rule in ordered if not rule.catch_all]
        return (
            _by_category(categories, candidates)
            or _by_keywords(title, body, candidates)
            or _catch_all(ordered)
        )


_default = KeywordClassifier()


def classify(
    title: str, body: str, categories: Sequence[str], rules: Sequence[SectionRule]
) -> Classification:
    """Classify with the default keyword classifier."""
    return _default.classify(title, body, categories, rules)


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _by_category(categories: Sequence[str], rules: list[SectionRule]) -> Classification | None:
    hinted = [(rule, {_normalise(hint) for hint in rule.category_hints}) for rule in rules]
    for category in categories:
        wanted = _normalise(category)
        for rule, hints in hinted:  # already in position order, so the first hit wins ties
            if wanted and wanted in hints:
                return Classification(rule.key, CATEGORY_SCORE, f"category {category.strip()!r}")
    return None


def _by_keywords(title: str, body: str, rules: list[SectionRule]) -> Classification | None:
    best: tuple[int, SectionRule, dict[str, int]] | None = None
    for rule in rules:
        if not rule.keywords:
            continue
        pattern, names = _compile(tuple(rule.keywords))
        in_title = Counter(names[m.lastgroup] for m in pattern.finditer(title) if m.lastgroup)
        in_body = Counter(names[m.lastgroup] for m in pattern.finditer(body) if m.lastgroup)
        points = {
            keyword: TITLE_WEIGHT * in_title[keyword]
            + BODY_WEIGHT * min(in_body[keyword], BODY_CAP)
            for keyword in names.values()
        }
        score = sum(points.values())
        if best is None or score > best[0]:  # strict, so the earlier position keeps a tie
            best = (score, rule, points)
    if best is None or best[0] < MIN_KEYWORD_SCORE:
        return None
    score, rule, points = best
    hits = sorted(((p, k) for k, p in points.items() if p), key=lambda pk: -pk[0])
    reason = "keywords: " + ", ".join(f"{keyword}×{p}" for p, keyword in hits)
    return Classification(rule.key, float(score), reason)


def _catch_all(ordered: list[SectionRule]) -> Classification:
    rule = next((rule for rule in ordered if rule.catch_all), ordered[-1])
    return Classification(rule.key, 0.0, "no match: catch-all")


@lru_cache(maxsize=512)
def _compile(keywords: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern per section; group names map each hit back to the keyword as written."""
    unique: dict[str, str] = {}
    for keyword in keywords:
        keyword = " ".join(keyword.split())
        if keyword:
            unique.setdefault(keyword.casefold(), keyword)
    names = {f"k{index}": keyword for index, keyword in enumerate(unique.values())}
    if not names:
        return re.compile("(?!)"), names
    # Longest first, so "supply chain" is taken whole before "chain" can claim part of it.
    by_length = sorted(names.items(), key=lambda item: -len(item[1]))
    # Korean keywords match inside words ("관세를", "한인회는") and go first, so "LA한인회"
    # is not claimed by "LA".
    branches = [f"(?P<{n}>{_words(k)})" for n, k in by_length if _HANGUL.search(k)]
    latin = [f"(?P<{n}>{_words(k)})" for n, k in by_length if not _HANGUL.search(k)]
    if latin:
        branches.append(rf"(?<![{_LATIN}])(?:{'|'.join(latin)})(?![{_LATIN}])")
    # The leading class lets the engine skip positions where no keyword can start: with tens
    # of alternatives this makes a scan several times faster.
    first = "".join(sorted({re.escape(k[0]) for k in names.values()}))
    return re.compile(rf"(?=[{first}])(?:{'|'.join(branches)})", re.IGNORECASE), names


def _words(keyword: str) -> str:
    return r"\s+".join(re.escape(word) for word in keyword.split())
