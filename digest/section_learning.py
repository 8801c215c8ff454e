"""What a section could learn from editors' moves: words its moved-in stories carry far more
often than the stories moved out of it or the other stories of the same days.

Plain functions over plain data, so the rule can be read and tested without the web app. Nothing
here changes classification: the admin shows the words and an admin chooses to add them as
keywords (``digest.section_examples``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .keywords import parse_keywords

MIN_EXAMPLES = 3  # fewer moved-in stories with a word are chance, not a pattern
FAR_MORE = 3.0  # how many times more often than elsewhere a word must appear
KOREAN_NOUNS = frozenset({"NNG", "NNP"})  # common and proper nouns, never particles (J*)

_STOP = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our ours out over own said
    same says she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your new news year years say one two three first last week day days
    monday tuesday wednesday thursday friday saturday sunday today yesterday"""
STOP_WORDS = frozenset(_STOP.split())
_ENGLISH_WORD = re.compile(r"[a-z][a-z0-9'\-]*[a-z0-9]|[a-z]")


@dataclass(frozen=True)
class Example:
    """An editor's move: the story's headline and lead, its language, from and to (keys)."""

    text: str
    language: str
    moved_from: str | None
    moved_to: str


@dataclass(frozen=True)
class LearnedWord:
    word: str
    examples: int  # moved-in stories that carry it
    weight: float  # the weight it would get as a keyword
    is_keyword: bool  # already one of the section's keywords


def words_of(text: str, language: str) -> set[str]:
    """The words a story carries, once each: English lower-cased without stop words; Korean
    nouns (morphemes through ``digest.korean_morphemes``), so "관세를" and "관세가" are one."""
    if language == "ko":
        from .korean_morphemes import analyser, has_hangul

        if not has_hangul(text):
            return set()
        return {
            token.form
            for token in analyser().tokenize(text)
            if token.tag in KOREAN_NOUNS and len(token.form) >= 2
        }
    return {
        word
        for word in _ENGLISH_WORD.findall(text.lower())
        if len(word) >= 3 and word not in STOP_WORDS and not word.isdigit()
    }


def suggested_weight(examples: int) -> float:
    """Half a point while the evidence is thin (a generic word never decides alone), one from
    five examples on."""
    return 1.0 if examples >= 5 else 0.5


def learned_words(
    section: str,
    examples: Iterable[Example],
    background: Iterable[tuple[str, str]] = (),
    keywords: object = (),
) -> list[LearnedWord]:
    """The words ``section`` would learn, most examples first. ``background`` is the other
    stories of the same days as (text, language); ``keywords`` the section's keywords as stored
    (``Section.keywords``), to say which words are already there."""
    moved_in: Counter[str] = Counter()
    elsewhere: Counter[str] = Counter()
    n_in = n_elsewhere = 0
    for example in examples:
        words = words_of(example.text, example.language)
        if example.moved_to == section:
            moved_in.update(words)
            n_in += 1
        elif example.moved_from == section:
            elsewhere.update(words)
            n_elsewhere += 1
    for text, language in background:
        elsewhere.update(words_of(text, language))
        n_elsewhere += 1
    known = {k.word.casefold() for k in parse_keywords(list(keywords))[0]}
    found = []
    for word, count in moved_in.items():
        if count < MIN_EXAMPLES:
            continue
        rate_elsewhere = elsewhere[word] / n_elsewhere if n_elsewhere else 0.0
        if count / n_in < FAR_MORE * rate_elsewhere:
            continue
        found.append(LearnedWord(word, count, suggested_weight(count), word.casefold() in known))
    return sorted(found, key=lambda w: (-w.examples, w.word))


def with_learned(keywords: object, learned: Iterable[LearnedWord]) -> tuple[list, list[str]]:
    """``keywords`` (as stored) with the learned words not yet there appended at their
    suggested weights, and the words added."""
    current = list(keywords) if isinstance(keywords, list) else []
    known = {k.word.casefold() for k in parse_keywords(current)[0]}
    added = []
    for word in learned:
        if word.word.casefold() not in known:
            current.append([word.word, word.weight])
            known.add(word.word.casefold())
            added.append(word.word)
    return current, added
