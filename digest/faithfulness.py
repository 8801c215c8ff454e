"""The faithfulness gate: a machine-written summary is used only where the article backs it.

A language model writes fluent sentences that may carry a figure, a date, a name or a quote
the story never gave, and a reader cannot tell. So every number, date, name and quoted phrase
in the summary must be found in the article (headline and body). The checks are literal on
purpose: a false refusal costs a plainer summary (the extractive one), a false pass costs the
newsroom its word.

- Numbers are compared by value with their scale ("$1.2 billion" = "1,200,000,000";
  "1조 2천억" = "1조2000억"), and a percentage only with a percentage.
- Dates: a month and day ("Nov. 24", "11월 24일", "2026-11-24") must be a date of the
  article; a month named alone must be one of its months.
- Names: runs of capitalised words must appear as written (a title such as "Mayor" may stand
  apart); Hangul words, particles stripped, that the article lacks are suspects: a 2-4
  syllable word before a title ("김민수 시장") always, any other 2-4 syllable word unless it
  reads as a verb or a common connective.
- Quoted phrases must appear word for word (case and quote marks aside; "..." may skip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> list[str]:
    return text.split()


# --- numbers ---------------------------------------------------------------------------------

_N = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_KO_BIG = {"조": 1e12, "억": 1e8, "만": 1e4}
_KO_SMALL = {"천": 1e3, "백": 1e2, "십": 10.0}
# "1조 2천억", "3만5000", "2천억", "1.2조": groups of a number, a small unit and a big unit.
_KO_GROUP = rf"{_N}[천백십]?[조억만]"
_KO_AMOUNT = re.compile(
    rf"(?<![\d.,])(?:{_KO_GROUP}(?:\s?{_KO_GROUP})*(?:{_N}[천백십]?)?|{_N}[천백])"
)
_KO_PART = re.compile(rf"({_N})([천백십]?)([조억만]?)")
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9}
_NUMBER = re.compile(
    rf"(?<![\d.,])(?P<n>{_N})"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn)\b)?"
    r"(?:\s?(?P<pct>%|％|percent\b|per cent\b|percentage points?\b|퍼센트))?",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class _Number:
    value: float
    percent: bool
    text: str


def _key(value: float) -> str:
    """Values compared to nine significant digits (1.2 × 10¹² equals 1,200,000,000,000)."""
    return f"{value:.9g}"


def _plain(number: str) -> float:
    return float(number.replace(",", ""))


def _korean_amount(text: str) -> float:
    total = group = 0.0
    for number, small, big in _KO_PART.findall(text):
        value = _plain(number) * _KO_SMALL.get(small, 1.0)
        if big:
            total += (group + value) * _KO_BIG[big]
            group = 0.0
        else:
            group += value
    return total + group


def _numbers(text: str) -> tuple[list[_Number], str]:
    """The numbers in ``text``, and the text with them blanked (so none is read twice)."""
    found: list[_Number] = []
    chars = list(text)
    for match in _KO_AMOUNT.finditer(text):
        found.append(_Number(_korean_amount(match.group()), False, match.group()))
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
    rest = "".join(chars)
    for match in _NUMBER.finditer(rest):
        scale = _SCALES[match["scale"].lower()] if match["scale"] else 1.0
        found.append(_Number(_plain(match["n"]) * scale, bool(match["pct"]), match.group().strip()))
    return found, rest


def _number_problems(summary: str, article: str) -> list[str]:
    article_numbers, _ = _numbers(article)
    values = {_key(n.value) for n in article_numbers}
    # Every bare figure too: "1.2" of "$1.2 billion", each part of "2026.11.24" or "9:30".
    values |= {_key(_plain(m.group())) for m in re.finditer(_N, article)}
    values |= {_key(float(d)) for d in _DIGITS.findall(article)}
    percents = {_key(n.value) for n in article_numbers if n.percent}
    problems = []
    for number in _numbers(summary)[0]:
        allowed = percents if number.percent else values
        if _key(number.value) not in allowed:
            problems.append(f"number {number.text!r} is not in the article")
    return problems


# --- dates -----------------------------------------------------------------------------------

_MONTH_NAMES = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_EN_MONTH_DAY = re.compile(
    rf"\b(?P<m>{_MONTH})(?![a-z])\.?(?:\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b)?"
)
_EN_DAY_MONTH = re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH})(?![a-z])")
_KO_DATE = re.compile(r"(?<!\d)(?P<m>\d{1,2})월(?:\s?(?P<d>\d{1,2})일)?")
_NUMERIC_DATE = re.compile(r"(?<!\d)\d{4}\s?[-./]\s?(?P<m>\d{1,2})\s?[-./]\s?(?P<d>\d{1,2})(?!\d)")
_US_DATE = re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/\d{2,4}(?!\d)")


def _month(name: str) -> int:
    return int(name) if name.isdigit() else _MONTH_NAMES[name[:3].lower()]


def _dates(text: str) -> set[tuple[int, int | None]]:
    """(month, day) pairs, day None for a month alone; "May" alone is too often a verb."""
    patterns = [_EN_MONTH_DAY, _EN_DAY_MONTH, _KO_DATE, _NUMERIC_DATE, _US_DATE]
    found: set[tuple[int, int | None]] = set()
    for pattern in patterns:
        for match in pattern.finditer(text):
            day = int(match["d"]) if match["d"] else None
            if day is None and match["m"] == "May":
                continue
            month = _month(match["m"])
            if 1 <= month <= 12 and (day is None or 1 <= day <= 31):
                found.add((month, day))
    return found


def _date_problems(summary: str, article: str) -> list[str]:
    known = _dates(article)
    months = {month for month, _ in known}
    problems = []
    for month, day in sorted(_dates(summary), key=lambda d: (d[0], d[1] or 0)):
        backed = (month, day) in known if day else month in months
        if not backed:
            what = f"{month}/{day}" if day else f"month {month}"
            problems.append(f"date {what} is not in the article")
    return problems


# --- quotes ----------------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|‘([^’]+)’|「([^」]+)」|『([^』]+)』')
_ELLIPSIS = re.compile(r"\.{3}|…")
_QUOTE_MARKS = str.maketrans({c: '"' for c in "“”„«»「」『』"} | {c: "'" for c in "‘’`"})


def _normal(text: str) -> str:
    return " ".join(text.translate(_QUOTE_MARKS).lower().split())


def _quote_problems(summary: str, article: str) -> list[str]:
    article_text = _normal(article)
    problems = []
    for match in _QUOTED.finditer(summary):
        quoted = next(group for group in match.groups() if group is not None)
        for fragment in _ELLIPSIS.split(quoted):
            fragment = _normal(fragment).strip(" .,;:!?'\"")
            if fragment and fragment not in article_text:
                problems.append(f"quote {quoted.strip()!r} is not in the article")
                break
    return problems


# --- names in Latin letters ------------------------------------------------------------------

# Latin letters only: in "LA한인회는" the name is "LA", the rest is the Korean check's.
_LATIN = r"[A-Za-z0-9\u00c0-\u024f]"
_TOKEN = rf"[A-Z]{_LATIN}*(?:[’'.&-]{_LATIN}*)*\.?"
_CAPITALISED = re.compile(rf"(?<![\w’'])(?<![A-Za-z]\.){_TOKEN}(?:[ \t]+{_TOKEN})*")
# Words that start sentences without being names.
_OPENERS = frozenset(
    _words("""A About According After Against Also Although Amid Among An And Another As At Because
    Before Both But By Despite During Each Earlier Even For From He Her Here His However If In
    Instead It Its Later Many Meanwhile More Most No Not Now Officials On Once One Only Or Other
    Others Over Since Several She Some Still That The Their There These They This Those Though
    Through To Under Until Upon We What When Where While Who With Without Yet""")
)
_TITLES = frozenset(
    _words("""President Vice Mayor Gov Governor Rep Representative Sen Senator Minister Prime
    Foreign Trade Finance Secretary Chairman Chairwoman Chair CEO Dr Mr Mrs Ms Prof Professor Judge
    Justice Councilmember Councilman Councilwoman Supervisor Commissioner Chief Ambassador
    Consul General Deputy Director Superintendent Sheriff Officer Detective Pastor Rev Father
    Coach Lt Sgt Capt Gen Col Assemblymember Assemblyman Assemblywoman Speaker Leader""")
)
# Short forms any reader knows, against the article's long ones (dots already removed).
_ALIASES = {
    "US": ("United States", "USA", "America"),
    "USA": ("United States", "US"),
    "LA": ("Los Angeles",),
    "Los Angeles": ("LA",),
    "UN": ("United Nations",),
    "EU": ("European Union",),
}
_MONTH_WORDS = re.compile(rf"^{_MONTH}\.?$")
_WEEKDAYS = re.compile(r"^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day$")


def _word(token: str) -> str:
    """A token as it is compared: no possessive, no dots ("U.S." is "US")."""
    token = re.sub(r"[’']s$", "", token)
    return token.replace(".", "").strip("’'-&")


def _found(phrase: str, haystack: str, *, any_case: bool) -> bool:
    flags = re.IGNORECASE if any_case else 0
    words = r"[\s-]+".join(re.escape(word) for word in phrase.split())  # "Korean-American"
    pattern = rf"(?<!{_LATIN}){words}(?!{_LATIN})"
    return re.search(pattern, haystack, flags) is not None


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?:\n"


def _name_problems(summary: str, article: str) -> list[str]:
    # Compared without dots (U.S. = US) and possessives on both sides.
    haystack = " ".join(_word(t) for t in article.split())
    problems = []
    for match in _CAPITALISED.finditer(summary):
        words = [_word(w) for w in match.group().split()]
        # Only the sentence's own first word may be an ordinary word capitalised ("Analysts
        # said"), and never an acronym ("US" is not "us").
        first = _opens_sentence(summary, match.start())
        if first and words and words[0] in _OPENERS:
            words, first = words[1:], False
        # Months are the date check's; a phrase is cut where one stands.
        phrases: list[list[str]] = [[]]
        for word in words:
            if _MONTH_WORDS.match(word) or not word:
                phrases.append([])
            else:
                phrases[-1].append(word)
        for n, phrase in enumerate(p for p in phrases if p):
            any_case = first and n == 0 and len(phrase) == 1 and not phrase[0].isupper()
            if not _phrase_found(phrase, haystack, any_case=any_case):
                problems.append(f"name {' '.join(phrase)!r} is not in the article")
    return problems


def _phrase_found(words: list[str], haystack: str, *, any_case: bool) -> bool:
    phrase = " ".join(words)
    if _found(phrase, haystack, any_case=any_case):
        return True
    if any(_found(alias, haystack, any_case=False) for alias in _ALIASES.get(phrase, ())):
        return True
    # "Foreign Minister Cho Hyun" for "Cho Hyun, the foreign minister": the titles may stand
    # apart; the name itself must appear whole.
    titles = [w for w in words if w in _TITLES]
    name = [w for w in words if w not in _TITLES]
    if not titles or not name:
        return False
    return _found(" ".join(name), haystack, any_case=False) and all(
        _found(t, haystack, any_case=True) for t in titles
    )


# --- Korean names ----------------------------------------------------------------------------

_HANGUL_WORD = re.compile(r"[가-힣]+")
# Particles (and the copula) a noun carries in running text, longest first.
_PARTICLES = sorted(
    _words("""은 는 이 가 을 를 의 에 로 와 과 도 만 께 에서 에게 께서 으로 부터 까지 처럼 보다 마다
    이나 이며 이고 하고 와의 과의 에도 에는 로는 에서는 에게서 으로는 으로서 으로써 이라고
    라고 이라는 라는 이란 란 이었다 였다 이다 측은 측이 측의 측"""),
    key=len,
    reverse=True,
)
_PARTICLE_SET = frozenset(_PARTICLES)
# Verbs and adjectives end so; what the gate reads as a paraphrase, not a name.
_PREDICATE_ENDINGS = tuple(
    _words("""다 다고 다며 다는 고 며 면서 지만 는데 도록 자 하고 했고 되고 됐고 하는 되는 했던 하던
    하며 하기 되기 해 해서 했 한 할 될 된 적 적인 적으로 게 히 려 려고 겠 았 었 였 음 함 됨
    어 아 여""")
)
# Words a summary uses to join what the article says, found in it or not.
_CONNECTIVES = frozenset(
    _words("""이날 이번 한편 그러나 하지만 따라서 특히 관련 대해 위해 통해 따라 이후 현재 최근 올해
    지난해 내년 오는 지난 당시 예정 계획 전망 가운데 이에 이들 이는 그는 그녀 이상 이하
    이미 아직 모두 함께 다시 가장 대한 위한 같은 있는 없는 또한 또 그리고 이로써 앞서 이어
    나아가 아울러 한인 미국 한국 주민 정부 당국 관계자 발표 내용 결과 설명 소식""")
)
_KO_TITLES = tuple(
    sorted(
        _words("""대통령 부통령 장관 차관 총리 부총리 시장 부시장 의원 시의원 하원의원 상원의원
        주지사 지사 대표 회장 부회장 위원장 위원 이사장 이사 사장 부사장 대사 총영사 영사 교수 감독
        코치 선수 후보 국장 청장 의장 총장 원장 관장 소장 실장 단장 부장 과장 검사 판사
        변호사 의사 간호사 목사 신부 스님 작가 대변인 씨 기자 특파원 셰프 박사"""),
        key=len,
        reverse=True,
    )
)


_COUNTED = re.compile(r"\d\s?$")
_ONE_SYLLABLE_NOUNS = frozenset("등것수중측곳명개위외내후전간시분년월일차번건만법돈집때말뒤앞안밖")


def _stem(word: str) -> str:
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


def _korean_problems(summary: str, article: str) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    matches = list(_HANGUL_WORD.finditer(summary))
    words = [m.group() for m in matches]
    for n, word in enumerate(words):
        if _COUNTED.search(summary[: matches[n].start()]):
            continue  # a counter or unit ("300명에게", "5곳과"): the number is checked
        name = _titled_name(word, words[n + 1] if n + 1 < len(words) else "")
        stem = name or _stem(word)
        if stem in seen or stem in article or word in article:
            continue
        if not name and word[0] in _ONE_SYLLABLE_NOUNS and word[1:] in _PARTICLE_SET:
            continue  # "등을", "것으로": a one-syllable noun and its particle
        seen.add(stem)
        if name:
            problems.append(f"name {name!r} is not in the article")
        elif (
            2 <= len(stem) <= 4
            and stem not in _CONNECTIVES
            and not word.endswith(_PREDICATE_ENDINGS)
        ):
            problems.append(f"word {stem!r} is not in the article (a name?)")
    return problems


def _titled_name(word: str, following: str) -> str:
    """The name in "김민수 시장" or "김민수시장은", or "" when ``word`` is no titled name."""
    for title in _KO_TITLES:
        if following.startswith(title) and 2 <= len(word) <= 4:
            return word
        head = _stem(word)
        if head.endswith(title) and 2 <= len(head) - len(title) <= 4:
            return head[: -len(title)]
    return ""


# --- the gate --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What the gate found: no problems means the summary may be used."""

    problems: tuple[str, ...] = ()

    @property
    def faithful(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        return "; ".join(self.problems) if self.problems else "faithful"


def check(summary: str, article: str) -> Verdict:
    """Every number, date, name and quote of ``summary`` must be in ``article`` (the headline
    and body together)."""
    problems = [
        *_number_problems(summary, article),
        *_date_problems(summary, article),
        *_quote_problems(summary, article),
        *_name_problems(summary, article),
        *_korean_problems(summary, article),
    ]
    return Verdict(tuple(dict.fromkeys(problems)))
