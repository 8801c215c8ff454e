"""`digest summarize [--json] FILE|URL`: the summary one page would get, with what was left out
of it and by which rule, stored nowhere."""

from __future__ import annotations

import json

PAGE = """URL: https://www.koreadailyus.com/garden-grove-tofu-shop-expands/
58.1 F
Garden Grove
Wednesday, November 25, 2026

Garden Grove tofu maker adds a second shop as orders from Korean markets double

Support local news: your gift is matched dollar for dollar until Dec. 31. Donate today.

GARDEN GROVE — A family-run tofu maker on Brookhurst Street will open a second shop in \
Buena Park next month after wholesale orders from Korean markets doubled this year. The \
owners said the new kitchen will let them make soft tofu six days a week instead of four. \
Three markets in Orange County now carry the shop's tofu under their own labels.

The family started the business in 2009 with one grinder and a borrowed delivery van.

By Esther Cho esther.cho@example.com
"""


def test_json_names_what_the_page_reader_and_the_summarizer_left_out(cli, tmp_path):
    page = tmp_path / "tofu.txt"
    page.write_text(PAGE, encoding="utf-8")
    shown = json.loads(cli("summarize", "--json", str(page)).stdout)
    assert shown["title"].startswith("Garden Grove tofu maker adds a second shop")
    assert shown["summary"].startswith("A family-run tofu maker on Brookhurst Street")
    assert "gift" not in shown["summary"] and "Esther" not in shown["summary"]
    assert not shown["needs_summary"] and not shown["fallback"]
    dropped = {r["rule"]: r["text"] for r in shown["removed_from_page"]}
    assert "matched dollar for dollar" in dropped["donation-appeal"]
    assert "donation-appeal" in shown["rules"]

    short = json.loads(cli("summarize", "--json", "--length", "short", str(page)).stdout)
    assert short["length"] == "short"
    assert len(short["summary"].split()) < len(shown["summary"].split())
    assert shown["summary"].startswith(short["summary"])  # whole sentences, from the start


def test_the_plain_view_and_bad_input(cli, tmp_path):
    page = tmp_path / "tofu.txt"
    page.write_text(PAGE, encoding="utf-8")
    plain = cli("summarize", str(page)).stdout
    assert "summary: A family-run tofu maker" in plain
    assert "page: removed by donation-appeal: Support local news" in plain

    missing = cli("summarize", str(tmp_path / "nope.txt"), check=False)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    wrong = cli("summarize", "--length", "long", str(page), check=False)
    assert wrong.returncode != 0 and "invalid choice" in wrong.stderr
