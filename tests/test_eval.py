"""The evaluation corpus is well-formed, and `python -m bench.eval` runs and reports."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.eval.corpus import (
    FORMATS,
    FURNITURE,
    HOLDOUT_LABELS_FILE,
    HOLDOUT_PAGES_DIR,
    PAGES_DIR,
    SECTIONS,
    has_furniture,
    load,
    normalise,
    page_text,
)
from bench.eval.score import unclean_parts

ROOT = Path(__file__).resolve().parent.parent
PAGES = load()
HOLDOUT = load(HOLDOUT_PAGES_DIR, HOLDOUT_LABELS_FILE)
BOTH = [*PAGES, *HOLDOUT]
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
# The held-out set's own case: a Korean keyword inside a longer word other than the two above
# ("대사" in "신진대사", "무역" in "무역풍").
HOLDOUT_CASES = HARD_CASES | {"ko_substring"}
# What may never be part of an allowed sentence: an address, a tag, a copyright sign, a
# credit in brackets, a photo credit.
FURNITURE_IN_SENTENCE = re.compile(r"@|#\w|ⓒ|©|\[[^\]]*\]|\(Photo:|사진=")


def _ids(page):
    return ("holdout/" if page.path.parent == HOLDOUT_PAGES_DIR else "") + page.name


@pytest.mark.parametrize(
    ("folder", "pages"), [(PAGES_DIR, PAGES), (HOLDOUT_PAGES_DIR, HOLDOUT)], ids=["main", "holdout"]
)
def test_every_page_is_labelled_and_every_label_has_a_page(folder, pages):
    on_disk = {p.name for p in folder.iterdir() if p.is_file()}
    assert on_disk == {page.name for page in pages}
    assert all(page.format in FORMATS for page in pages)


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


def test_holdout_size_and_balance():
    """48 pages: 24 a language, 8 a format and 6 a section in each; 35% with a second label."""
    assert len(HOLDOUT) == 48
    assert not {page.name for page in HOLDOUT} & {page.name for page in PAGES}
    assert sum(bool(page.second) for page in HOLDOUT) >= 0.35 * len(HOLDOUT)
    counts = Counter((page.language, page.format) for page in HOLDOUT)
    assert counts == {(lang, fmt): 8 for lang in ("en", "ko") for fmt in FORMATS}
    counts = Counter((page.language, page.section) for page in HOLDOUT)
    assert counts == {(lang, s): 6 for lang in ("en", "ko") for s in SECTIONS}
    for page in HOLDOUT:
        assert page.second in {"", *SECTIONS} and page.second != page.section, page.name


def test_holdout_sentences_are_new():
    """No held-out lead sentence is printed on a page of the main set."""
    main_text = " ".join(page_text(page.path) for page in PAGES)
    for page in HOLDOUT:
        for sentence in page.summary_sentences:
            assert normalise(sentence) not in main_text, (page.name, sentence)


@pytest.mark.parametrize("page", BOTH, ids=_ids)
def test_allowed_sentences_are_the_pages_own(page):
    text = page_text(page.path)
    wanted = 2 if "one_line" in page.furniture else 3
    assert len(page.summary_sentences) >= wanted
    assert normalise(page.headline) in text
    for sentence in page.summary_sentences:
        assert normalise(sentence) in text, sentence
        assert not FURNITURE_IN_SENTENCE.search(sentence), sentence
        assert normalise(sentence) != normalise(page.headline)


@pytest.mark.parametrize("page", BOTH, ids=_ids)
def test_declared_furniture_is_on_the_page(page):
    for kind in page.furniture:
        assert kind in FURNITURE, kind
        assert has_furniture(page, kind), kind


@pytest.mark.parametrize(
    ("pages", "every_case_twice"), [(PAGES, True), (HOLDOUT, False)], ids=["main", "holdout"]
)
def test_every_kind_of_furniture_and_every_hard_case_appears_often_enough(pages, every_case_twice):
    kinds = Counter((kind, page.language) for page in pages for kind in page.furniture)
    rare = [(k, lang) for k in FURNITURE for lang in ("en", "ko") if kinds[(k, lang)] < 2]
    assert not rare
    cases = Counter(case for page in pages for case in page.cases)
    if every_case_twice:
        assert set(cases) == HARD_CASES
        assert all(n >= 2 for n in cases.values()), cases
    else:  # the held-out set: named cases only, and many of them
        assert set(cases) <= HOLDOUT_CASES
        assert len(cases) >= 10, cases


def test_unclean_parts_reads_a_summary_without_a_splitter():
    allowed = ["Exports rose 7 percent.", "Chips led the gain.", "밝혔다.", "미국은 반대했다."]
    assert unclean_parts("Exports rose 7 percent.  Chips led the gain.", allowed) == []
    assert unclean_parts("밝혔다.미국은 반대했다.", allowed) == []
    assert unclean_parts("Chips led the gain.Yonhap", allowed) == ["Yonhap"]
    assert unclean_parts("Donate now. Exports rose 7 percent.", allowed) == ["Donate now."]
    assert unclean_parts("", allowed) == []


def test_the_harness_runs_on_a_few_pages_and_prints_its_figures():
    chosen = [
        "en-trade-01-vernon-kimchi-maker-tariff.txt",  # a saved page
        "ko-dipl-02-un-north-korea-human-rights.json",  # a WordPress post
        "en-dipl-07-defectors-forum-la.html",  # an HTML page from the local web
        "ko-comm-08-oneline-library.txt",  # a one-line page
    ]
    done = subprocess.run(
        [sys.executable, "-m", "bench.eval", "--verbose", "--only", ",".join(chosen)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    figures = dict(re.findall(r"^BENCH (\S+) (\S+) ", done.stdout, re.M))
    for name in (
        "summary_clean_fraction",
        "summary_empty_count",
        "summary_words_en_median",
        "summary_chars_ko_median",
        "section_accuracy",
        "section_primary_accuracy",
        "section_accuracy_ko",
        "section_thin_margins",
        "eval_pages",
        "pages_not_collected",
    ):
        assert name in figures, name
    assert float(figures["eval_pages"]) == 4
    collected = 4 - float(figures["pages_not_collected"])
    assert collected >= 3  # the post, the HTML page and the dated saved page, at least
    assert 0 <= float(figures["summary_clean_fraction"]) <= 1


def test_the_harness_runs_the_held_out_set_with_its_prefix():
    chosen = ["en-trade-h02-ramen-exports-record.json", "ko-comm-h03-seniors-metabolism-class.html"]
    done = subprocess.run(
        [sys.executable, "-m", "bench.eval", "--holdout", "--only", ",".join(chosen)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    figures = dict(re.findall(r"^BENCH (\S+) (\S+) ", done.stdout, re.M))
    assert float(figures["holdout_eval_pages"]) == 2
    assert "holdout_summary_clean_fraction" in figures
    assert "holdout_section_accuracy" in figures
    assert not any(name.startswith(("eval_", "summary_", "section_")) for name in figures)
