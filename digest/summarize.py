"""Extractive 2-3 sentence summaries for the newsletter, in English and Korean.

News is written lead first, so the opening sentences are the summary a reader expects; without
a neural model the lead-3 baseline is hard to beat. The work is in skipping what is not story:
the furniture rules of ``digest.furniture`` (appeals, greetings, tool notes, portal lines,
captions, credits), decks and a repeated headline, datelines, subheadings and fragments.
``explain`` says which rule removed what. When the rules leave no sentence, the first clean
text that remains is used; a story with none gets "" and the desk asks for a summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from digest.furniture import (
    furniture_rule,
    repeats_headline,
    starts_with_dateline,
    strip_dateline,
    strip_furniture,
    strip_trailing_credit,
)
from digest.sentences import is_sentence, split_sentences

DEFAULT_MAX_CHARS = {"en": 420, "ko": 220}
MIN_SENTENCE_CHARS = {"en": 20, "ko": 10}
MIN_QUOTE_PARAGRAPH_CHARS = 25

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_QUOTE_OPENERS = "\"'“‘「『"

# How long an edition's item may run. ``standard`` is the stored summary; ``short`` is what
# the best morning newsletters keep an item to (about 45 words, 130 characters in Korean).
LENGTHS = ("short", "standard")
SHORT_MAX_WORDS = {"en": 45}
SHORT_MAX_CHARS = {"ko": 130}
# Removed text the summary may still fall back on when every rule together leaves nothing.
SOFT_RULES = frozenset({"subheading", "deck", "no-full-stop", "short-fragment"})
MIN_FALLBACK_CHARS = {"en": 30, "ko": 12}


@dataclass(frozen=True)
class Removal:
    """A piece of the body left out of the summary, and the name of the rule that did it."""

    rule: str
    text: str


@dataclass(frozen=True)
class Summary:
    """A summary with its reasons: what each rule removed, and whether the fallback was used
    (the rules left no sentence, so the first clean text that remained was taken)."""

    text: str
    removed: tuple[Removal, ...] = ()
    fallback: bool = False

    @property
    def rules(self) -> tuple[str, ...]:
        """The names of the rules that removed something, each once, in order."""
        return tuple(dict.fromkeys(r.rule for r in self.removed))


class Summarizer(Protocol):
    def summarize(self, body: str, language: str, headline: str = "") -> str:
        """Return a short summary of ``body``, or "" when there is nothing to summarise."""
        ...


class LeadSummarizer:
    """The first usable sentences of the story, whole, within a character or word budget."""

    def __init__(
        self,
        max_sentences: int = 3,
        min_sentences: int = 2,
        max_chars: int | None = None,
        max_words: int | None = None,
    ) -> None:
        if not 1 <= min_sentences <= max_sentences:
            raise ValueError("need 1 <= min_sentences <= max_sentences")
        self.max_sentences = max_sentences
        self.min_sentences = min_sentences
        self.max_chars = max_chars
        self.max_words = max_words

    def summarize(self, body: str, language: str, headline: str = "") -> str:
        return self.explain(body, language, headline).text

    def explain(self, body: str, language: str, headline: str = "") -> Summary:
        """The summary with every removal named, for ``digest summarize --json`` and logs."""
        if language not in DEFAULT_MAX_CHARS:
            raise ValueError(f"unsupported language {language!r}")
        removed: list[Removal] = []
        sentences = _story_sentences(body, language, headline, removed)
        chosen = self.choose(sentences, language)
        if chosen:
            return Summary(" ".join(chosen), tuple(removed))
        minimum = MIN_FALLBACK_CHARS[language]
        spare = [r.text for r in removed if r.rule in SOFT_RULES and len(r.text) >= minimum]
        chosen = self.choose(spare, language)
        return Summary(" ".join(chosen), tuple(removed), fallback=bool(chosen))

    def choose(self, sentences: list[str], language: str) -> list[str]:
        """The leading sentences that fit the budget: whole, never fewer than the minimum."""
        max_chars = self.max_chars
        if max_chars is None and self.max_words is None:
            max_chars = DEFAULT_MAX_CHARS[language]
        chosen: list[str] = []
        chars = words = 0
        for sentence in sentences:
            added_chars = len(sentence) + (1 if chosen else 0)
            added_words = len(sentence.split())
            over = (max_chars is not None and chars + added_chars > max_chars) or (
                self.max_words is not None and words + added_words > self.max_words
            )
            if len(chosen) >= self.min_sentences and over:
                break
            chosen.append(sentence)
            chars += added_chars
            words += added_words
            if len(chosen) >= self.max_sentences:
                break
        return chosen


_default = LeadSummarizer()


def summarizer_for(length: str, language: str) -> LeadSummarizer:
    """The summarizer of a list's length setting (``short`` or ``standard``)."""
    if length not in LENGTHS:
        raise ValueError(f"unknown summary length {length!r}; expected one of {LENGTHS}")
    if length == "standard":
        return _default
    return LeadSummarizer(
        max_sentences=3,
        min_sentences=1,
        max_chars=SHORT_MAX_CHARS.get(language),
        max_words=SHORT_MAX_WORDS.get(language),
    )


def summarize(body: str, language: str, headline: str = "") -> str:
    """Summarise with the default lead summarizer (the standard length)."""
    return _default.summarize(body, language, headline)


def explain(body: str, language: str, headline: str = "", length: str = "standard") -> Summary:
    """The summary together with what was removed and by which rule."""
    return summarizer_for(length, language).explain(body, language, headline)


def shorten(summary: str, language: str, length: str) -> str:
    """A stored summary fitted to a list's length, cut at sentence ends only.

    The stored summary is already the story's clean lead, so shortening it is choosing how
    many of its sentences to keep: at least one, never part of one.
    """
    if length == "standard" or not summary.strip():
        return summary
    sentences = split_sentences(summary, language)
    return " ".join(summarizer_for(length, language).choose(sentences, language))


def _story_sentences(body: str, language: str, headline: str, removed: list[Removal]) -> list[str]:
    """The body's sentences in order, without furniture; each removal is recorded."""
    minimum = MIN_SENTENCE_CHARS[language]
    sentences: list[str] = []
    for paragraph in _story_paragraphs(body, language, removed):
        for sentence in split_sentences(paragraph, language):
            rule = furniture_rule(sentence, language)
            if rule is not None:
                removed.append(Removal(rule.name, sentence))
            elif not sentences and repeats_headline(sentence, headline):
                removed.append(Removal("headline-repeat", sentence))
            elif not is_sentence(sentence, language):
                removed.append(Removal("no-full-stop", sentence))
            elif len(sentence) < minimum:
                removed.append(Removal("short-fragment", sentence))
            else:
                sentences.append(sentence)
    return sentences


def _story_paragraphs(body: str, language: str, removed: list[Removal]) -> Iterator[str]:
    """The paragraphs that may hold story, one at a time, so that what is removed is recorded
    in the order of the text (the fallback takes the first of it)."""
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(body) if p.strip()]
    lead = _dateline_lead(paragraphs)
    for n, paragraph in enumerate(paragraphs):
        # Lines inside a paragraph are soft wraps, but a byline or ad label may still sit on
        # its own line when the source did not separate it with a blank line.
        lines = []
        for line in paragraph.splitlines():
            line, cut = strip_furniture(line, language)
            removed.extend(Removal(name, text) for name, text in cut)
            if line:
                lines.append(line)
        text = strip_dateline(" ".join(lines))
        text, credits = strip_trailing_credit(text)
        removed.extend(Removal(name, cut) for name, cut in credits)
        if not text:
            continue
        if n < lead:
            # Before a paragraph that opens with a dateline ("SEOUL — ") the story has not
            # begun: what stands there is a deck.
            removed.append(Removal("deck", text))
        elif not is_sentence(text, language) and len(split_sentences(text, language)) <= 1:
            removed.append(Removal("deck" if n == 0 else "subheading", text))
        elif _is_quote_fragment(text):
            removed.append(Removal("quote-fragment", text))
        else:
            yield text


def _dateline_lead(paragraphs: list[str]) -> int:
    """The index of the first of the opening paragraphs that starts with a dateline, or 0."""
    for n, paragraph in enumerate(paragraphs[:3]):
        if starts_with_dateline(" ".join(paragraph.split())):
            return n if all(len(p) <= 300 for p in paragraphs[:n]) else 0
    return 0


def _is_quote_fragment(text: str) -> bool:
    return len(text) < MIN_QUOTE_PARAGRAPH_CHARS and text[0] in _QUOTE_OPENERS
