"""Furniture rules by kind: each catches its own lines, in English and Korean, and no story."""

from __future__ import annotations

import pytest

from digest.furniture import (
    KINDS,
    RULES,
    furniture_rule,
    repeats_headline,
    strip_furniture,
    strip_trailing_credit,
)

# (rule name, language, a line that rule exists for). Invented text, as pages print it.
CAUGHT = [
    # appeals
    (
        "donation-appeal",
        "en",
        "Your gift today is matched dollar for dollar until Dec. 31, so please support the "
        "independent journalism our newsroom does.",
    ),
    ("donation-appeal", "en", "Donate now"),
    ("donation-appeal", "ko", "지금 후원해 주시면 중앙일보의 지역 보도가 계속됩니다."),
    ("donation-appeal", "ko", "독립 언론을 지키는 데 힘을 보태 주세요."),
    ("donation-appeal", "en", "A gift of $15 a month keeps our newsroom reporting."),
    ("donation-appeal", "en", "Give today so local news stays free for every reader."),
    ("donation-appeal", "ko", "독자 여러분의 후원이 지역 언론을 지키는 힘입니다."),
    (
        "membership-appeal",
        "en",
        "Become a member for $5 a month and get unlimited access to every story.",
    ),
    ("membership-appeal", "ko", "멤버십에 가입하시면 모든 기사를 광고 없이 읽을 수 있습니다."),
    (
        "subscribe-appeal",
        "en",
        "Sign up for our free morning newsletter and get the day's top stories in your inbox.",
    ),
    ("subscribe-appeal", "ko", "매일 아침 뉴스레터를 구독하시면 주요 뉴스를 받아볼 수 있습니다."),
    (
        "app-appeal",
        "en",
        "Download the Korea Daily app on the App Store or Google Play for breaking news alerts.",
    ),
    ("app-appeal", "ko", "중앙일보 앱을 다운로드하시면 속보 알림을 받을 수 있습니다."),
    # a newsletter's greeting and sign-off
    (
        "newsletter-greeting",
        "en",
        "Good morning, and welcome to the Morning Briefing from the Korea Daily.",
    ),
    ("newsletter-signoff", "en", "Thanks for reading, and see you tomorrow."),
    ("newsletter-signoff", "en", "For more news, please visit koreadailyus.com."),
    ("newsletter-greeting-ko", "ko", "안녕하세요, 중앙일보 모닝 브리핑입니다."),
    ("newsletter-signoff-ko", "ko", "오늘 뉴스레터는 여기까지입니다."),
    ("newsletter-signoff-ko", "ko", "내일 또 찾아뵙겠습니다."),
    ("newsletter-greeting-ko", "ko", "서부 한인 뉴스레터를 시작합니다."),
    ("newsletter-greeting-ko", "ko", "아침 브리핑에 오신 독자 여러분을 환영합니다."),
    # tool notes
    (
        "translation-note",
        "en",
        "This translation captures the tone of the original Korean article while keeping it "
        "natural in English.",
    ),
    ("translation-note", "en", "Let me know if you'd like a more literal version."),
    (
        "ai-note",
        "en",
        "This article was generated with the help of AI and reviewed by an editor.",
    ),
    ("ai-note", "en", "AI-generated"),
    (
        "ai-note",
        "en",
        "Disclosure: this summary was produced with the help of AI and checked by an editor.",
    ),
    ("ai-note", "en", "Note: the translation may contain errors."),
    ("translation-note", "en", "Translator's note: names follow the Korean order."),
    ("tool-note-ko", "ko", "※ 이 기사 요약은 인공지능이 작성했습니다."),
    ("tool-note-ko", "ko", "※ 역자 메모: 원문의 표현을 최대한 살려 옮겼습니다."),
    ("tool-note-ko", "ko", "수정이 필요하면 알려 주세요."),
    ("tool-note-ko", "ko", "이 기사는 AI 번역을 거쳐 작성됐습니다."),
    ("tool-note-ko", "ko", "[AI 번역]"),
    # portal boilerplate and navigation
    ("navigation", "en", "See the news of your region"),
    ("navigation", "en", "Related articles"),
    ("navigation", "ko", "내 지역 뉴스 보기"),
    ("copyright", "en", "Copyright © 2026 The Korea Daily. All rights reserved."),
    ("copyright", "ko", "<저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>"),
    ("copyright", "ko", "ⓒ 중앙일보 무단 전재 및 재배포 금지"),
    ("ad-label", "en", "- Advertisement -"),
    ("must-read", "en", "Must read"),
    ("ticker", "en", "Breaking News: Freeway closures this weekend"),
    ("ticker", "ko", "많이 본 뉴스"),
    # captions
    (
        "photo-caption",
        "en",
        "A worker checks battery cells at a plant in Georgia on Monday. (Photo: Yonhap)",
    ),
    ("photo-caption", "ko", "24일 부산항 신선대부두에 컨테이너가 쌓여 있다. 사진=연합뉴스"),
    ("caption-credit", "en", "Trucks wait at a terminal gate in Long Beach on Monday. [YONHAP]"),
    ("wire-credit", "en", "[Yonhap]"),
    ("caption-credit", "ko", "부산항에 쌓인 수출용 컨테이너. [연합뉴스]"),
    ("logo-caption", "en", "The logo of Hanul Energy"),
    ("logo-caption", "ko", "한울에너지 로고"),
    # credits that close a story
    ("byline", "en", "BY KIM JI-HOON [kim.jihoon@example.com]"),
    ("reporter-line", "ko", "김지훈 기자 jihoon.kim@example.com"),
    ("reporter-line", "ko", "워싱턴=박소연 특파원"),
    ("reporter-line-en", "en", "Reporter Kim Ji-hoon kim.jihoon@example.com"),
    ("email-line", "en", "kim.jihoon@example.com"),
    ("tag-line", "en", "#LongBeach #tariffs"),
    ("tag-line", "ko", "#한인타운 #추수감사절"),
    ("wire-credit", "en", "(Yonhap)"),
    ("wire-credit", "ko", "연합뉴스"),
]

# Story sentences that mention what furniture is about: none of them is furniture.
STORY = [
    ("en", "The church collected donations for 300 families on Sunday, its pastor said."),
    ("en", "Residents can subscribe to the county's emergency text alerts on its website."),
    ("en", "Google Play removed the gambling app on Tuesday after complaints from parents."),
    ("en", "Welcome to the neighborhood, the mayor told the new business owners."),
    ("en", "A Seoul startup's AI translation app now handles 40 languages, the company said."),
    ("en", "The copyright lawsuit against the streaming service was dismissed on Monday."),
    ("en", "Photographers lined the red carpet before the premiere on Friday."),
    ("en", "Please visit the consulate's website to book an appointment, officials said."),
    ("en", "Share prices of Hanul Energy rose 4 percent on Tuesday."),
    ("en", "By noon, the line of shoppers stretched around the block."),
    ("ko", "코스트코 멤버십 가입자가 1년 새 8% 늘었다."),
    ("ko", "한인회는 장학금 후원에 동참해 달라고 호소했다."),
    ("ko", "시장은 주민들에게 힘을 보태 달라고 말했다."),
    ("ko", "구독자 수가 늘면서 지역 신문의 광고 매출도 회복세를 보였다."),
    ("ko", "이 업체의 AI 번역 앱은 40개 언어를 지원한다."),
    ("en", "The church collected gifts for 300 families on Sunday, its pastor said."),
    ("en", "Residents donated $5,000 to the local news program at the high school, he said."),
    ("en", "The essay contest drew 40 entries, and the winner will give a reading today."),
    ("ko", "한인회 후원으로 열린 행사에는 300여 명이 참석했다."),
]


@pytest.mark.parametrize(("name", "language", "text"), CAUGHT)
def test_each_rule_catches_its_furniture(name, language, text):
    rule = furniture_rule(text, language)
    assert rule is not None, text
    assert rule.name == name
    assert language in rule.languages


@pytest.mark.parametrize(("language", "text"), STORY)
def test_story_sentences_are_not_furniture(language, text):
    assert furniture_rule(text, language) is None


def test_every_rule_has_a_case_in_each_of_its_languages():
    covered = {(name, language) for name, language, _ in CAUGHT}
    for rule in RULES:
        assert any((rule.name, lang) in covered for lang in rule.languages), rule.name
    assert {rule.kind for rule in RULES} | {"deck"} == set(KINDS)
    assert len({rule.name for rule in RULES}) == len(RULES)


def test_a_rule_applies_only_to_its_languages():
    english_only = "Thanks for reading, and see you tomorrow."
    assert furniture_rule(english_only, "en").name == "newsletter-signoff"
    assert furniture_rule(english_only, "ko") is None


def test_a_long_paragraph_mentioning_an_appeal_is_not_furniture():
    paragraph = (
        "The nonprofit newsroom said it would ask readers to donate to support its "
        "independent journalism, a plan its board approved on Monday after months of debate "
        "over ads, grants and a membership program that had failed to cover the cost of two "
        "reporters in Sacramento and one in Seoul, according to minutes seen by the paper."
    )
    assert furniture_rule(paragraph, "en") is None


@pytest.mark.parametrize(
    ("text", "kept", "rule", "cut"),
    [
        (
            "Exports of chips reached $14.2 billion.Yonhap",
            "Exports of chips reached $14.2 billion.",
            "glued-credit",
            "Yonhap",
        ),
        (
            "수출액은 142억 달러였다./연합뉴스",
            "수출액은 142억 달러였다.",
            "glued-credit",
            "/연합뉴스",
        ),
        (
            "관세청은 24일 이같이 밝혔다. 김지훈 기자 jihoon.kim@example.com",
            "관세청은 24일 이같이 밝혔다.",
            "trailing-credit",
            "김지훈 기자 jihoon.kim@example.com",
        ),
        (
            "Port officials expect the backlog to clear by mid-December. #LongBeach #tariffs",
            "Port officials expect the backlog to clear by mid-December.",
            "trailing-credit",
            "#LongBeach #tariffs",
        ),
        (
            "The fund opens in January. kim.jihoon@example.com",
            "The fund opens in January.",
            "trailing-credit",
            "kim.jihoon@example.com",
        ),
    ],
)
def test_credit_at_the_end_of_a_paragraph_is_cut_and_the_sentence_kept(text, kept, rule, cut):
    assert strip_trailing_credit(text) == (kept, [(rule, cut)])


@pytest.mark.parametrize(
    "text",
    [
        "Troops left the U.S.Army base",
        "He met officials from the Korea Daily on Monday.",
        "The fund opens in January.",
        "Yonhap",  # a credit on its own line is the line rules' business
    ],
)
def test_text_without_a_closing_credit_is_left_alone(text):
    assert strip_trailing_credit(text) == (text, [])


@pytest.mark.parametrize(
    ("sentence", "headline", "expected"),
    [
        (
            "Koreatown food bank doubles Thanksgiving deliveries.",
            "Koreatown food bank doubles Thanksgiving deliveries",
            True,
        ),
        (
            "한인타운 푸드뱅크가 추수감사절 배달을 두 배로 늘렸다.",
            "한인타운 푸드뱅크, 추수감사절 배달 두 배로 늘려",
            True,
        ),
        (
            "The Koreatown food bank will deliver 1,200 Thanksgiving meals this year, twice as "
            "many as last year, its director said Monday.",
            "Koreatown food bank doubles Thanksgiving deliveries",
            False,
        ),
        ("Any sentence at all.", "", False),
    ],
)
def test_headline_repeated_as_a_sentence(sentence, headline, expected):
    assert repeats_headline(sentence, headline) is expected


def test_furniture_run_into_a_story_paragraph_is_taken_out_and_the_story_kept():
    story = (
        "Shipments of Korean-made auto parts through the Port of Long Beach jumped 23 percent "
        "in October from a year earlier."
    )
    appeal = "Become a member for $5 a month and read every story."
    assert strip_furniture(f"{story} {appeal}", "en") == (story, [("membership-appeal", appeal)])
    assert furniture_rule(f"{story} {appeal}", "en") is None
    korean = "관세청은 24일 대미 수출이 12% 늘었다고 밝혔다."
    tail = "ⓒ 중앙일보 무단 전재 및 재배포 금지"
    assert strip_furniture(f"{korean} {tail}", "ko") == (korean, [("copyright", tail)])


def test_a_short_banner_of_two_sentences_is_furniture_whole():
    banner = "Support independent journalism. Donate today."
    assert strip_furniture(banner) == ("", [("donation-appeal", banner)])


def test_a_long_line_of_nothing_but_furniture_is_furniture():
    line = (
        "Copyright © 2026 The Korea Daily, a newspaper for Southern California's Korean "
        "community. All rights reserved. Thanks for reading, and see you tomorrow."
    )
    assert furniture_rule(line, "en") is not None


def test_a_korean_lead_with_facts_of_its_own_is_not_a_repeat():
    assert not repeats_headline(
        "한인타운에서 24일 추수감사절 무료 급식 행사가 열렸다.",
        "한인타운 추수감사절 무료 급식 행사 열려",
    )


def test_an_abbreviation_or_a_date_does_not_end_a_sentence_inside_a_line():
    line = (
        "Your gift is matched dollar for dollar through Dec. 31. Give now to keep local news "
        "free for everyone."
    )
    assert furniture_rule(line, "en").name == "donation-appeal"
    story = "The U.S. Treasury said on Dec. 31 it would review it. Mr. Kim disagreed."
    assert strip_furniture(story, "en") == (story, [])
