"""The faithfulness gate on its own: what it accepts and what it refuses, rule by rule."""

from __future__ import annotations

import pytest

from digest.faithfulness import check

ARTICLE_EN = """Korean battery maker to open $1.2 billion plant in Georgia

SEOUL — Hanul Energy Solutions said Tuesday it will build a $1,200,000,000 battery plant in
Bartow County, Georgia, its first factory in the United States. About 1,800 workers will be
hired by 2028, and construction starts Nov. 24.

Chief Executive Park Seon-woo said the company's shares rose 4.5% on the news. "Georgia gave
us a clear path from permits to hiring," he said. Los Angeles investors were not involved.

Officials said the state offered $45 million in incentives, 23 percent less than last year."""

ARTICLE_KO = """내년 대미 수출 1조 2천억원 늘어날 전망

한국무역협회는 2026.11.24 발표한 보고서에서 내년 대미 수출이 1조2000억원 늘어날 것으로
내다봤다. 배터리 수출은 12% 증가하고, 참가 기업 3만5천 곳 가운데 절반이 수혜를 볼 것으로 분석됐다.

한경민 무역협회 연구위원은 "미국 현지 공장 가동이 본격화되면서 중간재 수요가 커지고 있다"고 말했다.
12월 3일에는 설명회가 열린다."""


def problems(summary: str, article: str = ARTICLE_EN) -> tuple[str, ...]:
    return check(summary, article).problems


@pytest.mark.parametrize(
    "summary",
    [
        "Hanul Energy Solutions will build a $1.2 billion plant in Bartow County, Georgia.",
        "The plant costs 1.2 billion dollars.",  # the same value written another way
        "Shares rose 4.5 percent, and incentives were 23% lower.",  # percent, either way
        "About 1,800 workers will be hired by 2028.",
        "Construction starts November 24.",  # a date by value
        "Officials offered $45 million in incentives.",  # a sentence's first word, any case
        "The U.S. plant is Hanul's first.",  # a short form of "United States"
        "Park Seon-woo, the chief executive, said shares rose.",
        "Chief Executive Park Seon-woo welcomed it.",
        'Park said "Georgia gave us a clear path ... to hiring."',  # an ellipsis may skip
        "Park said “Georgia gave us a clear path from permits to hiring.”",
        "LA investors were not involved.",
    ],
)
def test_a_faithful_english_summary_passes(summary):
    assert problems(summary) == ()


@pytest.mark.parametrize(
    ("summary", "problem"),
    [
        ("The plant will cost $1.5 billion.", "number '1.5 billion'"),
        ("The plant will cost $1.2 million.", "number '1.2 million'"),  # the scale counts
        ("Shares rose 45 percent.", "number '45 percent'"),
        ("Shares rose 1,800 percent.", "number '1,800 percent'"),  # not a percentage there
        ("Construction starts Nov. 25.", "date 11/25"),
        ("Construction starts in December.", "date month 12"),
        ("Chief Executive Kim Dong-hyun welcomed it.", "name 'Chief Executive Kim Dong-hyun'"),
        ("Governor Ann Lee welcomed it.", "name 'Governor Ann Lee'"),
        ("Analysts at Daeil Securities welcomed it.", "name 'Analysts'"),
        ("Park said the plant was “a turning point.”", "quote 'a turning point.'"),
        ('Park said "Georgia gave us a clear path ... to jobs."', "quote"),
        ("The UN welcomed it.", "name 'UN'"),
        ("The plant is Hanul's first in the US, said the mayor of Atlanta.", "name 'Atlanta'"),
    ],
)
def test_an_unfaithful_english_summary_is_refused(summary, problem):
    found = problems(summary)
    assert any(p.startswith(problem) for p in found), found


def test_a_hyphen_or_a_space_between_the_parts_of_a_name_is_the_same():
    article = "Korean-American voters turned out in Los Angeles."
    assert problems("Korean American voters turned out.", article) == ()


def test_an_acronym_is_not_matched_by_a_lowercase_word():
    article = "Georgia gave us a clear path."
    assert problems("US officials said Georgia gave a clear path.", article)


@pytest.mark.parametrize(
    "summary",
    [
        "한국무역협회는 내년 대미 수출이 1조 2천억원 늘어날 것으로 내다봤다.",
        "한국무역협회는 대미 수출이 1조2000억원 늘고 배터리 수출은 12% 증가할 것으로 봤다.",
        "3만5천 곳 가운데 절반이 수혜를 볼 것으로 분석됐다.",
        "한경민 연구위원은 중간재 수요가 커지고 있다고 설명했다.",
        '한경민 위원은 "미국 현지 공장 가동이 본격화되면서 중간재 수요가 커지고 있다"고 말했다.',
        "12월 3일 설명회가 열린다.",
        "11월 24일 발표된 보고서다.",  # the date of "2026.11.24"
        "배터리 수출은 12% 증가할 것으로 보인다.",  # a one-syllable noun and its particle
    ],
)
def test_a_faithful_korean_summary_passes(summary):
    assert problems(summary, ARTICLE_KO) == ()


@pytest.mark.parametrize(
    ("summary", "problem"),
    [
        ("내년 대미 수출이 1조 5천억원 늘어날 전망이다.", "number '1조 5천억'"),
        ("배터리 수출은 15% 증가할 것으로 분석됐다.", "number '15%'"),
        ("12월 4일 설명회가 열린다.", "date 12/4"),
        ("이정훈 연구위원은 중간재 수요가 커지고 있다고 말했다.", "word '이정훈'"),
        ("박지성 의원은 수출이 늘어날 것이라고 말했다.", "name '박지성'"),
        ("한경민 연구위원은 최경환씨와 함께 보고서를 냈다.", "name '최경환'"),
        ('한경민 연구위원은 "수출이 사상 최대"라고 말했다.', "quote '수출이 사상 최대'"),
        ("KOTRA는 수출이 늘어날 것으로 내다봤다.", "name 'KOTRA'"),
    ],
)
def test_an_unfaithful_korean_summary_is_refused(summary, problem):
    found = problems(summary, ARTICLE_KO)
    assert any(p.startswith(problem) for p in found), found


def test_the_verdict_reads_as_a_reason():
    verdict = check("Shares rose 45 percent.", ARTICLE_EN)
    assert not verdict.faithful
    assert str(verdict) == "number '45 percent' is not in the article"
    assert str(check("Shares rose.", ARTICLE_EN)) == "faithful"


def test_every_sentence_of_the_demo_articles_passes_as_a_summary():
    """Text copied from the article is faithful by definition: the gate must never refuse it
    (the demo's 20 stories, English and Korean, saved pages and WordPress posts)."""
    from digest.demo import ARTICLES_DIR
    from digest.sentences import split_sentences
    from digest.sources import FolderSource, RawArticle

    checked = 0
    for item in FolderSource(ARTICLES_DIR).fetch(None):
        assert isinstance(item, RawArticle), item
        article = f"{item.title}\n\n{item.body}"
        for paragraph in item.body.split("\n\n"):
            for sentence in split_sentences(paragraph, item.language):
                assert check(sentence, article).problems == (), sentence
                checked += 1
    assert checked > 200
