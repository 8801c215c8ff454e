"""Section assignment: categories over keywords over the catch-all."""

from __future__ import annotations

import pytest

from digest.classify import (
    Classification,
    Classifier,
    KeywordClassifier,
    SectionRule,
    classify,
)

BUSINESS = SectionRule(
    key="business",
    keywords=("tariff", "tariffs", "export", "exports", "trade", "supply chain", "관세", "수출"),
    category_hints=("Business", "경제"),
    position=1,
)
KOREA = SectionRule(
    key="korea",
    keywords=("North Korea", "Seoul", "missile", "missiles", "북한", "외교부"),
    category_hints=("Korea", "한국"),
    position=2,
)
COMMUNITY = SectionRule(
    key="community",
    keywords=("Koreatown", "LA", "seniors", "volunteers", "한인회", "한인타운"),
    category_hints=("Local",),
    position=3,
)
OTHER = SectionRule(key="other", category_hints=("Business",), position=9, catch_all=True)
RULES = (OTHER, COMMUNITY, KOREA, BUSINESS)  # deliberately out of position order


def test_keyword_classifier_satisfies_the_protocol():
    classifier: Classifier = KeywordClassifier()
    result = classifier.classify("Tariff deadline nears", "", [], RULES)
    assert result == classify("Tariff deadline nears", "", [], RULES)


def test_category_beats_keywords():
    result = classify(
        "North Korea fires missiles after talks in Seoul",
        "North Korea fired two missiles. Seoul condemned the missile launch.",
        ["  business "],
        RULES,
    )
    assert result == Classification("business", 100.0, "category 'business'")


def test_earliest_matching_category_wins():
    result = classify("Lunch for seniors", "", ["Opinion", "Local", "Business"], RULES)
    assert result.key == "community"
    assert result.reason == "category 'Local'"


def test_category_tie_goes_to_earlier_position():
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
    assert result == Classification("misc", 0.0, "no match: catch-all")


def test_title_counts_three_times_the_body():
    # One title hit for "missile" (3) outweighs two body hits for "Koreatown" (2).
    result = classify(
        "Missile test rattles nerves",
        "Residents of Koreatown gathered to watch the news. Koreatown shops stayed open.",
        [],
        RULES,
    )
    assert result == Classification("korea", 3.0, "keywords: missile×3")


def test_body_hits_are_capped_per_keyword():
    body = "Volunteers served lunch. " * 8 + "The trade group and its export office helped."
    result = classify("Holiday lunch", body, [], RULES)
    assert result.key == "community"
    assert result.score == 5.0
    assert result.reason == "keywords: volunteers×5"


def test_reason_lists_keyword_points_highest_first():
    result = classify(
        "Exporters race tariff deadline",
        "The tariff rises in January. Exports jumped. The new tariff hits supply chain costs.",
        [],
        RULES,
    )
    assert result.key == "business"
    assert result.score == 3 + 2 + 1 + 1
    assert result.reason == "keywords: tariff×5, exports×1, supply chain×1"


def test_latin_keywords_match_on_word_boundaries_only():
    # "trademark", "Laos" and "exporter" must not count as "trade", "LA" and "export".
    result = classify(
        "Trademark dispute in Laos",
        "The exporter filed a trademark claim in Laos.",
        [],
        RULES,
    )
    assert result == Classification("other", 0.0, "no match: catch-all")


def test_latin_keyword_before_a_korean_particle_still_matches():
    result = classify("LA에서 추수감사절 행사", "LA에서 열렸다.", [], RULES)
    assert result.key == "community"
    assert result.reason == "keywords: LA×4"


def test_multi_word_keyword_spans_any_whitespace():
    result = classify("", "The supply\nchain strain and the supply  chain crunch.", [], RULES)
    assert result == Classification("business", 2.0, "keywords: supply chain×2")


def test_korean_keywords_match_inside_words():
    result = classify(
        "관세 인상 앞두고 대미 수출 급증",
        "한국 기업들이 관세를 피하려고 수출 물량을 앞당겼다.",
        [],
        RULES,
    )
    assert result == Classification("business", 8.0, "keywords: 관세×4, 수출×4")


def test_korean_particles_do_not_hide_community_keywords():
    result = classify("", "LA한인회는 24일 한인타운에서 경로 잔치를 열었다.", [], RULES)
    assert result.key == "community"
    assert result.reason == "keywords: LA×1, 한인회×1, 한인타운×1"


def test_keyword_tie_goes_to_earlier_position():
    result = classify(
        "", "Seoul and Seoul officials discussed the tariff and the tariff.", [], RULES
    )
    assert result == Classification("business", 2.0, "keywords: tariff×2")


def test_score_below_two_falls_back_to_catch_all():
    result = classify("Holiday weather", "A missile of warm air, forecasters joked.", [], RULES)
    assert result == Classification("other", 0.0, "no match: catch-all")


def test_without_catch_all_rule_the_last_by_position_is_used():
    result = classify("Nothing to see", "", [], [KOREA, COMMUNITY, BUSINESS])
    assert result == Classification("community", 0.0, "no match: catch-all")


def test_no_rules_is_an_error():
    with pytest.raises(ValueError):
        classify("Title", "Body", [], [])


def test_many_articles_classify_quickly():
    body = "Importers rushed shipments through Long Beach before the tariff increase. " * 40
    for _ in range(2000):
        assert classify("Tariff rush at the port", body, ["News"], RULES).key == "business"


def test_korean_keyword_starting_with_latin_is_not_claimed_by_a_latin_keyword():
    la_group = SectionRule(key="la", keywords=("LA", "LA한인회"), position=0)
    result = classify("LA한인회, 경로 잔치 열어", "", [], [la_group, OTHER])
    assert result == Classification("la", 3.0, "keywords: LA한인회×3")
