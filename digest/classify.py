"""Assign each article one newsletter section, and say how sure the choice is.

Evidence in order of trust: the site's own category (an editor chose it), then keywords, then
the catch-all. Keywords (``digest.keywords``: weighted by how specific they are, Korean found
by morphemes) count three times in the headline and twice in the lead, since a story states
its topic there; a keyword's count in the body is capped, so one word repeated through a long
story cannot carry it. A section scores only when one of its specific keywords is found, or
two different generic ones: one generic word alone never decides a section.

A choice can be weak: when no section reaches ``MIN_KEYWORD_SCORE`` the article goes to the
catch-all, and when the best section leads the next by ``THIN_MARGIN`` or less (a tie
included) it goes to the best one. Either way the classification is **thin** and names the
runner-up, for an editor to look at; a tie is never settled silently by section order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .keywords import SPECIFIC, Keyword, Text, matcher

CATEGORY_SCORE = 100.0
HEADLINE_WEIGHT = 3
LEAD_WEIGHT = 2
BODY_WEIGHT = 1
BODY_CAP = 5  # found this many times in lead and body together, a keyword counts no more
MIN_KEYWORD_SCORE = 2
THIN_MARGIN = 1
GENERIC_TOGETHER = 2  # generic keywords that make a score together, without a specific one
LEAD_CHARS = 500  # a story without paragraphs still has a lead, not a lead of any length

_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class SectionRule:
    """What places an article in one section; ``keywords`` are words (weight 1) or
    ``Keyword`` objects with their weight."""

    key: str
    keywords: tuple[str | Keyword, ...] = ()
    category_hints: tuple[str, ...] = ()
    position: int = 0
    catch_all: bool = False

    def weighted_keywords(self) -> tuple[Keyword, ...]:
        return tuple(k if isinstance(k, Keyword) else Keyword(k) for k in self.keywords)


@dataclass(frozen=True)
class Classification:
    """The chosen section and how sure the choice is.

    ``runner_up`` is the best other section by keywords (None when no other scored);
    ``margin`` is how far the choice leads it (0 when nothing reached the minimum); ``thin``
    says the choice is weak and worth an editor's look.
    """

    key: str
    score: float
    reason: str
    runner_up: str | None = None
    margin: float = 0.0
    thin: bool = False


@dataclass(frozen=True)
class Hit:
    """One keyword found in a story: how often in each place, and the points it gives."""

    word: str
    weight: float
    headline: int
    lead: int
    body: int
    points: float


@dataclass(frozen=True)
class SectionScore:
    """A section's keyword evidence for one story; ``score`` is 0 unless a specific keyword
    (weight 1 or more) or two different generic ones were found."""

    key: str
    position: int
    score: float
    hits: tuple[Hit, ...]

    @property
    def headline_points(self) -> float:
        return sum(h.weight * h.headline for h in self.hits)

    @property
    def lead_points(self) -> float:
        return sum(h.weight * h.lead for h in self.hits)


class Classifier(Protocol):
    def classify(
        self, title: str, body: str, categories: Sequence[str], rules: Sequence[SectionRule]
    ) -> Classification:
        """Pick the section for one article."""
        ...


class KeywordClassifier:
    """Category hints first, then weighted keyword scores, then the catch-all."""

    def classify(
        self, title: str, body: str, categories: Sequence[str], rules: Sequence[SectionRule]
    ) -> Classification:
        if not rules:
            raise ValueError("no section rules to classify with")
        ordered = sorted(rules, key=lambda rule: rule.position)
        candidates = [rule for rule in ordered if not rule.catch_all]
        return _by_category(categories, candidates) or _by_keywords(
            score_sections(title, body, ordered), ordered
        )


_default = KeywordClassifier()


def classify(
    title: str, body: str, categories: Sequence[str], rules: Sequence[SectionRule]
) -> Classification:
    """Classify with the default keyword classifier."""
    return _default.classify(title, body, categories, rules)


def split_lead(body: str) -> tuple[str, str]:
    """The lead (the first paragraph, at most ``LEAD_CHARS``, cut at a space) and the rest."""
    parts = _PARAGRAPH.split(body.strip(), maxsplit=1)
    lead, rest = parts[0], (parts[1] if len(parts) > 1 else "")
    if len(lead) > LEAD_CHARS:
        cut = lead.rfind(" ", 0, LEAD_CHARS)
        cut = cut if cut > 0 else LEAD_CHARS
        lead, rest = lead[:cut], f"{lead[cut:]}\n\n{rest}"
    return lead, rest


def score_sections(title: str, body: str, rules: Sequence[SectionRule]) -> list[SectionScore]:
    """Every section's keyword evidence, in position order (the catch-all's too: its keywords
    are signals like any other's)."""
    lead, rest = split_lead(body)
    places = (Text(title), Text(lead), Text(rest))
    scores = []
    for rule in sorted(rules, key=lambda rule: rule.position):
        found = matcher(rule.weighted_keywords())
        in_headline, in_lead, in_body = (found.count(place) for place in places)
        hits = []
        for keyword in found.keywords:
            headline, lead_n, body_n = in_headline[keyword], in_lead[keyword], in_body[keyword]
            if not (headline or lead_n or body_n):
                continue
            counted_lead = min(lead_n, BODY_CAP)
            counted_body = min(body_n, BODY_CAP - counted_lead)
            points = keyword.weight * (
                HEADLINE_WEIGHT * headline + LEAD_WEIGHT * counted_lead + BODY_WEIGHT * counted_body
            )
            hits.append(Hit(keyword.word, keyword.weight, headline, lead_n, body_n, _round(points)))
        hits.sort(key=lambda hit: -hit.points)
        generic = sum(1 for hit in hits if hit.weight < SPECIFIC)
        evidence = len(hits) > generic or generic >= GENERIC_TOGETHER
        score = _round(sum(hit.points for hit in hits)) if evidence else 0.0
        scores.append(SectionScore(rule.key, rule.position, score, tuple(hits)))
    return scores


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _by_category(categories: Sequence[str], rules: list[SectionRule]) -> Classification | None:
    hinted = [(rule, {_normalise(hint) for hint in rule.category_hints}) for rule in rules]
    for category in categories:
        wanted = _normalise(category)
        # An editor's category names one section; position only settles a hint given to two.
        for rule, hints in hinted:
            if wanted and wanted in hints:
                reason = f"category {category.strip()!r}"
                return Classification(rule.key, CATEGORY_SCORE, reason, margin=CATEGORY_SCORE)
    return None


def _by_keywords(scores: list[SectionScore], ordered: list[SectionRule]) -> Classification:
    # Equal scores: the section with more of its evidence in the headline, then the lead;
    # position only when even that is equal. A tie is thin whichever way it falls.
    ranked = sorted(
        (s for s in scores if s.score > 0),
        key=lambda s: (-s.score, -s.headline_points, -s.lead_points, s.position),
    )
    catch_all = next((rule for rule in ordered if rule.catch_all), ordered[-1])
    if not ranked or ranked[0].score < MIN_KEYWORD_SCORE:
        runner = next((s for s in ranked if s.key != catch_all.key), None)
        reason = "no match: catch-all"
        if ranked:
            reason = (
                f"under {MIN_KEYWORD_SCORE} points ({ranked[0].key} {ranked[0].score:g}): catch-all"
            )
        return Classification(
            catch_all.key, 0.0, reason, runner_up=runner.key if runner else None, thin=True
        )
    best = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None
    margin = _round(best.score - (runner.score if runner else 0.0))
    thin = margin <= THIN_MARGIN
    reason = "keywords: " + ", ".join(f"{hit.word}×{hit.points:g}" for hit in best.hits)
    if thin and runner:
        reason += f"; thin margin over {runner.key} ({runner.score:g})"
    return Classification(
        best.key,
        best.score,
        reason,
        runner_up=runner.key if runner else None,
        margin=margin,
        thin=thin,
    )


def _round(value: float) -> float:
    return round(value, 2)


def explain(title: str, body: str, categories: Sequence[str], rules: Sequence[SectionRule]) -> dict:
    """Why a story goes where it goes, as plain data (``digest classify --json``): the verdict
    and, per section, each keyword found with its weight, where it was found and its points."""
    if not rules:
        raise ValueError("no section rules to classify with")
    ordered = sorted(rules, key=lambda rule: rule.position)
    scores = score_sections(title, body, ordered)  # once: the verdict and the evidence share it
    candidates = [rule for rule in ordered if not rule.catch_all]
    verdict = _by_category(categories, candidates) or _by_keywords(scores, ordered)
    return {
        "section": verdict.key,
        "score": verdict.score,
        "reason": verdict.reason,
        "runner_up": verdict.runner_up,
        "margin": verdict.margin,
        "thin": verdict.thin,
        "sections": [
            {
                "key": s.key,
                "score": s.score,
                "keywords": [
                    {
                        "word": hit.word,
                        "weight": hit.weight,
                        "headline": hit.headline,
                        "lead": hit.lead,
                        "body": hit.body,
                        "points": hit.points,
                    }
                    for hit in s.hits
                ],
            }
            for s in scores
        ],
    }
