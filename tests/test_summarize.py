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
