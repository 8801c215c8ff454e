"""The evaluation corpus: pages of our own writing in ``pages/`` and their labels.

Each page is one story in a format the sources really receive: a saved-page text dump
(``.txt``), a WordPress REST post object (``.json``) or an HTML article page (``.html``).
``labels.json`` maps a page's file name to what a good pipeline would make of it:

- ``section`` (primary) and optional ``second`` (also acceptable: the page is ambiguous);
- ``language`` (``en`` or ``ko``) and ``headline`` (the story's own);
- ``summary_sentences``: the story's lead sentences exactly as the page prints them, in
  order; a clean summary uses only these;
- ``furniture``: the kinds of page furniture the page carries (see ``FURNITURE``), and
  ``cases``: the hard section cases it stands for; ``deck`` when the page has one.

Nothing here is imported by the product; the tests check the corpus is well-formed.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES_DIR = HERE / "pages"
LABELS_FILE = HERE / "labels.json"
# The held-out set (``holdout/``): pages written after the rules were tuned, never tuned on.
HOLDOUT_PAGES_DIR = HERE / "holdout" / "pages"
HOLDOUT_LABELS_FILE = HERE / "holdout" / "labels.json"
SECTIONS = ("trade", "diplomacy", "community", "more")
FORMATS = (".txt", ".json", ".html")

# Each kind of furniture a page may declare, with a pattern its text must then show. Kinds
# checked by structure rather than by a pattern map to None (see ``has_furniture``). The
# patterns only check a declaration; they list the wording of both sets, not the product's rules.
FURNITURE: dict[str, re.Pattern[str] | None] = {
    "appeal_donation": re.compile(
        r"gift is matched|[Dd]onate|member|[Ss]upport independent|후원|"
        r"Chip in|Pitch in|contributions|sustaining supporter|기부|응원"
    ),
    "appeal_subscribe": re.compile(
        r"[Ss]ubscribe|[Dd]ownload our app|Get the app|구독|앱 다운로드|"
        r"Sign up|push alerts|채널을 추가|신청하기"
    ),
    "newsletter_greeting": re.compile(
        r"[Ww]elcome to|환영합니다|브리핑을 시작합니다|Good morning|Happy \w+day|"
        r"좋은 아침|안녕하세요|you’re reading"
    ),
    "newsletter_signoff": re.compile(
        r"[Pp]lease visit|방문해 주|다시 찾아뵙겠습니다|That[’']s all for|Until next time|"
        r"여기까지입니다|또 만나요"
    ),
    "translation_note": re.compile(
        r"This translation captures|번역|Translated from|translated from|옮긴"
    ),
    "ai_note": re.compile(r"(?<![A-Za-z])AI(?![A-Za-z])"),
    "portal_boilerplate": re.compile(r"ⓒ|©|무단 ?전재|All rights reserved|Copyright|저작권자"),
    "navigation": re.compile(
        r"See the news of your region|Home >|Back to top|More from this section|"
        r"지역 뉴스 보기|홈 >|맨 위로|더보기|Previous story|Next story|Jump to comments|"
        r"Read more in|이전 기사|다음 기사|관련기사 목록"
    ),
    "photo_caption": re.compile(
        r"\(Photo:|사진=|\[[A-Z][A-Z .'-]+\]|\[연합뉴스\]|Photo by|Photo courtesy|Courtesy of|"
        r"사진 제공="
    ),
    "logo_caption": re.compile(
        r"\[Yonhap\]|\[YONHAP\]|\(Yonhap\)|\[연합뉴스[^\]]*\]|연합뉴스 로고|\b[Ll]ogo\b|로고"
    ),
    "reporter_line": re.compile(
        r"기자|특파원|@|Reporting by|staff writer|Contributing:|Compiled by|contributed to|정리="
    ),
    "reporter_tail": re.compile(r"[.!?][”\"]? (?:[^\s@]+ ){1,4}[\w.+-]+@[\w-]+\.\w+"),
    "credit_line": re.compile(
        r"Yonhap|Korea Daily staff|/AP|연합뉴스|\(끝\)|/뉴시스|KPN|staff report|\(한미통신\)|"
        r"\(동포통신\)"
    ),
    "tag_line": re.compile(r"#\w|Tags:|태그:|Filed under:|Topics:|키워드:|관련 태그"),
    "glued_credit": re.compile(r"[.](?:Yonhap|연합뉴스|KPN|한미통신)"),
    "glued_stop": re.compile(r"[a-z][.][A-Z][a-z]|[\uac00-\ud7a3][.][\uac00-\ud7a3]"),
    "straight_quote": re.compile(r"[.!?]\""),
    "ticker": re.compile(
        r"Breaking|Trending|속보|많이 본 뉴스|Just in:|LIVE:|Developing:|단독 \||실시간|지금 뜨는"
    ),
    "deck": None,
    "headline_repeated": None,
    "chrome_before_headline": None,
    "no_date": None,
    "one_line": None,
}

_TAG = re.compile(r"<[^>]+>")
_HEAD = re.compile(r"<head>.*?</head>|<script.*?</script>", re.S | re.I)
_WIDGET = re.compile(
    r"^(?:URL: .*|-?\d{1,3}(?:\.\d+)? ?[FC]|Los Angeles|"
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, [A-Z][a-z]+ \d{1,2}, \d{4})$"
)


@dataclass(frozen=True)
class Page:
    """One labelled page of the corpus."""

    name: str
    path: Path
    section: str
    second: str
    language: str
    headline: str
    summary_sentences: tuple[str, ...]
    furniture: tuple[str, ...]
    cases: tuple[str, ...]
    deck: str = ""

    @property
    def format(self) -> str:
        return self.path.suffix

    def accepts(self, section: str) -> bool:
        """The primary label or the second one: an editor would accept either."""
        return section in {self.section, self.second} - {""}


def load(pages_dir: Path = PAGES_DIR, labels_file: Path = LABELS_FILE) -> list[Page]:
    """Every labelled page, in name order."""
    labels = json.loads(labels_file.read_text(encoding="utf-8"))
    return [
        Page(
            name=name,
            path=pages_dir / name,
            section=label["section"],
            second=label.get("second", ""),
            language=label["language"],
            headline=label["headline"],
            summary_sentences=tuple(label["summary_sentences"]),
            furniture=tuple(label.get("furniture", ())),
            cases=tuple(label.get("cases", ())),
            deck=label.get("deck", ""),
        )
        for name, label in sorted(labels.items())
    ]


def normalise(text: str) -> str:
    """Whitespace collapsed, as the eval compares sentences."""
    return " ".join(text.split())


def page_text(path: Path) -> str:
    """The text a reader sees on the page (tags gone, entities read), whitespace collapsed."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        post = json.loads(raw)
        raw = post["title"]["rendered"] + "\n" + post["content"]["rendered"]
    if path.suffix in {".json", ".html"}:
        raw = html.unescape(_TAG.sub(" ", _HEAD.sub(" ", raw)))
    return normalise(raw)


def has_furniture(page: Page, kind: str) -> bool:
    """True when the page really shows the furniture it declares."""
    pattern = FURNITURE[kind]
    text = page_text(page.path)
    if pattern is not None:
        return bool(pattern.search(text))
    if kind == "deck":
        return bool(page.deck) and normalise(page.deck) in text
    if kind == "headline_repeated":
        return text.count(normalise(page.headline)) >= 2
    lines = [line.strip() for line in page.path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if kind == "one_line":
        return page.format == ".txt" and len(lines) == 1
    if kind == "no_date":
        return page.format == ".txt" and not any(_is_date_line(line) for line in lines)
    if kind == "chrome_before_headline":
        if page.format != ".txt" or page.headline not in lines:
            return False
        before = lines[: lines.index(page.headline)]
        return any(not _WIDGET.match(line) for line in before)
    raise KeyError(kind)


def _is_date_line(line: str) -> bool:
    return bool(
        re.match(r"^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, [A-Z][a-z]+ \d{1,2}, \d{4}$", line)
        or re.match(r"^(?:Published|Posted|Updated|입력)\b", line)
        or re.match(r"^\d{4}\.\s?\d{1,2}\.\s?\d{1,2}\.", line)
    )
