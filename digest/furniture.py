"""Page furniture by kind: the named rules that keep text that is not story out of summaries.

Pages reach us with more than the story around it: appeals for money or sign-ups, a
newsletter's own greeting, a translation tool's note, a portal's copyright and navigation
lines, photo captions, and the credits, reporter lines and tags that close a story. Each kind
is a ``Rule`` written once here, with a name, the languages it applies to and a test of one
unit of text (a line, a paragraph or a sentence). The source cleaners drop lines that match;
the summarizer drops lines and sentences that match and reports which rule removed what.

Every test is anchored or bounded in length, so a long story sentence that merely mentions a
donation, a subscription or a photo is never taken for furniture.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

LANGUAGES = frozenset({"en", "ko"})
EN = frozenset({"en"})
KO = frozenset({"ko"})

_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_HANGUL_NAME = r"[\uac00-\ud7a3]{2,4}"
# Agencies and outlets whose name alone, or glued to the last sentence, is a credit.
_WIRES = (
    r"Yonhap(?: News(?: Agency)?)?|Newsis|News1|AP|AFP|Reuters|Kyodo|Xinhua|EFE|UPI|"
    r"Bloomberg|Korea JoongAng Daily|JoongAng Ilbo|Korea Daily|Korea Herald|Korea Times|"
    r"연합뉴스|뉴시스|뉴스1|중앙일보|미주중앙일보|중앙일보 ?LA|"
    r"AP=연합뉴스|AFP=연합뉴스|로이터=연합뉴스"
)


@dataclass(frozen=True)
class Rule:
    """One kind of furniture. ``test`` gets one unit of text (a sentence, or a whole line for
    ``whole_line`` rules), stripped, and says whether all of it is furniture; ``kind`` groups
    rules as README names them."""

    name: str
    kind: str
    languages: frozenset[str]
    test: Callable[[str], bool]
    # A caption is a whole line, marked at its end ("... on Monday. (Photo: Yonhap)"): such a
    # rule judges the line, not the sentences in it.
    whole_line: bool = False

    def applies(self, text: str, language: str | None = None) -> bool:
        return (language is None or language in self.languages) and self.test(text)


def _regex(pattern: str, flags: int = re.I, max_chars: int = 400) -> Callable[[str], bool]:
    """A test that matches from the start of the unit, on units no longer than ``max_chars``."""
    compiled = re.compile(pattern, flags)
    return lambda text: len(text) <= max_chars and bool(compiled.match(text))


def _search(pattern: str, flags: int = re.I, max_chars: int = 200) -> Callable[[str], bool]:
    """A test that matches anywhere, for short units only (a banner, not a paragraph)."""
    compiled = re.compile(pattern, flags)
    return lambda text: len(text) <= max_chars and bool(compiled.search(text))


# --- appeals ---------------------------------------------------------------------------------

DONATE_BUTTON = re.compile(
    r"^(?:donate|support us|subscribe|become a member|후원하기|구독하기|회원 ?가입)"
    r"(?:\s+(?:now|today))?[.!]?$",
    re.I,
)
_DONATE = re.compile(
    r"\b(?:donat\w*|support\b|contribut\w*|gifts?\b|\$\d+ a month)|"
    r"(?:후원|기부)(?:이|은|으로|해 ?주|하기|하세요|하시면|금|계좌|회원|에 동참)|"
    r"힘을 보태 ?주|힘이 되어 ?주",
    re.I,
)
_APPEAL_SUBJECT = re.compile(
    r"journalism|newsroom|our (?:work|reporting|mission)|independent|matched|tax[- ]deductible|"
    r"local news|this (?:paper|newspaper|site)|"
    r"저널리즘|언론|후원해|후원금|후원 ?계좌|본지|우리 신문",
    re.I,
)
# Said of the outlet itself, these need no appeal to the reader to be one.
_OUR_OUTLET = re.compile(
    r"\b(?:this|our) newsroom|\bour (?:journalism|reporting)|keeps? (?:local )?news free|"
    r"\bthis (?:newspaper|site) going|본지|지역 언론을 지킵|언론을 지켜",
    re.I,
)
# An appeal speaks to the reader; a story about donations does not.
_TO_THE_READER = re.compile(
    r"\b(?:you|your|please|today|now)\b|주세요|주시면|하세요|주십시오|부탁드립니다|여러분|지금",
    re.I,
)


_SUPPORT_US = re.compile(
    r"^(?:please )?support (?:independent|local|quality|our|community)\b[\w' ]{0,30}"
    r"(?:journalism|news|reporting|newsroom)\b[^.!?]{0,40}[.!]?$",
    re.I,
)


_DONATE_NOW = re.compile(
    r"^(?:please )?(?:donate|give|contribute)\b.{0,100}\b(?:now|today)\b", re.I
)


def _donation(text: str) -> bool:
    if DONATE_BUTTON.match(text) or _SUPPORT_US.match(text) or _DONATE_NOW.match(text):
        return True
    if len(text) > 240 or not (_DONATE.search(text) and _APPEAL_SUBJECT.search(text)):
        return False
    return bool(_TO_THE_READER.search(text) or _OUR_OUTLET.search(text))


_MEMBERSHIP = _search(
    r"\b(?:become a (?:member|subscriber|supporter)|join (?:our|the) (?:members|membership|"
    r"community of (?:readers|supporters))|our membership|members get (?:unlimited|exclusive|"
    r"ad-free))|멤버십(?:에)? ?가입(?:하세요|해 ?주세요|하시면)|"
    r"유료 ?회원(?:이 되|으로 가입|가입하)|"
    r"회원이 되어 주세요|회원으로 가입해 주세요",
    max_chars=240,
)
_SUBSCRIBE = _search(
    r"^subscribe\b|\b(?:subscribe (?:now|today)|subscribe to (?:our|the [\w' ]{0,30}"
    r"newsletter)|sign up for (?:our|the [\w' ]{0,30}newsletter|a free)|get (?:our|the) "
    r"(?:newsletter|morning briefing) in your inbox|(?:delivered|straight) to your inbox)|"
    r"구독(?:해 ?주세요|하세요|하시면|신청(?:을 해 ?주세요|하기))|뉴스레터를? 받아 ?보세요|"
    r"(?:뉴스레터|브리핑)를? 구독(?:하세요|해 ?주세요|하시면)",
    max_chars=240,
)
_APP = _search(
    r"\b(?:download (?:our|the [\w' ]{0,30}) app|get (?:our|the) app)|"
    r"(?:app store|google play).{0,40}(?:download|available)|"
    r"(?:download|available).{0,40}(?:app store|google play)|"
    r"앱(?:을)? ?(?:지금 )?(?:다운로드|내려받|설치)(?:하세요|해 ?주세요|하시면|받으세요)|"
    r"(?:앱스토어|구글 ?플레이).{0,30}(?:검색|다운로드|내려받)",
    max_chars=240,
)

# --- a newsletter's own greeting and sign-off ---------------------------------------------

_GREETING_EN = _regex(
    r"(?:good (?:morning|evening|afternoon)|hello|hi|welcome)\b.{0,80}"
    r"\b(?:briefing|newsletter|digest|edition|readers?|subscribers?|inbox|roundup)\b|"
    r"welcome to (?:the |this |our |today's )?[\w' ]{0,40}(?:briefing|newsletter|digest|edition)|"
    r"good morning[.!,]?$|here(?:'s| is) what you need to know\b",
    max_chars=200,
)
_SIGNOFF_EN = _regex(
    r"(?:thanks|thank you) for reading|that'?s (?:it|all) for (?:today|this (?:morning|week))|"
    r"see you (?:tomorrow|next (?:week|time)|monday)|until (?:tomorrow|next time)|"
    r"have a (?:great|good|nice) (?:day|week|weekend)|"
    r"(?:for more (?:news|stories)[^.]{0,40},? )?please visit (?:us|our (?:website|site|"
    r"homepage)|[\w.-]+\.(?:com|net|org|kr))|"
    r"forward this (?:email|newsletter)|you (?:are receiving|received) this (?:email|newsletter)|"
    r"was this (?:email|newsletter) forwarded",
    max_chars=200,
)
_GREETING_KO = _regex(
    r"(?:안녕하세요|좋은 아침(?:입니다)?)[,.!]?\s*.{0,60}(?:뉴스레터|브리핑|독자|구독자)|"
    r"안녕하세요[,.!]?$|좋은 아침입니다[.!]?$|"
    r".{0,40}(?:뉴스레터|브리핑)(?:입니다[.!]?$|.{0,15}(?:환영합니다|시작합니다|전해 ?드립니다))|"
    r"오늘의 (?:주요 )?(?:뉴스|소식)을? (?:전해 ?드립니다|정리했습니다)",
    flags=0,
    max_chars=150,
)
_SIGNOFF_KO = _regex(
    r".{0,40}(?:읽어 ?주셔서 감사합니다|구독해 ?주셔서 감사합니다|내일 (?:다시|또) 찾아뵙겠습니다|"
    r"(?:뉴스레터|브리핑)는 여기까지입니다|"
    r"좋은 하루 (?:보내세요|되세요)|다음 (?:주|호)에 (?:다시|또) (?:만나요|뵙겠습니다))|"
    r".{0,60}(?:홈페이지|웹사이트|사이트)를? 방문해 ?주세요",
    flags=0,
    max_chars=150,
)

# --- notes a tool left in the text ------------------------------------------------------------

# A short label may open a note: "Note:", "Editor's note:", "AI-generated summary:".
_LABEL = r"(?:[※*]\s*)?(?:[\w'’ -]{1,30}:\s*)?"
_TRANSLATION_NOTE = _regex(
    r"(?:translator'?s note|translation note)\s*:|"
    rf"{_LABEL}(?:this|the above|my) translation (?:captures|preserves|keeps|conveys|"
    r"maintains|aims|tries|reflects)|let me know if (?:you(?:'d| would)? (?:like|want|need)|"
    r"there)|i hope this (?:helps|translation)|here(?:'s| is) (?:the|a|your) "
    r"(?:translation|translated|summary|rewritten)|(?:translated|translation) (?:by|with|using) "
    r"(?:ai|chatgpt|deepl|google translate|papago|a machine)",
    max_chars=300,
)
_AI_NOTE = _regex(
    r"(?:\[|\()?(?:ai[- ](?:generated|assisted|written|translated)(?: (?:content|article|"
    r"summary|text|translation))?[.)\]]?$)|"
    rf"{_LABEL}(?:this|the) (?:article|story|summary|text|content|report|translation) "
    r"(?:was|is|has been) (?:generated|written|translated|produced|created|drafted|summari[sz]ed)"
    r"(?: in part)? (?:by|with|using) (?:the help of )?(?:an? )?(?:ai|artificial intelligence|"
    r"a machine|chatgpt|a language model|generative ai)|"
    rf"{_LABEL}(?:it|(?:this|the) (?:article|translation|summary|text)) may contain (?:errors|"
    r"inaccuracies|mistakes)",
    max_chars=300,
)
_TOOL_NOTE_KO = _regex(
    r"[\[(]?(?:AI|인공지능) ?(?:번역|생성|작성)(?: 기사| 콘텐츠)?[\])]?[.]?$|"
    r"(?:[※*]\s*)?(?:번역|편집자|역자) ?(?:메모|노트|주)\s*[:：]|"
    r"(?:[※*]\s*)?(?:이|본) (?:기사|글|콘텐츠|번역|요약|내용)(?:은|는)? .{0,30}"
    r"(?:AI|인공지능|기계 ?번역|챗GPT).{0,20}(?:번역|작성|생성|요약)|"
    r".{0,20}번역(?:은|에서는)? .{0,40}(?:살렸|살리려|반영했|유지했)|"
    r".{0,30}(?:필요하(?:시)?면|원하(?:시)?면) .{0,10}(?:말씀해|알려) ?주세요",
    flags=0,
    max_chars=200,
)

# --- portal boilerplate and navigation -------------------------------------------------------

AD_LABEL = re.compile(r"^[-–—\s]*(?:advertisement|광고)[-–—\s]*$", re.I)
MUST_READ = re.compile(r"^(?:must read|editor'?s pick|추천 기사)$", re.I)
TICKER = re.compile(
    r"^(?:breaking(?: news)?|trending(?: now)?|latest(?: news)?|top stories|most read|"
    r"속보|많이 본 뉴스|인기 ?기사|최신 ?뉴스|주요 ?뉴스)\s*(?:[:|›»▶-]|$)",
    re.I,
)
_COPYRIGHT = _search(
    r"무단 ?(?:전재|복제|배포)|재배포 ?금지|저작권자|copyright\s*(?:[ⓒ©]|\(c\)|\d{4})|"
    r"all rights reserved|[ⓒ©]|"
    r"AI 학습 (?:및 )?(?:이용|활용) ?금지",
    max_chars=160,
)
_NAVIGATION = _regex(
    r"(?:see|view|read|check|get) (?:the )?(?:latest )?news (?:of|from|in|for|about) your "
    r"(?:region|area|city|neighborhood)|"
    r"(?:read more|related (?:articles?|stories|news|coverage)|more from|click here|"
    r"back to top|top of page|share (?:this|on|via)|print (?:this|article)|font size|"
    r"skip to (?:main )?content|go to (?:the )?(?:main|home) ?page|view comments|"
    r"leave a comment|next article|previous article)\b.{0,80}$|"
    r"home\s*[>›»/|]|"
    r"(?:우리|내) ?지역 ?(?:뉴스|소식)|지역 ?뉴스 ?(?:보기|바로가기)|관련 ?기사|"
    r"(?:기사 ?)?(?:공유하기|스크랩|인쇄하기)|글자 ?크기|이 기사를 (?:추천|공유)|"
    r"댓글(?: ?쓰기| ?보기|\s*\d*$)|홈\s*[>›»]|맨 ?위로|이전 ?기사|다음 ?기사",
    max_chars=120,
)


def _pipes(text: str) -> bool:
    """A row of menu items or headlines: "A | B | C"."""
    return text.count(" | ") >= 2


# --- captions --------------------------------------------------------------------------------

# A photo credit closing a caption: "[YONHAP]", "[Korea Daily]", "[연합뉴스]", "[AP=연합뉴스]".
CAPTION_CREDIT = re.compile(r"\[[^\[\]]{2,60}\]$")
_CREDIT_BRACKET = re.compile(r"\S.{8,}\[[A-Z0-9\uac00-\ud7a3][\w .,'’&/=·-]{0,58}\]\s*$")


def _bracket_credit(text: str) -> bool:
    """A caption: words, then a bracketed credit with no full stop after it ("[sic]" is no
    credit; a bracket alone is a wire credit or a label)."""
    return bool(_CREDIT_BRACKET.search(text)) and not text.endswith(("].", "]”", ']"'))


_PHOTO_CREDIT = _search(
    r"\((?:photo|photos|image|file photo|사진)\s*[:=]?[^)]{0,60}\)\s*$|"
    r"^\((?:photo|사진)\s*[:=][^)]{0,60}\)|"
    r"(?:^|[\s.])(?:사진|자료사진|그래픽)\s?=\s?[\w\uac00-\ud7a3 ./·]{1,30}$|"
    r"^(?:photo|image|file photo)\s*(?:by|:|courtesy(?: of)?)\s|"
    r"^\[?(?:사진|자료사진)\s?[:=]?\s?[\w\uac00-\ud7a3 ./·]{0,30}\]?$|"
    r"(?:courtesy of|photo courtesy)\s[\w .&'-]{1,50}$|"
    r"/\s?(?:AP|AFP|Reuters|Getty Images|연합뉴스)$",
    max_chars=260,
)
_LOGO = _regex(
    r"(?:the )?(?:corporate )?logo (?:of|for) [^.]{1,60}$|[^.]{1,50}(?:'s)? logo$|"
    r"[\w\uac00-\ud7a3 ]{1,30} ?(?:로고|CI)(?:\s*\[[^\]]+\])?$",
    max_chars=100,
)

# --- credits that close a story --------------------------------------------------------------

_NAME_WORD = r"[A-Z][A-Za-z'.\-]+"
BYLINE = re.compile(
    rf"^(?:BY|By|by)\s+(?P<name>{_NAME_WORD}(?:(?:\s+|\s*,\s*|\s+and\s+){_NAME_WORD}){{0,6}})"
    rf"\s*(?:\[[^\]]*\]|\(?{_EMAIL}\)?)?$"
)
# "김지훈 기자", "김지훈·이수진 기자 kim@example.com", "워싱턴=박소연 특파원"
KOREAN_REPORTER = re.compile(
    rf"^(?:\S+=)?(?P<name>{_HANGUL_NAME})(?:\s*[·,]\s*{_HANGUL_NAME})*\s?"
    rf"(?:기자|특파원|객원기자|인턴기자)(?:\s*[\[(]?{_EMAIL}[\])]?)?$"
)
_REPORTER_EN = re.compile(
    rf"^(?:reporter|staff writer|correspondent)\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
    rf"(?:\s*[\[(]?{_EMAIL}[\])]?)?\.?$|^{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}\s*[\[(]?{_EMAIL}[\])]?$"
)
_EMAIL_LINE = re.compile(rf"^[\[(<]?(?:e-?mail\s*:?\s*)?{_EMAIL}[\])>]?\.?$", re.I)
TAG_LINE = re.compile(r"^(?:#\S+\s*)+$|^(?:tags?|태그|관련 ?태그|키워드)\s*[:：]", re.I)
WIRE_CREDIT = re.compile(
    rf"^[-–—/(\[<\s]*(?:{_WIRES})"
    r"(?:\s*(?:contributed(?: to this (?:report|story|article))?|photo|/ ?\w+))?[)\]>]?\.?$",
    re.I,
)

RULES: tuple[Rule, ...] = (
    Rule("donation-appeal", "appeal", LANGUAGES, _donation),
    Rule("membership-appeal", "appeal", LANGUAGES, _MEMBERSHIP),
    Rule("subscribe-appeal", "appeal", LANGUAGES, _SUBSCRIBE),
    Rule("app-appeal", "appeal", LANGUAGES, _APP),
    Rule("newsletter-greeting", "greeting", EN, _GREETING_EN),
    Rule("newsletter-signoff", "greeting", EN, _SIGNOFF_EN),
    Rule("newsletter-greeting-ko", "greeting", KO, _GREETING_KO),
    Rule("newsletter-signoff-ko", "greeting", KO, _SIGNOFF_KO),
    Rule("translation-note", "tool-note", LANGUAGES, _TRANSLATION_NOTE),
    Rule("ai-note", "tool-note", LANGUAGES, _AI_NOTE),
    Rule("tool-note-ko", "tool-note", LANGUAGES, _TOOL_NOTE_KO),
    Rule("ad-label", "portal", LANGUAGES, lambda t: bool(AD_LABEL.match(t))),
    Rule("must-read", "portal", LANGUAGES, lambda t: bool(MUST_READ.match(t))),
    Rule("ticker", "portal", LANGUAGES, lambda t: bool(TICKER.match(t)) or _pipes(t)),
    Rule("copyright", "portal", LANGUAGES, _COPYRIGHT),
    Rule("navigation", "portal", LANGUAGES, _NAVIGATION),
    Rule("caption-credit", "caption", LANGUAGES, _bracket_credit, whole_line=True),
    Rule("photo-caption", "caption", LANGUAGES, _PHOTO_CREDIT, whole_line=True),
    Rule("logo-caption", "caption", LANGUAGES, _LOGO),
    Rule("byline", "credit", LANGUAGES, lambda t: bool(BYLINE.match(t))),
    Rule("reporter-line", "credit", LANGUAGES, lambda t: bool(KOREAN_REPORTER.match(t))),
    Rule("reporter-line-en", "credit", LANGUAGES, lambda t: bool(_REPORTER_EN.match(t))),
    Rule("email-line", "credit", LANGUAGES, lambda t: bool(_EMAIL_LINE.match(t))),
    Rule("tag-line", "credit", LANGUAGES, lambda t: bool(TAG_LINE.match(t))),
    Rule("wire-credit", "credit", LANGUAGES, lambda t: bool(WIRE_CREDIT.match(t))),
)
BY_NAME = {rule.name: rule for rule in RULES}
WHOLE_LINE_RULES = tuple(rule for rule in RULES if rule.whole_line)
KINDS = ("appeal", "greeting", "tool-note", "portal", "caption", "deck", "credit")


# Where a line holds several sentences, each is judged alone: a story sentence with an appeal
# run into it loses the appeal, not itself. A rough split is enough to find furniture.
_UNIT_BREAK = re.compile(r"[.!?][\"”’)\]]*\s+(?=[^\s\d])")
_ABBREVIATED = re.compile(
    r"(?:\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|St|Jr|Sr|No|vs|Gov|"
    r"Sen|Rep|Gen|Col|Lt|Prof|Inc|Co|Corp|Ltd)|\b[A-Z]|\b[A-Z]\.[A-Z])\.$"
)


def _units(text: str) -> list[str]:
    units, start = [], 0
    for m in _UNIT_BREAK.finditer(text):
        if _ABBREVIATED.search(text, 0, m.start() + 1):
            continue  # "Dec. 31", "U.S. Treasury", "Mr. Kim": not the end of a sentence
        units.append(text[start : m.end()].strip())
        start = m.end()
    units.append(text[start:].strip())
    return [u for u in units if u]


@lru_cache(maxsize=8192)
def _first_rule(text: str, language: str | None, rules: tuple[Rule, ...] = RULES) -> Rule | None:
    """Cached: the summarizer tests a paragraph as a line and again as a sentence, and the
    cleaner has tested most of them before it."""
    for rule in rules:
        if rule.applies(text, language):
            return rule
    return None


def furniture_rule(text: str, language: str | None = None) -> Rule | None:
    """The rule that takes the whole of ``text`` (a line or a sentence) for furniture, if any:
    a line of several sentences is furniture only when every one of them is."""
    text = text.strip()
    if not text:
        return None
    whole = _first_rule(text, language, WHOLE_LINE_RULES)
    if whole is not None:
        return whole
    units = _units(text)
    if len(units) <= 1:
        return _first_rule(text, language)
    rules = [_first_rule(unit, language) for unit in units]
    return rules[0] if all(rules) else None


# What the cleaners removed while a page was read, for `digest summarize` (None: not asked).
_removed: ContextVar[list[tuple[str, str]] | None] = ContextVar("furniture_removed", default=None)


@contextmanager
def recording() -> Iterator[list[tuple[str, str]]]:
    """Collect the (rule name, text) pairs the cleaners remove inside this block: they keep
    only the story, so this is how one page's removals can be shown."""
    removed: list[tuple[str, str]] = []
    token = _removed.set(removed)
    try:
        yield removed
    finally:
        _removed.reset(token)


def record(pairs: list[tuple[str, str]]) -> None:
    """Note removals for a ``recording()`` block, if one is open."""
    seen = _removed.get()
    if seen is not None:
        seen.extend(pairs)


def strip_furniture(text: str, language: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """``text`` without its furniture: returns what is left and (rule name, removed) pairs."""
    text = text.strip()
    rule = furniture_rule(text, language)
    if rule is not None:
        record([(rule.name, text)])
        return "", [(rule.name, text)]
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    units = _units(text)
    if len(units) > 1:
        for unit in units:
            rule = _first_rule(unit, language)
            if rule is None:
                kept.append(unit)
            else:
                removed.append((rule.name, unit))
    if not removed:
        return text, []
    record(removed)
    return " ".join(kept), removed


# --- credits at the end of a paragraph -------------------------------------------------------

# "...billion.Yonhap", "...밝혔다./연합뉴스", "...said. (AP)": a credit glued to the last
# sentence. The sentence keeps its full stop; the credit goes.
_GLUED_CREDIT = re.compile(
    rf"(?<=[.!?\"”’])\s*[-–—/(\[<]*\s*(?:{_WIRES})[)\]>]?\.?\s*$|"
    rf"(?<=[a-z0-9%)][.!?])(?:[A-Z][A-Za-z]+)(?: [A-Z][A-Za-z]+){{0,2}}\s*$"
)
# What may close a paragraph without a full stop: a reporter line, an address, tags.
_TRAILING_CREDIT = re.compile(
    rf"(?<=[.!?\"”’])\s*(?:"
    rf"(?:\S+=)?{_HANGUL_NAME}(?:\s*[·,]\s*{_HANGUL_NAME})*\s?(?:기자|특파원)(?:\s*[\[(]?{_EMAIL}[\])]?)?"
    rf"|(?:BY|By)\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}(?:\s*[\[(]?{_EMAIL}[\])]?)?"
    rf"|[\[(<]?{_EMAIL}[\])>]?"
    rf"|(?:#\S+\s*)+"
    rf")\s*$"
)


def strip_trailing_credit(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Cut credits off the end of a paragraph; returns the text and (rule name, cut text) pairs.

    A paragraph that ends in a reporter line, an email address, tags or a wire credit glued to
    its last full stop would otherwise not end like a sentence and be lost whole.
    """
    removed: list[tuple[str, str]] = []
    while True:
        m = _TRAILING_CREDIT.search(text)
        name = "trailing-credit"
        if not m:
            m = _GLUED_CREDIT.search(text)
            name = "glued-credit"
        if not m or m.start() == 0:
            record(removed)
            return text, removed
        removed.append((name, text[m.start() :].strip()))
        text = text[: m.start()].rstrip()


# --- datelines, decks and the headline repeated ----------------------------------------

_WORDISH = re.compile(r"[0-9A-Za-z\uac00-\ud7a3]+")


def _bigrams(text: str) -> set[str]:
    squashed = "".join(_WORDISH.findall(text.lower()))
    return {squashed[i : i + 2] for i in range(len(squashed) - 1)}


def repeats_headline(sentence: str, headline: str) -> bool:
    """True when the sentence is the headline printed again (perhaps with a full stop or, in
    Korean, other endings): it holds nearly all of the headline and little else. A lead that
    restates the headline with facts of its own (a date, a number) is not a repeat."""
    if not headline:
        return False
    head, sent = _bigrams(headline), _bigrams(sentence)
    if len(head) < 4 or not sent:
        return False
    shared = len(head & sent)
    return shared / len(head) >= 0.8 and shared / len(sent) >= 0.65


_DATELINES = (
    # "SEOUL — ", "LOS ANGELES (AP) — ", "SEOUL, Nov. 24 (Yonhap) -- ", "WASHINGTON – "
    re.compile(
        r"^[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]*){0,3}"
        r"(?:,(?: [A-Z][\w.]*| \d{1,2}){1,3})?"
        r"(?: \([^)]{1,40}\))?"
        r" ?(?:—|–|--|-) "
    ),
    # "[LA중앙일보] "
    re.compile(r"^\[[^\]]{1,30}\] ?(?=\S)"),
    # "(서울=연합뉴스) 김지훈 기자 = ", "【서울=뉴시스】 "
    re.compile(
        r"^[(【][^)】=]{1,20}=[^)】]{1,20}[)】] ?"
        r"(?:[\uac00-\ud7a3]{2,4}(?:\s*[·,]\s*[\uac00-\ud7a3]{2,4})*\s*(?:기자|특파원)\s*= ?)?"
    ),
)


def starts_with_dateline(text: str) -> bool:
    return any(pattern.match(text) for pattern in _DATELINES)


def strip_dateline(text: str) -> str:
    """'SEOUL — The ministry said...' -> 'The ministry said...': the place is not the story."""
    for pattern in _DATELINES:
        text = pattern.sub("", text, count=1)
    return text.strip()
