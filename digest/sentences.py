"""Sentence splitting for English and Korean article bodies.

English goes through pysbd, which knows news abbreviations ("U.S.", "Aug. 28", "Sen. Kim").
pysbd has no Korean, so Korean uses a small splitter keyed on Hangul sentence endings,
which is what makes "3.5%", "2026.11.24" and "U.S." inside Korean text safe.
"""

from __future__ import annotations

import re
from functools import cache

import pysbd

LANGUAGES = ("en", "ko")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_WHITESPACE = re.compile(r"\s+")

_CLOSERS = "\"'”’」』》〉)]"
_TERMINAL = ".?!…？！。"

# A line reads as a sentence when its last visible characters are terminal punctuation,
# optionally wrapped by closing quotes or brackets: 'said.', 'now?"', '밝혔다.”', '(AP).)'
_SENTENCE_END = re.compile(rf"[{re.escape(_TERMINAL)}][{re.escape(_CLOSERS)}]*\s*$")

_KO_OPEN_CLOSE = {"“": "”", "「": "」", "『": "』"}
_KO_STOP = re.compile(r"[.?!…？！]+")
_KO_BEFORE_STOP = re.compile(rf"[\uac00-\ud7a3{re.escape(_CLOSERS)}]")
_KO_ENDINGS = "다요죠까"
_KO_OPENERS = "“‘「『\"'"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KO_GLUED = re.compile(r"[다요죠까][.!?](?=[\uac00-\ud7a3“\"])")

# Paragraphs glued at a full stop: "said.The" / "밝혔다.한편". Abbreviations stay whole.
_ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "No", "vs", "Gov", "Sen", "Rep")
_GLUED_EN = re.compile(
    "".join(rf"(?<!\b{a}\.)" for a in _ABBREVIATIONS)
    + r"(?:(?<=[a-z0-9%)][.!?])|(?<=[a-z0-9%)][.!?][\"”’]))(?=[A-Z][a-z])"
)

# pysbd splits after "a.m."/"p.m." whenever a capital follows; these words continue the time.
_TIME_CONTINUATION = re.compile(
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\b|"
    r"(?:Pacific|Eastern|Central|Mountain|Korea|Korean|Seoul|Japan)\s+(?:standard\s+)?time\b|"
    r"(?:[ECMP][SD]?T|KST|JST|GMT|UTC)\b"
)
_AM_PM = re.compile(r"\b[ap]\.m\.$")


def split_sentences(text: str, language: str) -> list[str]:
    """Split a body into sentences, paragraph by paragraph, so none spans a paragraph break."""
    _check_language(language)
    split = _split_english if language == "en" else _split_korean
    sentences: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        # A single newline inside a paragraph is a soft wrap, not a boundary.
        paragraph = _WHITESPACE.sub(" ", paragraph).strip()
        if paragraph:
            sentences.extend(s for s in (part.strip() for part in split(paragraph)) if s)
    return sentences


def is_sentence(line: str, language: str) -> bool:
    """True when a line ends like a sentence; headings and labels do not."""
    _check_language(language)
    return bool(_SENTENCE_END.search(line.strip()))


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")


@cache
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _split_english(paragraph: str) -> list[str]:
    merged: list[str] = []
    for segment in _segmenter().segment(paragraph):
        segment = segment.strip()
        if merged and _AM_PM.search(merged[-1]) and _TIME_CONTINUATION.match(segment):
            merged[-1] = f"{merged[-1]} {segment}"
        else:
            merged.append(segment)
    return merged


def _split_korean(paragraph: str, glued_only: bool = False) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _KO_STOP.finditer(paragraph):
        if match.start() == 0 or not _KO_BEFORE_STOP.match(paragraph[match.start() - 1]):
            continue
        end = match.end()
        closed = False
        while end < len(paragraph) and paragraph[end] in _CLOSERS:
            # A straight quote after the stop closes this sentence only when one is open in
            # it; otherwise it opens the next sentence ('말했다."미국은 ...').
            if paragraph[end] in "\"'" and paragraph.count(paragraph[end], start, end) % 2 == 0:
                break
            end += 1
            closed = True
        following = paragraph[end : end + 1]
        if following and not following.isspace():
            # Glued sentences ("밝혔다.미국은") split only after a sentence ending; a Hangul
            # syllable right after a closing quote is a particle ('했다."며').
            glued = (
                not closed
                and paragraph[match.start() - 1] in _KO_ENDINGS
                and (_HANGUL.match(following) or following in _KO_OPENERS)
            )
            if not glued:
                continue
        elif glued_only:
            continue
        if _inside_quote(paragraph, start, end):
            continue
        sentences.append(paragraph[start:end])
        start = end
    sentences.append(paragraph[start:])
    return sentences


def split_glued(line: str) -> list[str]:
    """Split paragraphs that lost their break at a full stop: "said.The", "밝혔다.한편".

    Abbreviations ("U.S.Army", "Mr.Kim") stay whole, and a straight quote after the stop stays
    with the sentence it closes. Either language's rule applies to any line: an English page
    may quote a Korean paragraph.
    """
    parts = _split_korean(line, glued_only=True) if _KO_GLUED.search(line) else [line]
    out: list[str] = []
    for part in parts:
        out.extend(_GLUED_EN.split(part) if _GLUED_EN.search(part) else [part])
    return [p.strip() for p in out if p.strip()]


def _inside_quote(paragraph: str, start: int, end: int) -> bool:
    """True when a quote opened in this sentence is still open at ``end`` and closes later.

    Korean reporting wraps several sentences in one quote ('"... 늘었다. ... 키우겠다"고
    말했다.'); an opener that never closes is a typo and must not swallow the paragraph.
    """
    sentence, rest = paragraph[start:end], paragraph[end:]
    for opener, closer in _KO_OPEN_CLOSE.items():
        if sentence.count(opener) > sentence.count(closer) and closer in rest:
            return True
    return sentence.count('"') % 2 == 1 and '"' in rest
