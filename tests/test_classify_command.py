"""`digest classify [--json] FILE|URL`: which section a page would get and why, stored nowhere."""

from __future__ import annotations

import json

from digest.demo import ARTICLES_DIR


def test_a_saved_korean_page_as_json(cli):
    page = ARTICLES_DIR / "ko_02_korea-us-exports-tariff-november.txt"
    shown = json.loads(cli("classify", "--json", str(page)).stdout)
    assert shown["title"].startswith("11월 대미 수출 12% 증가")
    assert shown["language"] == "ko"
    assert (shown["section"], shown["runner_up"], shown["thin"]) == ("trade", None, False)
    assert shown["margin"] == shown["score"] > 0
    assert shown["reason"].startswith("keywords: 수출×")
    sections = {s["key"]: s for s in shown["sections"]}
    assert list(sections) == ["trade", "diplomacy", "community", "more"]
    export = next(k for k in sections["trade"]["keywords"] if k["word"] == "수출")
    assert export["weight"] == 2.0
    assert export["headline"] == 1 and export["lead"] >= 1
    assert export["points"] == 2.0 * (
        3 * 1 + 2 * export["lead"] + min(export["body"], 5 - export["lead"])
    )
    generic = next(k for k in sections["trade"]["keywords"] if k["word"] == "경제")
    assert generic["weight"] == 0.5
    assert sections["diplomacy"] == {"key": "diplomacy", "score": 0.0, "keywords": []}


def test_a_wordpress_post_with_its_category_and_a_list_of_posts(cli):
    post = json.loads(
        cli(
            "classify", "--json", str(ARTICLES_DIR / "en_08_la-consulate-visa-briefings.json")
        ).stdout
    )
    assert (post["section"], post["reason"], post["categories"][0]) == (
        "diplomacy",
        "category 'Politics'",
        "Politics",
    )
    assert post["sections"][1]["key"] == "diplomacy" and post["sections"][1]["score"] > 0

    posts = json.loads(
        cli(
            "classify",
            "--json",
            str(ARTICLES_DIR / "en_10_posts_freight-rates-and-lpga-rookie.json"),
        ).stdout
    )
    assert [p["section"] for p in posts] == ["trade", "more"]


def test_the_plain_view_names_the_section_the_runner_up_and_the_words(cli, tmp_path):
    page = tmp_path / "post.json"
    page.write_text(
        json.dumps(
            {
                "id": 77,
                "date_gmt": "2026-11-24T17:00:00",
                "link": "https://www.koreadailyus.com/?p=77",
                "title": {"rendered": "Consulate opens a Koreatown help desk"},
                "content": {"rendered": "<p>The consulate and Koreatown groups spoke.</p>"},
            }
        ),
        encoding="utf-8",
    )
    out = cli("classify", str(page)).stdout
    assert out.startswith("Consulate opens a Koreatown help desk\n")
    assert "  runner-up: " in out and "margin 0" in out
    assert "thin margin: an editor should check the section" in out
    assert "    consulate ×2: headline 1, lead 1, body 0 = 10" in out
    assert "    koreatown ×2: headline 1, lead 1, body 0 = 10" in out


def test_an_address_is_read_as_sources_test_reads_it(cli, web):
    url = web.url("/partner/articles/donation-drive.euc-kr.html")
    shown = json.loads(cli("classify", "--json", url).stdout)
    assert shown["title"] == "LA 한인회, 연말 불우이웃 돕기 모금 시작"
    assert shown["section"] == "community"
    words = {k["word"] for k in shown["sections"][2]["keywords"]}
    assert "한인회" in words


def test_bad_input_is_one_line_and_exit_code_one(cli, web, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("# notes", encoding="utf-8")
    for location, words in [
        (str(tmp_path / "missing.txt"), "missing.txt: no such file"),
        (str(broken), "not valid JSON"),
        (str(notes), "not a saved page (.txt) or a WordPress post (.json)"),
        (web.url("/error-500"), "server error 500"),
    ]:
        result = cli("classify", "--json", location, check=False)
        assert result.returncode == 1, location
        assert result.stdout == ""
        assert words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
