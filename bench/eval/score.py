"""What the eval counts: clean summaries, right sections, and the figures it prints.

A summary is clean when it is made only of the page's labelled lead sentences. It is read
without the product's sentence splitter (which is what is being measured): the allowed
sentences are matched from the start of the summary, longest first, and whatever no allowed
sentence accounts for is reported as unclean text.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .corpus import Page, normalise


@dataclass
class Outcome:
    """What the product made of one page; ``problem`` says why it was not collected."""

    page: Page
    collected: bool
    section: str = ""
    title: str = ""
    summary: str = ""
    thin: bool | None = None  # None when the classifier's scores cannot be read
    margin: str = ""
    problem: str = ""
    unclean: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return bool(self.summary.strip()) and not self.unclean

    @property
    def section_ok(self) -> bool:
        return self.collected and self.page.accepts(self.section)

    @property
    def primary_ok(self) -> bool:
        return self.collected and self.section == self.page.section


def unclean_parts(summary: str, allowed: Iterable[str]) -> list[str]:
    """The stretches of ``summary`` that are not one of the ``allowed`` sentences."""
    text = normalise(summary)
    sentences = sorted({normalise(s) for s in allowed if s.strip()}, key=len, reverse=True)
    parts: list[str] = []
    while text:
        match = next((s for s in sentences if text.startswith(s)), None)
        if match:
            text = text[len(match) :].lstrip()
            continue
        starts = [i for s in sentences if (i := text.find(s, 1)) > 0]
        cut = min(starts, default=len(text))
        parts.append(text[:cut].strip())
        text = text[cut:].lstrip()
    return parts


def figures(outcomes: Sequence[Outcome]) -> list[tuple[str, float, str]]:
    """The BENCH figures, in print order: (name, value, unit)."""
    n = len(outcomes)
    ko = [o for o in outcomes if o.page.language == "ko"]
    en = [o for o in outcomes if o.page.language == "en"]
    words_en = [len(o.summary.split()) for o in en if o.summary.strip()]
    chars_ko = [len(normalise(o.summary)) for o in ko if o.summary.strip()]
    thin = [o.thin for o in outcomes if o.collected]
    rows: list[tuple[str, float | None, str]] = [
        ("eval_pages", n, "pages"),
        ("pages_not_collected", sum(not o.collected for o in outcomes), "pages"),
        ("summary_clean_fraction", _share(o.clean for o in outcomes), "ratio"),
        ("summary_clean_fraction_en", _share(o.clean for o in en), "ratio"),
        ("summary_clean_fraction_ko", _share(o.clean for o in ko), "ratio"),
        ("summary_empty_count", sum(not o.summary.strip() for o in outcomes), "pages"),
        ("summary_words_en_median", _median(words_en), "words"),
        ("summary_chars_ko_median", _median(chars_ko), "chars"),
        ("headline_right_fraction", _share(_headline_ok(o) for o in outcomes), "ratio"),
        ("section_accuracy", _share(o.section_ok for o in outcomes), "ratio"),
        ("section_primary_accuracy", _share(o.primary_ok for o in outcomes), "ratio"),
        ("section_accuracy_en", _share(o.section_ok for o in en), "ratio"),
        ("section_accuracy_ko", _share(o.section_ok for o in ko), "ratio"),
        (
            "section_thin_margins",
            -1 if any(t is None for t in thin) else sum(bool(t) for t in thin),
            "articles",
        ),
    ]
    # A figure over no pages (a run of English pages only has no Korean share) is left out.
    return [(name, value, unit) for name, value, unit in rows if value is not None]


def page_report(o: Outcome) -> list[str]:
    """What went wrong on one page, for ``--verbose``; nothing when all is well."""
    out: list[str] = []
    labels = o.page.section + (f" (or {o.page.second})" if o.page.second else "")
    if not o.collected:
        out.append(f"not collected: {o.problem}")
    elif not o.section_ok:
        out.append(f"section {o.section}, labelled {labels}")
    elif not o.primary_ok:
        out.append(f"section {o.section} (second label), primary {o.page.section}")
    if o.collected and not _headline_ok(o):
        out.append(f"headline {o.title!r}")
    if o.collected and not o.summary.strip():
        out.append("empty summary")
    out.extend(f"unclean: {part!r}" for part in o.unclean)
    if o.thin:
        out.append(f"thin margin: {o.margin}")
    return out


def _headline_ok(o: Outcome) -> bool:
    return o.collected and normalise(o.title) == normalise(o.page.headline)


def _share(flags: Iterable[bool]) -> float | None:
    values = list(flags)
    return sum(values) / len(values) if values else None


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None
