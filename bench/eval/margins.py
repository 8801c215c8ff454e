"""Thin margins: how close the classifier came to another section on one article.

``digest.classify`` reports only the winning section's score. The score of every section is
read here by asking its keyword stage (``_by_keywords``) about one section at a time, with
the minimum score lifted for that call only, so a section that scored 0 or 1 still answers.
If the classifier no longer offers that stage, margins are unknown (``None``) and the eval
prints -1: give it a public way to read the scores (see the eval's README).
"""

from __future__ import annotations

from collections.abc import Sequence
from unittest import mock

from digest import classify


def section_scores(
    title: str, body: str, rules: Sequence[classify.SectionRule]
) -> dict[str, float] | None:
    """Each keyword section's score for one article, or None when they cannot be read."""
    by_keywords = getattr(classify, "_by_keywords", None)
    if by_keywords is None or not hasattr(classify, "MIN_KEYWORD_SCORE"):
        return None
    scores: dict[str, float] = {}
    try:
        with mock.patch.object(classify, "MIN_KEYWORD_SCORE", float("-inf")):
            for rule in rules:
                if rule.catch_all or not rule.keywords:
                    continue
                verdict = by_keywords(title, body, [rule])
                scores[rule.key] = verdict.score if verdict else 0.0
    except (TypeError, AttributeError):
        return None
    return scores


def thin_margin(
    title: str, body: str, score: float, rules: Sequence[classify.SectionRule]
) -> tuple[bool | None, str]:
    """(thin?, why) for one stored article; a section chosen by category is never thin.

    Thin: the best keyword score is under the classifier's minimum, or the runner-up is
    within one point of it (a tie included).
    """
    if score >= classify.CATEGORY_SCORE:
        return False, "category"
    scores = section_scores(title, body, rules)
    if scores is None:
        return None, "scores unavailable"
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked:
        return True, "no keyword sections"
    (best_key, best), *rest = ranked
    runner_key, runner = rest[0] if rest else ("", 0.0)
    why = f"{best_key} {best:g}, {runner_key} {runner:g}"
    return best < classify.MIN_KEYWORD_SCORE or best - runner <= 1, why
