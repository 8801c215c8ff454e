"""Korean text cut into morphemes, so a word can be told from the inside of another word.

Korean writes particles onto words ("한인회가", "관세를") and compounds without spaces
("서류미비자", "북한인권"), so neither substrings nor spaces find words. kiwipiepy's analyser
does. It is loaded the first time a process meets Korean text, not at import, so English-only
work never pays for it: about 1.5 s and 330 MB of memory then, about 10 ms a story after.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Written between two morphemes of one word; no text carries it (a control character).
MARK = "\x1f"

_lock = threading.Lock()
_analyser: Kiwi | None = None


def analyser() -> Kiwi:
    """The process's one analyser, created on first use."""
    global _analyser
    if _analyser is None:
        with _lock:
            if _analyser is None:
                from kiwipiepy import Kiwi

                # Without the multi-word dictionary: it holds no word we look for, and
                # leaving it out saves about 190 MB and half the load time.
                _analyser = Kiwi(load_multi_dict=False)
    return _analyser


def has_hangul(text: str) -> bool:
    return HANGUL.search(text) is not None


def mark_morphemes(text: str) -> str:
    """``text`` with ``MARK`` between the morphemes of each word where one side is Hangul.

    "LA한인회가" becomes "LA␟한인␟회␟가": a pattern can then require a keyword to start and
    end on a morpheme edge. Latin words are left whole ("K-pop" stays one piece), and text
    without Hangul is returned as it is, without loading the analyser.
    """
    if not has_hangul(text):
        return text
    edges: set[int] = set()
    for token in analyser().tokenize(text):
        edges.add(token.start)
        edges.add(token.start + token.len)
    out: list[str] = []
    last = 0
    for edge in sorted(edges):
        if 0 < edge < len(text) and _joins_hangul(text[edge - 1], text[edge]):
            out.append(text[last:edge])
            out.append(MARK)
            last = edge
    out.append(text[last:])
    return "".join(out)


def _joins_hangul(before: str, after: str) -> bool:
    if before.isspace() or after.isspace():
        return False
    return bool(HANGUL.match(before) or HANGUL.match(after))
