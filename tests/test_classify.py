"""Section assignment: categories over keywords over the catch-all, and how sure it is."""

from __future__ import annotations

import pytest

from digest.classify import (
    LEAD_CHARS,
    Classification,
    Classifier,
    KeywordClassifier,
    SectionRule,
    classify,
    explain,
    score_sections,
    split_lead,
)
from digest.keywords import Keyword

BUSINESS = SectionRule(
    key="business",
    keywords=("tariff", "export", "trade", "supply chain", "관세", "수출"),
    category_hints=("Business", "경제"),
    position=1,
)
KOREA = SectionRule(
    key="korea",
    keywords=("North Korea", "Seoul", "missile", "북한", "외교부"),
    category_hints=("Korea", "한국"),
    position=2,
)
COMMUNITY = SectionRule(
    key="community",
    keywords=("Koreatown", "LA", "senior", "volunteer", "한인회", "한인타운"),
    category_hints=("Local",),
    position=3,
)
OTHER = SectionRule(key="other", category_hints=("Business",), position=9, catch_all=True)
RULES = (OTHER, COMMUNITY, KOREA, BUSINESS)  # deliberately out of position order


def test_keyword_classifier_satisfies_the_protocol():
    classifier: Classifier = KeywordClassifier()
    result = classifier.classify("Tariff deadline nears", "", [], RULES)
    assert result == classify("Tariff deadline nears", "", [], RULES)


# --- categories ------------------------------------------------------------------------------


def test_category_beats_keywords():
    result = classify(
        "North Korea fires missiles after talks in Seoul",
        "North Korea fired two missiles. Seoul condemned the missile launch.",
        ["  business "],
        RULES,
    )
    assert result == Classification("business", 100.0, "category 'business'", margin=100.0)
    assert not result.thin


def test_earliest_matching_category_wins():
    result = classify("Lunch for seniors", "", ["Opinion", "Local", "Business"], RULES)
    assert result.key == "community"
    assert result.reason == "category 'Local'"


def test_a_hint_given_to_two_sections_goes_to_the_earlier():
    first = SectionRule(key="first", category_hints=("News",), position=1)
    second = SectionRule(key="second", category_hints=("news",), position=2)
    assert classify("", "", ["NEWS"], [second, first, OTHER]).key == "first"


def test_category_normalises_whitespace_and_case():
    assert classify("", "", ["korea"], RULES).key == "korea"
    multi = SectionRule(key="ent", category_hints=("K-Pop  News",), position=4)
    assert classify("", "", ["k-pop news"], [*RULES, multi]).key == "ent"


def test_catch_all_hint_is_ignored():
    only_catch_all = SectionRule(key="misc", category_hints=("Opinion",), catch_all=True)
    result = classify("", "", ["Opinion"], [BUSINESS, only_catch_all])
    assert result == Classification("misc", 0.0, "no match: catch-all", thin=True)


# --- headline, lead, body ---------------------------------------------------------------------


def test_headline_counts_three_times_the_lead_twice_the_rest_once():
    body = "Volunteers met in Koreatown.\n\nLater, Koreatown shops and Seoul traders talked."
    scores = {s.key: s for s in score_sections("Seoul missile test", body, RULES)}
    assert scores["korea"].score == 3 + 3 + 1  # Seoul and missile in the headline, Seoul once
    assert scores["community"].score == 2 + 2 + 1  # volunteer and Koreatown in the lead
    [koreatown] = [hit for hit in scores["community"].hits if hit.word == "Koreatown"]
    assert (koreatown.headline, koreatown.lead, koreatown.body) == (0, 1, 1)
    assert koreatown.points == 3


def test_the_lead_is_the_first_paragraph_and_never_the_whole_story():
    assert split_lead("First paragraph.\n\nSecond.\n\n\nThird.") == (
        "First paragraph.",
        "Second.\n\n\nThird.",
    )
    long = "word " * 300
    lead, rest = split_lead(long)
    assert len(lead) <= LEAD_CHARS and lead.endswith("word")
    assert (lead + rest).split() == long.split()


def test_body_hits_are_capped_per_keyword():
    body = "A holiday lunch.\n\n" + "Volunteers served lunch. " * 8 + "\n\nThe trade office helped."
    result = classify("Holiday lunch", body, [], RULES)
    assert result.key == "community"
    assert result.score == 5.0
    assert result.reason == "keywords: volunteer×5"


def test_the_cap_counts_the_lead_first():
    body = "Volunteers, volunteers, volunteers.\n\n" + "Volunteers again. " * 6
    [community] = [s for s in score_sections("", body, RULES) if s.key == "community"]
    assert community.score == 3 * 2 + 2 * 1  # three in the lead, two of the rest under the cap


def test_reason_lists_keyword_points_highest_first():
    result = classify(
        "Exporters race tariff deadline",
        "The tariff rises in January.\n\nExports jumped. The new tariff hits supply chain costs.",
        [],
        RULES,
    )
    assert result.key == "business"
    assert result.score == (3 + 2 + 1) + 1 + 1
    assert result.reason == "keywords: tariff×6, export×1, supply chain×1"


def test_latin_keywords_match_on_word_boundaries_only():
    # "trademark", "Laos" and "exporter" must not count as "trade", "LA" and "export".
    result = classify(
        "Trademark dispute in Laos",
        "The exporter filed a trademark claim in Laos.",
        [],
        RULES,
    )
    assert result == Classification("other", 0.0, "no match: catch-all", thin=True)


def test_latin_keyword_before_a_korean_particle_still_matches():
    result = classify("LA에서 추수감사절 행사", "LA에서 열렸다.", [], RULES)
    assert result.key == "community"
    assert result.reason == "keywords: LA×5"


def test_korean_keywords_take_their_particles():
    result = classify(
        "관세 인상 앞두고 대미 수출 급증",
        "한국 기업들이 관세를 피하려고 수출 물량을 앞당겼다.",
        [],
        RULES,
    )
    assert result == Classification("business", 10.0, "keywords: 관세×5, 수출×5", margin=10.0)


def test_korean_particles_do_not_hide_community_keywords():
    result = classify("", "LA한인회는 24일 한인타운에서 경로 잔치를 열었다.", [], RULES)
    assert result.key == "community"
    assert result.reason == "keywords: LA×2, 한인회×2, 한인타운×2"


def test_korean_keyword_starting_with_latin_is_not_claimed_by_a_latin_keyword():
    la_group = SectionRule(key="la", keywords=("LA", "LA한인회"), position=0)
    result = classify("LA한인회, 경로 잔치 열어", "", [], [la_group, OTHER])
    assert result == Classification("la", 3.0, "keywords: LA한인회×3", margin=3.0)


# --- weights ---------------------------------------------------------------------------------

LOCAL = SectionRule(
    key="local",
    keywords=(Keyword("Koreatown", 2), Keyword("residents", 0.5), Keyword("neighborhood", 0.5)),
    position=1,
)
WORLD = SectionRule(
    key="world",
    keywords=(Keyword("summit", 0.5), Keyword("defense", 0.5), Keyword("Pyongyang", 2)),
    position=2,
)
FALLBACK = SectionRule(key="more", position=3, catch_all=True)


def test_one_generic_word_alone_never_makes_a_score():
    title = "Residents reach the summit"
    body = "Residents and residents.\n\nThe summit trail held, residents said."
    result = classify(title, body, [], [LOCAL, WORLD, FALLBACK])
    assert result == Classification("more", 0.0, "no match: catch-all", thin=True)
    scores = {s.key: s for s in score_sections(title, body, [LOCAL, WORLD, FALLBACK])}
    assert scores["local"].score == 0 and scores["local"].hits  # found, but not enough alone
    assert scores["world"].score == 0 and scores["world"].hits


def test_two_different_generic_words_make_a_score_together():
    result = classify("Residents of a quiet neighborhood", "", [], [LOCAL, WORLD, FALLBACK])
    assert (result.key, result.score) == ("local", 0.5 * 3 + 0.5 * 3)
    assert result.reason == "keywords: residents×1.5, neighborhood×1.5"


def test_generic_words_add_to_a_specific_one():
    result = classify("Koreatown residents meet", "", [], [LOCAL, WORLD, FALLBACK])
    assert result.key == "local"
    assert result.score == 2 * 3 + 0.5 * 3
    assert result.reason == "keywords: Koreatown×6, residents×1.5"


def test_weights_multiply_points():
    result = classify("Pyongyang summit", "Summit talk.", [], [LOCAL, WORLD, FALLBACK])
    assert result.score == 2 * 3 + 0.5 * (3 + 2)


# --- thin margins and ties -------------------------------------------------------------------


def test_under_the_minimum_goes_to_the_catch_all_flagged_with_the_runner_up():
    result = classify(
        "Holiday weather", "Forecasters joked.\n\nA missile of warm air, they said.", [], RULES
    )
    assert result == Classification(
        "other", 0.0, "under 2 points (korea 1): catch-all", runner_up="korea", thin=True
    )


def test_within_one_point_of_the_runner_up_is_thin():
    result = classify("Seoul sets new tariff rules", "Seoul officials spoke.", [], RULES)
    assert result == Classification(
        "korea",
        5.0,
        "keywords: Seoul×5",
        runner_up="business",
        margin=2.0,
        thin=False,
    )
    close = classify("Seoul sets new tariff rules", "Seoul spoke.\n\nExports rose.", [], RULES)
    assert (close.key, close.runner_up, close.margin, close.thin) == ("korea", "business", 1, True)
    assert close.reason == "keywords: Seoul×5; thin margin over business (4)"


def test_a_clear_lead_is_not_thin():
    result = classify("Tariff and export rules", "Tariffs. Exports.", [], RULES)
    assert (result.key, result.runner_up, result.thin) == ("business", None, False)
    assert result.margin == result.score == 10


def test_a_tie_is_flagged_and_not_settled_by_section_order():
    # Equal scores: the later section has its evidence in the headline, so it wins the tie,
    # and the choice is flagged either way.
    result = classify("Volunteer drive", "Talk of a tariff.\n\nMore tariff news.", [], RULES)
    assert result.key == "community"
    assert (result.score, result.runner_up, result.margin, result.thin) == (
        3.0,
        "business",
        0.0,
        True,
    )


def test_a_tie_in_every_place_is_still_flagged():
    result = classify(
        "", "Seoul and Seoul officials discussed the tariff and the tariff.", [], RULES
    )
    assert result.key in {"business", "korea"}
    assert result.runner_up in {"business", "korea"} - {result.key}
    assert result.thin and result.margin == 0


def test_the_catch_all_keywords_are_signals_like_any_other():
    sports = SectionRule(key="more", keywords=("Dodgers", "playoff"), position=9, catch_all=True)
    result = classify("Dodgers win playoff opener", "Seoul fans cheered.", [], [KOREA, sports])
    assert result == Classification(
        "more",
        6.0,
        "keywords: Dodgers×3, playoff×3",
        runner_up="korea",
        margin=4.0,
        thin=False,
    )


def test_without_catch_all_rule_the_last_by_position_is_used():
    result = classify("Nothing to see", "", [], [KOREA, COMMUNITY, BUSINESS])
    assert result == Classification("community", 0.0, "no match: catch-all", thin=True)


def test_no_rules_is_an_error():
    with pytest.raises(ValueError):
        classify("Title", "Body", [], [])


# --- the explanation -------------------------------------------------------------------------


def test_explain_names_every_section_and_where_each_keyword_was_found():
    body = "The tariff rises.\n\nExports jumped, and tariff talks go on."
    shown = explain("Tariff deadline nears", body, [], RULES)
    assert {k: shown[k] for k in ("section", "score", "runner_up", "margin", "thin")} == {
        "section": "business",
        "score": 7.0,
        "runner_up": None,
        "margin": 7.0,
        "thin": False,
    }
    assert [s["key"] for s in shown["sections"]] == ["business", "korea", "community", "other"]
    business = shown["sections"][0]
    assert business["keywords"] == [
        {"word": "tariff", "weight": 1.0, "headline": 1, "lead": 1, "body": 1, "points": 6.0},
        {"word": "export", "weight": 1.0, "headline": 0, "lead": 0, "body": 1, "points": 1.0},
    ]


@pytest.mark.parametrize(
    ("title", "body", "categories"),
    [
        ("Seoul sets new tariff rules", "Seoul spoke.\n\nExports rose.", []),
        ("Volunteer drive", "Talk of a tariff.\n\nMore tariff news.", []),
        ("Holiday weather", "Forecasters joked.\n\nA missile of warm air.", []),
        ("Tariff deadline", "The tariff rises.", ["Local"]),
    ],
)
def test_explain_gives_the_verdict_classify_gives(title, body, categories):
    shown = explain(title, body, categories, RULES)
    verdict = classify(title, body, categories, RULES)
    assert (shown["section"], shown["score"], shown["reason"]) == (
        verdict.key,
        verdict.score,
        verdict.reason,
    )
    assert (shown["runner_up"], shown["margin"], shown["thin"]) == (
        verdict.runner_up,
        verdict.margin,
        verdict.thin,
    )


def test_many_articles_classify_quickly():
    body = "Importers rushed shipments through Long Beach before the tariff increase. " * 40
    for _ in range(2000):
        assert classify("Tariff rush at the port", body, ["News"], RULES).key == "business"
