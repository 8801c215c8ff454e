"""Lead summaries: whole sentences, within budget, with page furniture left out."""

from __future__ import annotations

import pytest

from digest.summarize import LeadSummarizer, Summarizer, summarize

LEAD_1 = (
    "Shipments of Korean-made auto parts through the Port of Long Beach jumped 23 percent "
    "in October from a year earlier, as importers rushed ahead of a Jan. 1 tariff increase."
)
LEAD_2 = "Customs brokers in Carson and Torrance said they have been working weekends."
LEAD_3 = "Trade officials in Seoul said talks on a parts carve-out are continuing."
LEAD_4 = "Port officials said average dwell time for containers remains under four days."

ARTICLE = "\n\n".join(
    [
        "Container stacks wait for pickup at the Port of Long Beach on Monday. [KIM JI-HOON]",
        f"LONG BEACH — {LEAD_1}",
        "Warehouses fill up",
        f"{LEAD_2} {LEAD_3}",
        LEAD_4,
        "BY KIM JI-HOON [kim.jihoon@koreadailyus.com]",
    ]
)

KO_1 = (
    "내년 1월 미국의 자동차 부품 관세 인상을 앞두고 한국 기업들이 대미 수출 물량을 앞당기면서 "
    "이달 들어 20일까지 대미 수출이 지난해 같은 기간보다 12% 가까이 늘었다."
)
KO_2 = "관세청이 24일 발표한 수출입 현황에 따르면 이 기간 대미 수출액은 약 86억 달러로 집계됐다."
KO_3 = (
    "품목별로는 자동차 부품이 31% 늘며 증가세를 이끌었고, 2차전지와 전력 기자재도 "
    "두 자릿수 증가율을 기록한 반면 반도체와 석유제품 수출은 단가 하락의 영향으로 소폭 줄었다."
)


def test_lead_summarizer_satisfies_the_protocol():
    summarizer: Summarizer = LeadSummarizer()
    assert summarizer.summarize(ARTICLE, "en") == summarize(ARTICLE, "en")


def test_takes_lead_sentences_in_order_without_furniture():
    assert summarize(ARTICLE, "en") == f"{LEAD_1} {LEAD_2} {LEAD_3}"


def test_stops_at_max_sentences_and_never_cuts():
    wide = LeadSummarizer(max_sentences=4, max_chars=10_000).summarize(ARTICLE, "en")
    assert wide == f"{LEAD_1} {LEAD_2} {LEAD_3} {LEAD_4}"
    two = LeadSummarizer(max_sentences=2, max_chars=10_000).summarize(ARTICLE, "en")
    assert two == f"{LEAD_1} {LEAD_2}"
    assert "…" not in wide and "..." not in wide


def test_stops_before_a_sentence_that_would_exceed_the_budget():
    budget = len(f"{LEAD_1} {LEAD_2} {LEAD_3}") - 1
    summary = LeadSummarizer(max_chars=budget).summarize(ARTICLE, "en")
    assert summary == f"{LEAD_1} {LEAD_2}"


def test_does_not_skip_ahead_to_a_shorter_sentence():
    body = "\n\n".join([LEAD_1, LEAD_2, LEAD_1 + " " + LEAD_1, "Short but usable sentence."])
    summary = LeadSummarizer(max_chars=len(f"{LEAD_1} {LEAD_2}") + 30).summarize(body, "en")
    assert summary == f"{LEAD_1} {LEAD_2}"


def test_min_sentences_beats_the_budget():
    summary = LeadSummarizer(max_chars=50).summarize(ARTICLE, "en")
    assert summary == f"{LEAD_1} {LEAD_2}"


def test_single_long_sentence_is_returned_whole():
    summary = LeadSummarizer(max_chars=20).summarize(LEAD_1, "en")
    assert summary == LEAD_1


def test_invalid_sentence_limits_are_rejected():
    with pytest.raises(ValueError):
        LeadSummarizer(max_sentences=1, min_sentences=2)


@pytest.mark.parametrize("body", ["", "   \n\n  ", "Warehouses fill up\n\n- Advertisement -"])
def test_empty_or_unusable_body_gives_empty_string(body):
    assert summarize(body, "en") == ""


@pytest.mark.parametrize(
    "caption",
    [
        "The foreign ministers shake hands before talks in central Seoul on Tuesday. [YONHAP]",
        "Palm trees bend in gusty winds in the San Fernando Valley. [KANG TAE-HWA]",
        # the page repeats the caption on the next line
        "Volunteers pack lunch boxes in Koreatown. [PARK SO-YEON]\n"
        "Volunteers pack lunch boxes in Koreatown. [PARK SO-YEON]",
    ],
)
def test_photo_caption_is_excluded(caption):
    body = f"{caption}\n\n{LEAD_1}\n\n{LEAD_2}"
    assert summarize(body, "en") == f"{LEAD_1} {LEAD_2}"


@pytest.mark.parametrize(
    "furniture",
    [
        "BY KANG TAE-HWA [kang.taehwa@koreadailyus.com]",
        "By Jane Doe",
        "By Jane Doe and John Roe, Associated Press",
        "- Advertisement -",
        "Dispute over $350 billion investment package",
        '"We will not back down."',
        "#LongBeach #tariffs",
    ],
)
def test_furniture_paragraph_is_excluded(furniture):
    body = f"{furniture}\n\n{LEAD_1}\n\n{LEAD_2}"
    assert summarize(body, "en") == f"{LEAD_1} {LEAD_2}"


@pytest.mark.parametrize(
    "line",
    [
        "BY KIM JI-HOON [kim.jihoon@koreadailyus.com]",
        "By Jane Doe",
        "- Advertisement -",
        "#LongBeach #tariffs",
        "Container stacks wait for pickup at the port on Monday. [KIM JI-HOON]",
    ],
)
def test_furniture_line_inside_a_story_paragraph_is_excluded(line):
    # No blank line separates it from the story, so only the line-level check can catch it.
    body = f"{LEAD_1}\n\n{line}\n{LEAD_2}"
    assert summarize(body, "en") == f"{LEAD_1} {LEAD_2}"


def test_sentence_starting_with_by_is_kept():
    sentence = "By the end of the month, importers expect warehouse space to run out."
    assert summarize(f"{sentence}\n\n{LEAD_2}", "en") == f"{sentence} {LEAD_2}"


def test_short_fragments_are_skipped():
    body = f"Updated.\n\n{LEAD_1} It rose.\n\n{LEAD_2}"
    assert summarize(body, "en") == f"{LEAD_1} {LEAD_2}"


@pytest.mark.parametrize(
    "dateline",
    [
        "SEOUL — ",
        "LOS ANGELES (AP) — ",
        "SEOUL, Nov. 24 (Yonhap) -- ",
        "WASHINGTON – ",
    ],
)
def test_english_dateline_is_stripped(dateline):
    summary = summarize(f"{dateline}{LEAD_1}\n\n{LEAD_2}", "en")
    assert summary == f"{LEAD_1} {LEAD_2}"


def test_korean_summary_respects_budget_and_drops_furniture():
    body = "\n\n".join(
        [
            "24일 부산항에서 수출용 컨테이너가 선적을 기다리고 있다. [연합뉴스]",
            f"(서울=연합뉴스) 김지훈 기자 = {KO_1}",
            "대미 수출 증가세",
            f"{KO_2} {KO_3}",
            "김지훈 기자 jihoon.kim@yna.co.kr",
            "#관세 #대미수출",
        ]
    )
    assert summarize(body, "ko") == f"{KO_1} {KO_2}"
    assert len(f"{KO_1} {KO_2}") <= 220 < len(f"{KO_1} {KO_2} {KO_3}")  # budget drops KO_3
    wide = LeadSummarizer(max_chars=1000).summarize(body, "ko")
    assert wide == f"{KO_1} {KO_2} {KO_3}"


@pytest.mark.parametrize("prefix", ["(LA=연합뉴스) ", "【서울=뉴시스】 이수진 기자 = "])
def test_korean_wire_prefix_is_stripped(prefix):
    assert summarize(f"{prefix}{KO_1}\n\n{KO_2}", "ko") == f"{KO_1} {KO_2}"


def test_korean_bracket_prefix_and_reporter_line():
    body = f"[LA중앙일보] {KO_1}\n\n“이번엔 절대 물러서지 않겠다.”\n\n김상진 기자\n{KO_3}"
    assert summarize(body, "ko") == f"{KO_1} {KO_3}"


def test_korean_short_fragment_is_skipped():
    body = f"{KO_1} 정말이다.\n\n{KO_3}"
    assert summarize(body, "ko") == f"{KO_1} {KO_3}"


def test_unknown_language_is_rejected():
    with pytest.raises(ValueError):
        summarize(LEAD_1, "ja")


# --- furniture by kind, and which rule removed what ------------------------------------------

from digest.summarize import explain, shorten  # noqa: E402

HEADLINE = "Korean auto parts shipments jump ahead of tariff increase"


ENGLISH_FURNITURE = [
    (
        "Your gift today is matched dollar for dollar, so please support our independent "
        "journalism.",
        "donation-appeal",
    ),
    ("Become a member for $5 a month and read every story.", "membership-appeal"),
    (
        "Sign up for our free morning newsletter and get the top stories in your inbox.",
        "subscribe-appeal",
    ),
    ("Download our app for breaking news alerts on your phone.", "app-appeal"),
    (
        "Good morning, and welcome to the Morning Briefing from the Korea Daily.",
        "newsletter-greeting",
    ),
    ("Thanks for reading, and see you tomorrow.", "newsletter-signoff"),
    (
        "This translation captures the tone of the Korean original while reading naturally.",
        "translation-note",
    ),
    ("Let me know if you'd like a more literal version.", "translation-note"),
    ("This summary was generated by AI and checked by an editor.", "ai-note"),
    ("Copyright © 2026 The Korea Daily. All rights reserved.", "copyright"),
    ("See the news of your region", "navigation"),
    (
        "Trucks line up at a terminal gate in Long Beach on Monday. (Photo: Yonhap)",
        "photo-caption",
    ),
    ("The logo of Hanul Energy", "logo-caption"),
    ("Reporter Kim Ji-hoon kim.jihoon@example.com", "reporter-line-en"),
    ("(Yonhap)", "wire-credit"),
]


@pytest.mark.parametrize(("furniture", "rule"), ENGLISH_FURNITURE)
def test_english_furniture_is_removed_and_named(furniture, rule):
    body = f"{furniture}\n\n{LEAD_1}\n\n{LEAD_2}\n\n{furniture}"
    result = explain(body, "en", HEADLINE)
    assert result.text == f"{LEAD_1} {LEAD_2}"
    assert rule in result.rules
    assert any(r.rule == rule and r.text == furniture for r in result.removed)


@pytest.mark.parametrize(
    ("furniture", "rule"), [(f, r) for f, r in ENGLISH_FURNITURE if f.endswith(".")]
)
def test_english_furniture_run_into_story_paragraphs_is_removed(furniture, rule):
    body = f"{furniture} {LEAD_1}\n\n{LEAD_2} {furniture}"
    result = explain(body, "en", HEADLINE)
    assert result.text == f"{LEAD_1} {LEAD_2}"
    assert rule in result.rules
    assert any(r.rule == rule and furniture.startswith(r.text[:20]) for r in result.removed)


@pytest.mark.parametrize(
    ("furniture", "rule"),
    [
        ("지금 후원해 주시면 중앙일보의 지역 보도가 계속됩니다.", "donation-appeal"),
        ("멤버십에 가입하시면 모든 기사를 광고 없이 읽을 수 있습니다.", "membership-appeal"),
        ("매일 아침 뉴스레터를 구독하시면 주요 뉴스를 받아볼 수 있습니다.", "subscribe-appeal"),
        ("중앙일보 앱을 다운로드하시면 속보 알림을 받을 수 있습니다.", "app-appeal"),
        ("안녕하세요, 중앙일보 모닝 브리핑입니다.", "newsletter-greeting-ko"),
        ("내일 또 찾아뵙겠습니다.", "newsletter-signoff-ko"),
        ("이 기사는 AI 번역을 거쳐 작성됐습니다.", "tool-note-ko"),
        ("<저작권자(c) 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지>", "copyright"),
        ("내 지역 뉴스 보기", "navigation"),
        ("24일 부산항 신선대부두에 컨테이너가 쌓여 있다. 사진=연합뉴스", "photo-caption"),
        ("한울에너지 로고", "logo-caption"),
        ("김지훈 기자 jihoon.kim@example.com", "reporter-line"),
        ("#관세 #대미수출", "tag-line"),
    ],
)
def test_korean_furniture_is_removed_and_named(furniture, rule):
    body = f"{furniture}\n\n{KO_1}\n\n{KO_2}\n\n{furniture}"
    result = explain(body, "ko")
    assert result.text == f"{KO_1} {KO_2}"
    assert rule in result.rules


def test_headline_repeated_as_the_first_sentence_is_removed():
    body = f"{HEADLINE}.\n\n{LEAD_1}\n\n{LEAD_2}"
    result = explain(body, "en", HEADLINE)
    assert result.text == f"{LEAD_1} {LEAD_2}"
    assert result.rules == ("headline-repeat",)
    # without the headline nothing marks it as a repeat (it is a plain sentence)
    assert explain(body, "en").text.startswith(HEADLINE)


def test_korean_headline_repeated_with_other_endings_is_removed():
    headline = "대미 수출 관세 인상 앞두고 12% 급증"
    repeat = "대미 수출이 관세 인상을 앞두고 12% 급증했다."
    result = explain(f"{repeat} {KO_1}\n\n{KO_2}", "ko", headline)
    assert result.text == f"{KO_1} {KO_2}"
    assert result.rules == ("headline-repeat",)


def test_deck_before_a_datelined_lead_is_removed():
    deck = "Importers are racing the clock before a January tariff increase."
    body = f"{deck}\n\nLONG BEACH — {LEAD_1}\n\n{LEAD_2}"
    result = explain(body, "en", HEADLINE)
    assert result.text == f"{LEAD_1} {LEAD_2}"
    assert result.rules == ("deck",)


def test_korean_deck_without_a_full_stop_is_removed():
    body = f"관세 인상 앞두고 자동차 부품 수출 물량 앞당겨\n\n[LA중앙일보] {KO_1}\n\n{KO_2}"
    result = explain(body, "ko")
    assert result.text == f"{KO_1} {KO_2}"
    assert result.rules == ("deck",)


@pytest.mark.parametrize(
    "ending",
    [" kim.jihoon@example.com", " #LongBeach #tariffs", " BY KIM JI-HOON", "Yonhap"],
)
def test_paragraph_ending_in_a_credit_without_a_full_stop_is_kept(ending):
    body = f"{LEAD_1}{ending}\n\n{LEAD_2}"
    assert summarize(body, "en") == f"{LEAD_1} {LEAD_2}"


def test_korean_paragraph_ending_in_a_reporter_line_is_kept():
    body = f"{KO_1} {KO_2} 김지훈 기자 jihoon.kim@example.com"
    result = explain(body, "ko")
    assert result.text == f"{KO_1} {KO_2}"
    assert result.rules == ("reporter-line",)


def test_korean_sentences_glued_without_a_space_are_summarized_apart():
    body = f"{KO_1.removesuffix('.')}.{KO_2}\n\n{KO_3}"
    assert summarize(body, "ko") == f"{KO_1} {KO_2}"


def test_wire_credit_glued_to_the_last_sentence_is_cut():
    result = explain(f"{LEAD_1}\n\n{LEAD_2}Yonhap", "en")
    assert result.text == f"{LEAD_1} {LEAD_2}"
    assert result.removed[0].rule == "glued-credit" and result.removed[0].text == "Yonhap"


# --- never empty, never cut ------------------------------------------------------------------


def test_when_the_rules_leave_nothing_the_first_clean_text_is_used():
    # Korean text saved without final full stops: no sentence passes, the text is still story.
    body = (
        "관세청은 24일 대미 수출이 지난해보다 12% 늘었다고 발표했다\n\n"
        "자동차 부품이 증가세를 이끌었다\n\n"
        "- Advertisement -"
    )
    result = explain(body, "ko")
    assert result.fallback
    assert result.text == (
        "관세청은 24일 대미 수출이 지난해보다 12% 늘었다고 발표했다 자동차 부품이 증가세를 이끌었다"
    )
    assert "ad-label" in result.rules


@pytest.mark.parametrize(
    "body",
    [
        "- Advertisement -\n\nDonate now\n\n#tariffs",
        "Sign up for our free morning newsletter and get the top stories in your inbox.",
        "안녕하세요, 중앙일보 모닝 브리핑입니다.\n\n내일 또 찾아뵙겠습니다.",
    ],
)
def test_a_story_with_no_usable_sentence_gets_an_empty_summary(body):
    language = "ko" if "안녕" in body else "en"
    result = explain(body, language)
    assert result.text == "" and not result.fallback and result.removed


# --- length per list -------------------------------------------------------------------------


def test_short_length_keeps_whole_sentences_within_45_words():
    body = f"{LEAD_1}\n\n{LEAD_2} {LEAD_3}\n\n{LEAD_4}"
    short = explain(body, "en", length="short").text
    assert short == f"{LEAD_1} {LEAD_2}"
    assert len(short.split()) <= 45 < len(f"{LEAD_1} {LEAD_2} {LEAD_3}".split())
    assert explain(body, "en").text == f"{LEAD_1} {LEAD_2} {LEAD_3}"  # standard, as before


def test_short_length_keeps_one_sentence_even_when_it_is_long():
    long = " ".join(
        [
            LEAD_1.removesuffix("."),
            "while",
            LEAD_2[0].lower() + LEAD_2[1:].removesuffix("."),
            "and expect the rush to last until Christmas.",
        ]
    )
    assert len(long.split()) > 45
    assert explain(f"{long}\n\n{LEAD_3}", "en", length="short").text == long


def test_short_korean_length_is_about_130_characters():
    short = explain(f"{KO_1}\n\n{KO_2}\n\n{KO_3}", "ko", length="short").text
    assert short == KO_1 if len(f"{KO_1} {KO_2}") > 130 else f"{KO_1} {KO_2}"
    assert len(short) <= 130 or short == KO_1


def test_shorten_cuts_a_stored_summary_at_sentence_ends():
    standard = f"{LEAD_1} {LEAD_2} {LEAD_3}"
    assert shorten(standard, "en", "standard") == standard
    assert shorten(standard, "en", "short") == f"{LEAD_1} {LEAD_2}"
    assert shorten("", "en", "short") == ""
    korean = f"{KO_1} {KO_2}"
    assert shorten(korean, "ko", "short") in (KO_1, korean)
    with pytest.raises(ValueError):
        shorten(standard, "en", "tiny")


def test_the_fallback_takes_the_first_clean_text_in_the_order_of_the_story():
    # The first paragraph's text without a full stop is found sentence by sentence, the
    # second paragraph whole: the first still comes first.
    body = (
        "잠정치다. 관세청은 24일 대미 수출이 지난해보다 12% 늘었다고 발표했다\n\n"
        "자동차 부품 수출은 31% 늘었고 반도체 수출은 줄었다"
    )
    result = explain(body, "ko", length="short")
    assert result.fallback
    assert result.text.startswith("관세청은 24일 대미 수출이 지난해보다 12% 늘었다고 발표했다")
