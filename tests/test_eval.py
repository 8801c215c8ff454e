"""The evaluation corpus is well-formed."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bench.eval.corpus import (
    FORMATS,
    FURNITURE,
    PAGES_DIR,
    SECTIONS,
    has_furniture,
    load,
    normalise,
    page_text,
)

PAGES = load()
HARD_CASES = {
    "ko_substring_visa",
    "ko_substring_hanin",
    "particles",
    "footer_section_word",
    "ticker_tariff",
    "generic_words",
    "ka_business_tariff",
    "consulate_service",
    "defector_event",
    "immigration_raid",
    "kpop_export",
    "kbeauty_export",
    "inter_korean_sports",
    "opinion",
}
# What may never be part of an allowed sentence: an address, a tag, a copyright sign, a
# credit in brackets, a photo credit.
FURNITURE_IN_SENTENCE = re.compile(r"@|#\w|ⓒ|©|\[[^\]]*\]|\(Photo:|사진=")


def test_every_page_is_labelled_and_every_label_has_a_page():
    on_disk = {p.name for p in PAGES_DIR.iterdir() if p.is_file()}
    assert on_disk == {page.name for page in PAGES}
    assert all(page.format in FORMATS for page in PAGES)


def test_size_and_balance():
    assert len(PAGES) >= 130
    korean = sum(page.language == "ko" for page in PAGES)
    assert abs(korean - len(PAGES) / 2) <= 10
    assert {page.language for page in PAGES} == {"en", "ko"}
    assert sum(bool(page.second) for page in PAGES) >= 0.3 * len(PAGES)
    for page in PAGES:
        assert page.section in SECTIONS, page.name
        assert page.second in {"", *SECTIONS} and page.second != page.section, page.name
    by_language_and_format = Counter((page.language, page.format) for page in PAGES)
    assert all(
        by_language_and_format[(lang, fmt)] >= 10 for lang in ("en", "ko") for fmt in FORMATS
    )
    assert all(sum(p.section == s for p in PAGES) >= 25 for s in SECTIONS)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_allowed_sentences_are_the_pages_own(page):
    text = page_text(page.path)
    wanted = 2 if "one_line" in page.furniture else 3
    assert len(page.summary_sentences) >= wanted
    assert normalise(page.headline) in text
    for sentence in page.summary_sentences:
        assert normalise(sentence) in text, sentence
        assert not FURNITURE_IN_SENTENCE.search(sentence), sentence
        assert normalise(sentence) != normalise(page.headline)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_declared_furniture_is_on_the_page(page):
    for kind in page.furniture:
        assert kind in FURNITURE, kind
        assert has_furniture(page, kind), kind


def test_every_kind_of_furniture_and_every_hard_case_appears_often_enough():
    kinds = Counter((kind, page.language) for page in PAGES for kind in page.furniture)
    rare = [(k, lang) for k in FURNITURE for lang in ("en", "ko") if kinds[(k, lang)] < 2]
    assert not rare
    cases = Counter(case for page in PAGES for case in page.cases)
    assert set(cases) == HARD_CASES
    assert all(n >= 2 for n in cases.values()), cases
