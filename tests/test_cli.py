"""The `digest` command as an operator types it, in a subprocess with its own database."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path, cli):
    return tmp_path, cli


def test_run_collects_composes_sends_and_summarizes(home):
    tmp_path, digest = home
    digest("shell", "-c", "from digest.demo import load_demo; load_demo()")
    result = digest("run", "--list", "morning-en", "--date", "2026-11-24")
    out = result.stdout
    assert re.search(r"│ Demo articles \(saved pages and WordPress posts\) +│ +20 │ +20 │", out)
    for key in ("trade", "diplomacy", "community", "more"):
        assert f"│ {key}" in out
    assert re.search(r"│ recipients of this edition\s+│\s+4 │", out)
    assert re.search(r"│ sent now\s+│\s+4 │", out)
    folder = tmp_path / "outbox" / "morning-en" / "2026-11-24"
    assert f"Messages: {folder}" in out
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 4
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    again = digest("run", "--list", "morning-en", "--date", "2026-11-24")
    assert re.search(r"│ recipients of this edition\s+│\s+4 │", again.stdout)
    assert re.search(r"│ sent now\s+│\s+0 │", again.stdout)
    assert len(sorted(folder.glob("*.eml"))) == 4


def test_unknown_list_is_a_clear_error(home):
    _, digest = home
    result = digest("run", "--list", "no-such-list", check=False)
    assert result.returncode == 1
    assert "no list with the slug 'no-such-list'" in result.stderr


def test_collect_names_each_bad_file_and_keeps_the_good_ones(home):
    tmp_path, digest = home
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "header-only.txt").write_text("61.3 F\nLos Angeles\nTuesday, November 24, 2026\n")
    (folder / "broken.json").write_text('{"id": 3, "title": ')
    (folder / "good.txt").write_text(
        "URL: https://www.koreadailyus.com/good-story/\n61.3 F\nLos Angeles\n"
        "Tuesday, November 24, 2026\n\nKoreatown library adds Korean story hour\n\n"
        "The Koreatown branch library will add a Korean-language story hour on Saturdays.\n\n"
        "Librarians said demand from families had doubled since the spring.\n"
    )
    result = digest("collect", "--from", str(folder))
    assert result.returncode == 0
    out = " ".join(result.stdout.split())
    assert f"skipped {folder / 'empty.txt'}: empty file" in out
    assert f"skipped {folder / 'header-only.txt'}: no headline" in out
    assert f"skipped {folder / 'broken.json'}: not valid JSON" in out
    assert "│ 1 │ 1 │ 0 │ 0 │ 3 │" in out


def test_collect_from_a_missing_folder_fails(home):
    tmp_path, digest = home
    result = digest("collect", "--from", str(tmp_path / "nope"), check=False)
    assert result.returncode == 1 and "no such folder" in result.stderr


def test_send_without_an_edition_says_what_to_run(home):
    _, digest = home
    digest("shell", "-c", "from digest.demo import load_demo; load_demo()")
    result = digest("send", "--list", "morning-ko", "--date", "2026-11-24", check=False)
    assert result.returncode == 1
    assert "digest compose --list morning-ko --date 2026-11-24" in result.stderr


def test_send_refuses_zero_workers(home):
    _, digest = home
    result = digest("send", "--edition", "morning-en/2026-11-24", "--workers", "0", check=False)
    assert result.returncode == 1 and "--workers must be 1 or more" in result.stderr


def test_demo_delivers_each_reader_the_sections_they_chose(home):
    """The promise of `make demo`: the printed .eml files parse and hold each reader's sections."""
    tmp_path, digest = home
    out = digest("demo").stdout
    paths = [Path(line.strip()) for line in out.splitlines() if line.strip().endswith(".eml")]
    assert len(paths) == 7
    english = {"TRADE", "DIPLOMACY", "COMMUNITY", "MORE NEWS"}
    korean = {"통상·경제", "외교·안보", "한인 사회", "더 많은 소식"}
    expected = {
        ("morning-en", "grace.kim@example.com"): english,
        ("morning-en", "Daniel.Cho@example.com"): {"TRADE", "DIPLOMACY"},
        ("morning-en", "robert.han@example.org"): {"COMMUNITY", "MORE NEWS"},
        ("morning-en", "minji.park@example.com"): {"DIPLOMACY"},
        ("morning-ko", "minji.park@example.com"): {"한인 사회"},
        ("morning-ko", "sujin.lee@example.net"): korean,
        ("morning-ko", "jaehoon.jung@example.net"): {"통상·경제", "더 많은 소식"},
    }
    seen = {}
    for path in paths:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        headings = set(re.findall(r"^== (.+) ==\r?$", text, re.M))
        seen[(path.parent.parent.name, message["To"])] = headings
        assert message.get_body(("html",)) is not None
    assert seen == expected
    assert re.search(
        r"admin\s+https://news.example.com/admin/  \(user demo-admin, password \S+\)", out
    )
    assert re.search(r"a reader's preferences\s+https://news.example.com/preferences/\S+:\S+/", out)
    for name in ("preview-all.html", "preview-all.txt"):
        assert (tmp_path / "outbox" / "morning-en" / "2026-11-24" / name).exists()
    # Running the demo again sends nothing twice.
    digest("demo")
    assert len(list((tmp_path / "outbox").rglob("*.eml"))) == 7
