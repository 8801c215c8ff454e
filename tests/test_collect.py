"""Collecting: every good input stored once, re-collecting changes nothing, bad inputs named."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.canonical import canonical_url
from digest.collect import CollectReport, collect, open_source
from digest.models import Article, Source
from digest.sources import FetchProblem, FolderSource

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
DEMO = Path(__file__).resolve().parent.parent / "digest" / "demo" / "articles"
PAGES = Path(__file__).parent / "fixtures" / "pages"
DEMO_DAY = dt.date(2026, 11, 24)


def run(folder: Path, row: Source | None = None) -> CollectReport:
    return collect([(str(folder), FolderSource(folder, time_zone="America/Los_Angeles"), row)])


def snapshot() -> dict[str, tuple]:
    return {
        a.url: (a.id, a.updated_at, a.content_hash, a.section_id, a.summary, a.body, a.title)
        for a in Article.objects.all()
    }


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(DEMO, folder)
    return folder


# --- the demo folder --------------------------------------------------------------------------


def test_demo_folder_is_stored_classified_and_summarized():
    report = run(DEMO)

    assert report.total("fetched") == 20
    assert report.total("new") == 20
    assert report.total("updated") == 0
    assert report.total("unchanged") == 0
    assert report.total("problems") == 0, report.sources[0].problems
    assert Article.objects.count() == 20
    assert Article.objects.filter(language="ko").count() == 9
    assert Article.objects.filter(language="en").count() == 11
    assert Article.objects.values("url").distinct().count() == 20
    for article in Article.objects.all():
        assert article.section_id is not None, article.title
        assert article.summary.strip(), article.title
        assert article.body.strip(), article.title
        assert article.published_at.astimezone(LA).date() == DEMO_DAY, article.title
        assert article.url.startswith("https://"), article.url
        assert article.url == canonical_url(article.url)
        assert len(article.content_hash) == 64
        assert article.byline, article.title
    sections = set(Article.objects.values_list("section__key", flat=True))
    assert len(sections) >= 3  # the demo spans trade, diplomacy, community and more


def test_demo_pages_are_stored_without_page_furniture():
    run(DEMO)
    for article in Article.objects.all():
        for furniture in ("- Advertisement -", "Must read", "URL:", "Los Angeles\n", " 기자\n"):
            assert furniture not in article.body, (article.title, furniture)
        assert not article.body.startswith(article.title)


def test_collecting_again_changes_nothing():
    run(DEMO)
    before = snapshot()

    again = run(DEMO)

    assert again.total("fetched") == 20
    assert again.total("unchanged") == 20
    assert again.total("new") == 0
    assert again.total("updated") == 0
    assert again.total("problems") == 0
    assert snapshot() == before


def test_a_changed_file_is_updated_in_place(demo_copy):
    run(demo_copy)
    before = snapshot()
    path = demo_copy / "en_03_koreatown-seniors-thanksgiving-lunch.txt"
    text = path.read_text(encoding="utf-8")
    url = canonical_url(text.splitlines()[0].removeprefix("URL:").strip())
    old = before[url]
    added = "Organizers said they would hold a second lunch on Christmas Eve."
    paragraphs = text.split("\n\n")
    paragraphs.insert(3, added)  # after the headline, inside the story
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")

    report = run(demo_copy)

    assert report.total("new") == 0
    assert report.total("updated") == 1
    assert report.total("unchanged") == 19
    assert Article.objects.count() == 20
    after = snapshot()
    article = Article.objects.get(url=url)
    assert article.id == old[0]
    assert added in article.body
    assert article.content_hash != old[2]
    assert article.updated_at > old[1]
    assert article.section_id is not None and article.summary
    for other_url, row in before.items():
        if other_url != url:
            assert after[other_url] == row, other_url


def test_a_changed_json_post_is_updated_in_place(demo_copy):
    run(demo_copy)
    path = demo_copy / "en_10_posts_freight-rates-and-lpga-rookie.json"
    posts = json.loads(path.read_text(encoding="utf-8"))
    posts[1]["title"]["rendered"] = "A corrected headline for the rookie story"
    path.write_text(json.dumps(posts), encoding="utf-8")
    url = canonical_url(posts[1]["link"])
    old_id = Article.objects.get(url=url).id

    report = run(demo_copy)

    assert (report.total("new"), report.total("updated"), report.total("unchanged")) == (0, 1, 19)
    article = Article.objects.get(url=url)
    assert article.id == old_id
    assert article.title == "A corrected headline for the rookie story"


# --- bad inputs --------------------------------------------------------------------------------

HEADER_ONLY = "61.0 F\nLos Angeles\nTuesday, November 24, 2026\n"
NO_DATE = (
    "URL: https://www.koreadailyus.com/undated-story/\n\n"
    "An undated story about the market\n\n"
    "Vendors sold food until late in the evening, organizers said.\n"
)
# What each bad file is, and what its problem message must say.
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "a_empty.txt": (b"", "empty file"),
    "b_header_only.txt": (HEADER_ONLY.encode(), "no headline"),
    "d_malformed.json": (b'{"id": 1, "title": {"rendered": "Half a post"', "not valid JSON"),
    "f_binary.txt": (b"\xff\xfe\xfa\xfb" * 10, "not UTF-8 or CP949"),
}


def untitled_post() -> bytes:
    post = json.loads((PAGES / "wp_post.json").read_text(encoding="utf-8"))
    post["title"] = {"rendered": ""}
    post["link"] = "https://www.koreadailyus.com/untitled/"
    return json.dumps(post).encode()


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DEMO / "en_03_koreatown-seniors-thanksgiving-lunch.txt", folder)
    shutil.copy(DEMO / "ko_06_kfood-exports-record.json", folder)
    shutil.copy(DEMO / "en_10_posts_freight-rates-and-lpga-rookie.json", folder)
    for name, (content, _) in BAD_FILES.items():
        (folder / name).write_bytes(content)
    (folder / "e_untitled.json").write_bytes(untitled_post())
    # A page that prints no date is collected, dated by the file's time (as it was saved).
    undated = folder / "c_undated.txt"
    undated.write_text(NO_DATE, encoding="utf-8")
    os.utime(undated, (SAVED_AT.timestamp(), SAVED_AT.timestamp()))
    (folder / "notes.md").write_text("not an article", encoding="utf-8")  # ignored: not .txt
    (folder / "x.txt").mkdir()  # a directory with an article's name is not a file
    return folder


SAVED_AT = dt.datetime(2026, 11, 24, 15, 30, tzinfo=dt.UTC)
EXPECTED_PROBLEMS = {name: message for name, (_, message) in BAD_FILES.items()} | {
    "e_untitled.json": "has no title"
}


def test_each_bad_input_is_one_named_problem_and_good_files_are_stored(mixed_folder):
    report = run(mixed_folder)

    (sr,) = report.sources
    assert report.total("problems") == len(EXPECTED_PROBLEMS) == 5
    assert len(sr.problems) == 5
    assert all(isinstance(p, FetchProblem) for p in sr.problems)
    by_file = {Path(p.origin).name: p for p in sr.problems}
    assert set(by_file) == set(EXPECTED_PROBLEMS)
    for name, message in EXPECTED_PROBLEMS.items():
        problem = by_file[name]
        assert problem.origin == str(mixed_folder / name)
        assert message in problem.message, (name, problem.message)
    assert "WordPress" in by_file["e_untitled.json"].message

    assert report.total("fetched") == 5
    assert report.total("new") == 5
    assert Article.objects.count() == 5
    undated = Article.objects.get(title="An undated story about the market")
    assert undated.date_source == Article.DateSource.FILE
    assert undated.published_at == SAVED_AT
    assert all(a.section_id and a.summary for a in Article.objects.all())


def test_a_post_in_a_list_is_named_by_its_position(tmp_path):
    posts = json.loads((DEMO / "en_10_posts_freight-rates-and-lpga-rookie.json").read_text())
    del posts[0]["title"]
    (tmp_path / "posts.json").write_text(json.dumps(posts), encoding="utf-8")

    report = run(tmp_path)

    (problem,) = report.sources[0].problems
    assert problem.origin == f"{tmp_path / 'posts.json'}[0]"
    assert "has no title" in problem.message
    assert report.total("new") == 1
    assert Article.objects.get().url == canonical_url(posts[1]["link"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its mode")
def test_an_unreadable_file_is_a_problem(tmp_path):
    shutil.copy(DEMO / "en_03_koreatown-seniors-thanksgiving-lunch.txt", tmp_path)
    locked = tmp_path / "locked.txt"
    locked.write_text(NO_DATE, encoding="utf-8")
    locked.chmod(0)
    try:
        report = run(tmp_path)
    finally:
        locked.chmod(0o644)
    (problem,) = report.sources[0].problems
    assert problem.origin == str(locked)
    assert "cannot read the file" in problem.message
    assert report.total("new") == 1


def test_a_file_that_fails_to_read_is_a_problem(tmp_path, monkeypatch):
    # The same path as the test above, for when the tests run as root.
    shutil.copy(DEMO / "en_03_koreatown-seniors-thanksgiving-lunch.txt", tmp_path)
    locked = tmp_path / "locked.txt"
    locked.write_text(NO_DATE, encoding="utf-8")
    real_read_bytes = Path.read_bytes

    def read_bytes(path):
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = run(tmp_path)

    (problem,) = report.sources[0].problems
    assert problem.origin == str(locked)
    assert problem.message == "cannot read the file (Permission denied)"
    assert report.total("new") == 1


def test_source_row_records_problems_and_clears_them_once_fixed(mixed_folder):
    row = Source.objects.create(name="Saved pages", kind="files", location=str(mixed_folder))

    report = collect([(row.name, open_source(row, "America/Los_Angeles"), row)])

    row.refresh_from_db()
    assert report.total("problems") == 5
    assert row.last_collected_at is not None
    lines = row.last_error.splitlines()
    assert len(lines) == 5
    for name, message in EXPECTED_PROBLEMS.items():
        assert any(str(mixed_folder / name) in line and message in line for line in lines), name
    assert set(Article.objects.values_list("source_id", flat=True)) == {row.id}

    for name in EXPECTED_PROBLEMS:
        (mixed_folder / name).unlink()
    first_run = row.last_collected_at
    report = collect([(row.name, open_source(row, "America/Los_Angeles"), row)])

    row.refresh_from_db()
    assert report.total("problems") == 0
    assert report.total("unchanged") == 5
    assert row.last_error == ""
    assert row.last_collected_at > first_run


def test_missing_folder_is_recorded_on_the_source_row(tmp_path):
    row = Source.objects.create(name="Gone", kind="files", location=str(tmp_path / "gone"))
    report = collect([(row.name, open_source(row, "America/Los_Angeles"), row)])
    row.refresh_from_db()
    assert report.total("problems") == 1
    assert "no such folder" in row.last_error
    assert Article.objects.count() == 0


# --- canonical URLs ---------------------------------------------------------------------------


def page(url: str, body: str = "Vendors sold food until late in the evening.") -> str:
    return (
        f"URL: {url}\n61.0 F\nLos Angeles\nTuesday, November 24, 2026\n\n"
        f"Koreatown market draws holiday crowds\n\n{body}\n"
    )


def test_tracking_and_fragment_variants_are_one_article(tmp_path):
    base = "https://www.koreadailyus.com/koreatown-market/"
    (tmp_path / "a.txt").write_text(page(base), encoding="utf-8")
    (tmp_path / "b.txt").write_text(page(base + "?utm_source=x#frag"), encoding="utf-8")
    (tmp_path / "c.txt").write_text(
        page("HTTPS://WWW.KoreaDailyUS.com:443/koreatown-market?utm_medium=email&fbclid=1"),
        encoding="utf-8",
    )

    report = run(tmp_path)

    assert report.total("fetched") == 3
    assert report.total("new") == 1
    assert report.total("unchanged") == 2
    article = Article.objects.get()
    assert article.url == "https://www.koreadailyus.com/koreatown-market"


def test_a_variant_with_new_text_updates_the_same_article(tmp_path):
    base = "https://www.koreadailyus.com/koreatown-market/"
    (tmp_path / "a.txt").write_text(page(base), encoding="utf-8")
    run(tmp_path)
    first = Article.objects.get()
    (tmp_path / "a.txt").write_text(
        page(base + "?utm_campaign=morning#comments", "Vendors sold out by nine o'clock."),
        encoding="utf-8",
    )

    report = run(tmp_path)

    assert (report.total("new"), report.total("updated")) == (0, 1)
    article = Article.objects.get()
    assert article.id == first.id
    assert article.body == "Vendors sold out by nine o'clock."


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.koreadailyus.com/a/?utm_source=x#frag", "https://www.koreadailyus.com/a"),
        ("https://www.koreadailyus.com/a", "https://www.koreadailyus.com/a"),
        ("https://WWW.KoreaDailyUS.com:443/a/", "https://www.koreadailyus.com/a"),
        ("http://www.koreadailyus.com:80/a/", "http://www.koreadailyus.com/a"),
        (
            "https://www.koreadailyus.com/?p=184277&utm_medium=rss",
            "https://www.koreadailyus.com?p=184277",
        ),
        (
            "https://www.koreadaily.com/article/1?id=5&gclid=abc&ref=home",
            "https://www.koreadaily.com/article/1?id=5",
        ),
        ("  https://www.koreadailyus.com/a#top  ", "https://www.koreadailyus.com/a"),
        ("urn:digest:page:abc", "urn:digest:page:abc"),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical
