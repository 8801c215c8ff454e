"""What a section learns from editors' moves: plain functions on hand-made examples."""

from __future__ import annotations

from digest.section_learning import (
    Example,
    LearnedWord,
    learned_words,
    suggested_weight,
    with_learned,
    words_of,
)


def moved(text: str, to: str = "community", frm: str = "trade", language: str = "en") -> Example:
    return Example(text=text, language=language, moved_from=frm, moved_to=to)


def test_english_words_are_lower_cased_without_stop_words():
    assert words_of("The Church of the Koreatown Seniors", "en") == {
        "church",
        "koreatown",
        "seniors",
    }


def test_a_word_needs_three_examples_and_stop_words_never_count():
    examples = [
        moved("Church opens a food pantry for seniors"),
        moved("Seniors of the church gather in Koreatown"),
        moved("The church choir sings for the seniors"),
        moved("Koreatown volunteers at the festival"),
    ]
    words = {w.word: w for w in learned_words("community", examples)}
    assert set(words) == {"church", "seniors"}  # "koreatown" has 2 examples; "the" is a stop word
    assert words["church"] == LearnedWord("church", 3, 0.5, False)


def test_a_word_as_common_elsewhere_is_not_learned():
    examples = [moved(f"Church volunteers in Koreatown, story {n}") for n in range(3)]
    background = [(f"Koreatown trade office opens, {n}", "en") for n in range(3)]
    words = {w.word for w in learned_words("community", examples, background)}
    assert "church" in words and "volunteers" in words and "koreatown" not in words


def test_stories_moved_out_count_against_the_section():
    examples = [moved("Church bazaar raises funds") for _ in range(3)]
    examples += [moved("Church land sale stalls", to="trade", frm="community") for _ in range(3)]
    assert "church" not in {w.word for w in learned_words("community", examples)}
    assert "bazaar" in {w.word for w in learned_words("community", examples)}


def test_korean_nouns_only_never_particles():
    texts = [
        "한인회가 추석 잔치를 열었다",
        "한인회는 봉사자를 모집한다",
        "한인회와 교회가 함께 나섰다",
    ]
    assert words_of(texts[0], "ko") == {"한인회", "추석", "잔치"}  # no 가, 를, 열었다
    examples = [moved(t, language="ko") for t in texts]
    # "한인회" with its three particles is one word; "교회" has one example, "추석" one.
    assert learned_words("community", examples) == [LearnedWord("한인회", 3, 0.5, False)]
    assert learned_words("community", examples[:2]) == []


def test_suggested_weights_and_the_words_already_keywords():
    assert suggested_weight(3) == suggested_weight(4) == 0.5 and suggested_weight(5) == 1.0
    examples = [moved("Church bazaar") for _ in range(5)]
    words = {w.word: w for w in learned_words("community", examples, keywords=["Church"])}
    assert words["church"].is_keyword and words["church"].weight == 1.0
    keywords, added = with_learned(["Church"], words.values())
    assert added == ["bazaar"] and keywords == ["Church", ["bazaar", 1.0]]
