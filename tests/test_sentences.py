"""Sentence splitting: English abbreviations and quotes, Korean endings, paragraph limits."""

from __future__ import annotations

import pytest

from digest.sentences import is_sentence, split_sentences


def test_english_abbreviations_do_not_split():
    text = (
        "The U.S. Treasury said on Aug. 28 that it would review the shipyard deal. "
        "Sen. Kim Young-ho called the review a mistake. "
        "Hanwha has pledged $3.5 billion for the Philadelphia yard."
    )
    assert split_sentences(text, "en") == [
        "The U.S. Treasury said on Aug. 28 that it would review the shipyard deal.",
        "Sen. Kim Young-ho called the review a mistake.",
        "Hanwha has pledged $3.5 billion for the Philadelphia yard.",
    ]


def test_english_quotes_keep_their_closing_mark():
    text = (
        'Park said, "We are ready to sign this week." Officials in Seoul declined to comment. '
        'A reporter asked, "Why now?" The minister did not answer.'
    )
    assert split_sentences(text, "en") == [
        'Park said, "We are ready to sign this week."',
        "Officials in Seoul declined to comment.",
        'A reporter asked, "Why now?"',
        "The minister did not answer.",
    ]


def test_english_question_inside_quote_does_not_end_the_sentence():
    text = "“Why now?” he asked. The minister did not answer."
    assert split_sentences(text, "en") == ["“Why now?” he asked.", "The minister did not answer."]


def test_english_time_followed_by_weekday_stays_whole():
    text = "Polls close at 8 p.m. Tuesday in most states. Results are expected overnight."
    assert split_sentences(text, "en") == [
        "Polls close at 8 p.m. Tuesday in most states.",
        "Results are expected overnight.",
    ]


def test_never_splits_across_paragraphs_and_joins_soft_wraps():
    text = (
        "Port officials said the terminals have capacity\nto handle the extra traffic\n\n"
        "Importers disagreed. They expect delays into January.\n\n\n"
    )
    assert split_sentences(text, "en") == [
        "Port officials said the terminals have capacity to handle the extra traffic",
        "Importers disagreed.",
        "They expect delays into January.",
    ]


def test_korean_endings_numbers_and_latin_text():
    text = (
        "LA 한인회는 24일 추수감사절 경로 잔치에 노인 1,200명이 참석했다고 밝혔다. "
        "참석자는 지난해보다 3.5% 늘었다! 행사는 2026.11.24 오전 11시에 시작됐다. "
        "미 국무부(U.S. State Department)는 별도 입장을 내지 않았다. 내년에도 열릴까?"
    )
    assert split_sentences(text, "ko") == [
        "LA 한인회는 24일 추수감사절 경로 잔치에 노인 1,200명이 참석했다고 밝혔다.",
        "참석자는 지난해보다 3.5% 늘었다!",
        "행사는 2026.11.24 오전 11시에 시작됐다.",
        "미 국무부(U.S. State Department)는 별도 입장을 내지 않았다.",
        "내년에도 열릴까?",
    ]


def test_korean_closing_quote_after_period_belongs_to_the_sentence():
    text = (
        "정은혜 목사는 “명절만큼은 모두가 따뜻한 밥을 먹어야 한다.” "
        '윤서진 씨는 "앞으로도 정기적으로 봉사하고 싶다." 행사는 오후 2시에 끝났다.'
    )
    assert split_sentences(text, "ko") == [
        "정은혜 목사는 “명절만큼은 모두가 따뜻한 밥을 먹어야 한다.”",
        '윤서진 씨는 "앞으로도 정기적으로 봉사하고 싶다."',
        "행사는 오후 2시에 끝났다.",
    ]


def test_korean_multi_sentence_quote_is_one_sentence():
    text = (
        "김 회장은 “올해는 참가자가 크게 늘었다. 내년에는 행사를 더 키우겠다”고 말했다. "
        "한인회는 후원자 명단도 공개했다."
    )
    assert split_sentences(text, "ko") == [
        "김 회장은 “올해는 참가자가 크게 늘었다. 내년에는 행사를 더 키우겠다”고 말했다.",
        "한인회는 후원자 명단도 공개했다.",
    ]


def test_korean_unclosed_quote_does_not_swallow_the_paragraph():
    text = "그는 “관세 부담이 크다. 수출 물량을 앞당겼다. 업계도 마찬가지다."
    assert split_sentences(text, "ko") == [
        "그는 “관세 부담이 크다.",
        "수출 물량을 앞당겼다.",
        "업계도 마찬가지다.",
    ]


def test_korean_paragraphs_are_separate_and_whitespace_is_dropped():
    text = "  관세청은 24일 수출입 현황을 발표했다  \n\n\n대미 수출은 12% 늘었다.  \n\n  "
    assert split_sentences(text, "ko") == [
        "관세청은 24일 수출입 현황을 발표했다",
        "대미 수출은 12% 늘었다.",
    ]


def test_empty_text_gives_no_sentences():
    assert split_sentences("", "en") == []
    assert split_sentences(" \n\n \n", "ko") == []


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError):
        split_sentences("Hola.", "es")


@pytest.mark.parametrize(
    ("line", "language", "expected"),
    [
        ("Shipments rose 23 percent in October.", "en", True),
        ('"We are seeing orders pulled into December."', "en", True),
        ("Can we land it before the new rate kicks in?", "en", True),
        ("He said the door remains open (for now).", "en", True),
        ("Dispute over $350 billion investment package", "en", False),
        ("Warehouses fill up", "en", False),
        ("Port officials. [KIM JI-HOON]", "en", False),
        ("대미 수출이 12% 늘었다.", "ko", True),
        ("“명절만큼은 함께 나섰다.”", "ko", True),
        ("봉사자들 “내년에도 온다”", "ko", False),
        ("관세 인상 앞두고 수출 급증", "ko", False),
    ],
)
def test_is_sentence(line, language, expected):
    assert is_sentence(line, language) is expected


def test_korean_sentences_glued_without_a_space_are_split():
    text = "관세청은 24일 대미 수출이 12% 늘었다고 밝혔다.미국 측은 별도 입장을 내지 않았다."
    assert split_sentences(text, "ko") == [
        "관세청은 24일 대미 수출이 12% 늘었다고 밝혔다.",
        "미국 측은 별도 입장을 내지 않았다.",
    ]


def test_korean_glued_split_leaves_numbers_and_latin_abbreviations_alone():
    text = "행사는 2026.11.24 열렸다. 미 국무부(U.S.State Department)는 입장을 내지 않았다."
    assert split_sentences(text, "ko") == [
        "행사는 2026.11.24 열렸다.",
        "미 국무부(U.S.State Department)는 입장을 내지 않았다.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the straight quote closes the quoted sentence: it stays with it
        (
            '윤서진 씨는 "앞으로도 봉사하고 싶다."며 웃었다. 행사는 끝났다.',
            ['윤서진 씨는 "앞으로도 봉사하고 싶다."며 웃었다.', "행사는 끝났다."],
        ),
        (
            '윤서진 씨는 "앞으로도 봉사하고 싶다." 행사는 끝났다.',
            ['윤서진 씨는 "앞으로도 봉사하고 싶다."', "행사는 끝났다."],
        ),
        # glued before an opening straight quote: the quote begins the next sentence
        (
            '그는 이렇게 말했다."미국은 관세를 올린다."',
            ["그는 이렇게 말했다.", '"미국은 관세를 올린다."'],
        ),
    ],
)
def test_korean_straight_quote_stays_with_its_sentence(text, expected):
    assert split_sentences(text, "ko") == expected
