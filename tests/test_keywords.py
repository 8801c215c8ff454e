"""Section keywords: how editors write them (word or [word, weight]) and how they are found."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from digest.keywords import Keyword, Text, matcher, parse_keywords, validate_keywords


def found(keywords: list[str], text: str) -> dict[str, int]:
    counts = matcher(tuple(Keyword(k) for k in keywords)).count(Text(text))
    return {keyword.word: n for keyword, n in counts.items()}


# --- how editors write them --------------------------------------------------------------------


def test_words_and_weighted_words():
    entries = ["tariff", ["summit", 0.5], ["관세", 2], "  supply  chain "]
    keywords, problems = parse_keywords(entries)
    assert problems == []
    assert keywords == (
        Keyword("tariff", 1.0),
        Keyword("summit", 0.5),
        Keyword("관세", 2.0),
        Keyword("supply chain", 1.0),
    )
    assert [k.specific for k in keywords] == [True, False, True, True]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("tariff", "write a list"),
        ([{"tariff": 2}], 'entry 1: write "word" or ["word", weight]'),
        ([["tariff"]], 'entry 1: write "word" or ["word", weight]'),
        ([["tariff", 2, 3]], 'entry 1: write "word" or ["word", weight]'),
        (["ok", 7], 'entry 2: write "word" or ["word", weight]'),
        (["  "], "entry 1: an empty word"),
        ([["summit", 0]], "entry 1: 'summit': the weight must be a number above 0, at most 10"),
        ([["summit", -1]], "the weight must be a number above 0"),
        ([["summit", 11]], "at most 10"),
        ([["summit", "2"]], "the weight must be a number"),
        ([["summit", True]], "the weight must be a number"),
        ([["summit", float("nan")]], "the weight must be a number"),
        (["Tariff", ["tariff", 2]], "entry 2: 'tariff' is listed twice"),
    ],
)
def test_entries_that_are_not_keywords_are_named(entries, message):
    _, problems = parse_keywords(entries)
    assert any(message in problem for problem in problems), problems
    with pytest.raises(ValidationError, match=r"entry|list"):
        validate_keywords(entries)


def test_a_run_keeps_the_good_entries_beside_a_bad_one():
    keywords, problems = parse_keywords(["tariff", ["summit", "high"], "관세"])
    assert [k.word for k in keywords] == ["tariff", "관세"]
    assert problems == ["entry 2: 'summit': the weight must be a number above 0, at most 10"]


def test_empty_keywords_are_valid():
    assert parse_keywords([]) == ((), [])
    assert parse_keywords(None) == ((), [])
    validate_keywords([])


# --- English --------------------------------------------------------------------------------


def test_english_keywords_find_simple_inflections():
    text = "Tariffs rose. The tariff passed. Exports fell; exported goods and exporting stalled."
    assert found(["tariff", "export"], text) == {"tariff": 2, "export": 3}
    assert found(["ally"], "Allies met; an ally spoke; the allied fleet sailed.") == {"ally": 3}
    assert found(["trade"], "Trading slowed, traders left, trades fell, trade rose.") == {
        "trade": 3
    }
    assert found(["ship"], "They shipped parts and are shipping more ships.") == {"ship": 3}


def test_english_keywords_do_not_find_other_words():
    assert found(["export", "trade", "port"], "The exporter's trademark and passport.") == {}


def test_words_in_capitals_are_found_only_in_capitals():
    text = "LA's council met in La Palma, then flew to Las Vegas; la la land. Thin ice, no ICE."
    assert found(["LA", "ICE"], text) == {"LA": 1, "ICE": 1}


def test_a_phrase_spans_spaces_and_hyphens():
    text = "Korean-American owners and Korean Americans; the supply\nchain and supply-chain costs."
    assert found(["korean american", "supply chain"], text) == {
        "korean american": 2,
        "supply chain": 2,
    }


def test_each_place_counts_once_for_the_longest_keyword():
    assert found(["supply chain", "chain"], "A supply chain and a chain store.") == {
        "supply chain": 1,
        "chain": 1,
    }


# --- Korean ----------------------------------------------------------------------------------


def test_korean_keywords_take_particles():
    text = "한인회가 관세를 두고 회의를 열었다. 한인회는 관세 문제를 다시 논의한다."
    assert found(["한인회", "관세"], text) == {"한인회": 2, "관세": 2}


def test_korean_keywords_are_not_found_inside_other_words():
    # "비자" (visa) inside "서류미비자" (undocumented person); "한인" inside "북한인권".
    assert found(["비자"], "이민 당국이 서류미비자 단속을 늘렸다.") == {}
    assert found(["한인"], "유엔 총회가 북한인권 결의안을 채택했다.") == {}
    # ... while the words themselves are found, particles and all.
    assert found(["비자", "한인"], "한인 유학생들의 비자가 늦어진다.") == {"비자": 1, "한인": 1}


def test_korean_keywords_find_parts_of_compounds():
    assert found(["동맹", "북한"], "한미동맹 강화와 북한인권 문제") == {"동맹": 1, "북한": 1}


def test_a_korean_phrase_matches_with_or_without_its_space():
    text = "한미 무역협상이 재개됐다. 무역 협상은 내년까지 이어진다. 무역 분쟁도 있다."
    assert found(["무역 협상"], text) == {"무역 협상": 2}
    assert found(["무역 협상", "무역"], text) == {"무역 협상": 2, "무역": 1}


def test_latin_keywords_inside_korean_text():
    assert found(["LA", "K-pop"], "LA에서 K-pop 공연이 열렸고 LA한인회도 참여했다.") == {
        "LA": 2,
        "K-pop": 1,
    }


def test_a_korean_keyword_that_starts_in_latin_letters_is_not_split():
    assert found(["LA", "LA한인회"], "LA한인회가 LA에서 행사를 열었다.") == {
        "LA한인회": 1,
        "LA": 1,
    }
