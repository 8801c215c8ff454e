"""Collecting from the web: feeds, the WordPress API and pages, served by a local server.

Every test runs against ``digest/testing/local_web.py`` on 127.0.0.1 and asserts what is
stored and what the run summary says. The day is Tuesday 2026-11-24 in Los Angeles.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from digest.canonical import canonical_url
from digest.collect import collect, open_source
from digest.compose import day_window
from digest.http import HttpClient
from digest.models import Article, CategoryMapping, Section, Source
from digest.pipeline import AllSourcesFailed, collect_configured
from digest.sources import FeedSource, FetchProblem, PageSource, RawArticle, WordPressSource

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 24)
SINCE = day_window(DAY, "America/Los_Angeles")[0]
NOW = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)  # the next morning, 22:00 in LA
DIGEST = Path(sys.executable).with_name("digest")


@pytest.fixture
def client():
    with HttpClient(timeout=0.5, attempts=2, backoff=0) as c:
        yield c


def row(kind: str, location: str, name: str = "", **extra) -> Source:
    return Source.objects.create(name=name or location, kind=kind, location=location, **extra)


def run(web, client, *sources: Source):
    readers = [(s.name, open_source(s, "America/Los_Angeles", client), s) for s in sources]
    return collect(readers, since=SINCE, now=NOW)


def articles() -> dict[str, Article]:
    return {a.title: a for a in Article.objects.all()}


# --- feeds ------------------------------------------------------------------------------------


def test_site_rss_with_full_content_is_stored_as_text(web, client):
    source = row("feed", web.url("/site/feed.xml"), "site feed")
    report = run(web, client, source)

    (sr,) = report.sources
    assert (sr.fetched, sr.new, sr.updated, sr.duplicates, sr.errors) == (2, 2, 0, 0, 0)
    stored = articles()
    tenants = stored["Koreatown tenants win rent freeze at Normandie Avenue building"]
    assert tenants.url == web.url("/site/2026/11/24/koreatown-tenants-rent-freeze")
    assert tenants.guid == canonical_url(web.url("/site/?p=48211"))
    assert tenants.byline == "Grace Lim"
    assert tenants.published_at == dt.datetime(2026, 11, 24, 16, 20, tzinfo=dt.UTC)
    assert tenants.date_source == "article"
    assert tenants.language == "en"
    assert tenants.categories == ["Community"]
    assert tenants.body.split("\n\n") == [
        "Tenants of a 64-unit apartment building on Normandie Avenue in Koreatown won a "
        "one-year rent freeze on Monday after three months of negotiations with the new owner.",
        "The agreement, signed at the Koreatown Immigrant Workers Alliance office, also commits "
        "the owner to repair the building\u2019s two elevators by March.",
        "\u201cWe did not want to move out of the neighborhood where we raised our children,"
        "\u201d said tenant organizer Kim Jung-hee, 67.",
    ]
    for furniture in ("trackRead", "Advertisement", "lobby", "<"):
        assert furniture not in tenants.body
    korean = stored["LA 한인 소상공인 연말 지원금 신청 접수 시작"]
    assert korean.language == "ko" and korean.byline == "박소연"
    assert korean.body.count("\n\n") == 2


def test_feed_conditional_get_stores_validators_and_sends_them_back(web, client):
    source = row("feed", web.url("/site/feed.xml"))
    run(web, client, source)
    source.refresh_from_db()
    assert source.etag.startswith('"')
    assert source.last_modified == "Tue, 24 Nov 2026 15:00:00 GMT"

    before = len(web.hits("/site/feed.xml"))
    again = run(web, client, source)

    last = web.hits("/site/feed.xml")[before]
    assert last["headers"]["if-none-match"] == source.etag
    assert last["headers"]["if-modified-since"] == source.last_modified
    assert last["headers"]["user-agent"].startswith("digest/")
    (sr,) = again.sources
    assert (sr.fetched, sr.errors, sr.failed) == (0, 0, False)  # 304: quiet, not failed


def test_teaser_feed_fetches_each_article_page(web, client):
    source = row("feed", web.url("/partner/teaser.xml"), "partner teaser")
    report = run(web, client, source)

    (sr,) = report.sources
    assert (sr.fetched, sr.new, sr.errors) == (2, 2, 1)
    assert str(sr.problems[0]) == (
        f"{web.url('/partner/articles/gone.html')}: the article page: HTTP 404 Not Found"
    )
    memorial = articles()["Orange County council backs Korean War memorial expansion"]
    assert memorial.url == web.url("/partner/articles/memorial.html")
    assert memorial.byline == "Michael Reyes"
    assert memorial.body.split("\n\n") == [
        "The Fullerton City Council voted 4-1 on Monday to expand the Korean War memorial at "
        "Hillcrest Park, adding the names of 312 Orange County residents who served in the war.",
        "Veterans groups raised $180,000 for the expansion, and the city will pay for new "
        "lighting and a walkway, council members said.",
        "Construction is expected to start in February and finish before the 76th anniversary "
        "of the armistice in July.",
        "Councilmember Jane Oh, whose father served in the war, called the vote \u201ca promise "
        "kept to families who waited decades.\u201d",
    ]
    for furniture in ("Trending", "dataLayer", "showAd", "Most read", "Privacy", "steal"):
        assert furniture not in memorial.body
    # The page could not be fetched: the feed's teaser stands in for it.
    teaser = articles()["Garden Grove opens Korean-language voter help line"]
    assert teaser.body == "Garden Grove opened a Korean-language help line for voters on Tuesday."


def test_atom_feed_with_and_without_content_and_an_euc_kr_page(web, client):
    source = row("feed", web.url("/partner/atom.xml"))
    report = run(web, client, source)

    assert (report.sources[0].new, report.sources[0].errors) == (2, 0)
    fund = articles()["Seoul and Washington agree on $15 billion shipbuilding fund"]
    assert fund.url == web.url("/partner/nation/shipbuilding-fund")
    assert fund.published_at == dt.datetime(2026, 11, 24, 17, 0, tzinfo=dt.UTC)
    assert fund.categories == ["Nation"]
    drive = articles()["LA 한인회, 연말 불우이웃 돕기 모금 시작"]
    assert drive.language == "ko"
    assert drive.byline == "이지훈"
    assert drive.body.startswith("LA 한인회가 24일 연말 불우이웃 돕기 모금 운동을 시작했다.")
    assert "\ufffd" not in drive.body and "기자" not in drive.body
    assert drive.published_at == dt.datetime(2026, 11, 24, 21, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("path", "title", "date_source"),
    [
        ("/partner/rss091.xml", "Café owners on Western Avenue form merchants group", "fetched"),
        ("/partner/rdf.xml", "Pio Pico library extends weekend hours", "article"),
    ],
)
def test_rss_091_and_10_feeds_are_read(web, client, path, title, date_source):
    report = run(web, client, row("feed", web.url(path)))
    assert report.sources[0].new == 1
    assert articles()[title].date_source == date_source


def test_future_dated_undated_and_old_items(web, client):
    report = run(web, client, row("feed", web.url("/partner/dates.xml")))

    (sr,) = report.sources
    assert (sr.fetched, sr.new, sr.errors) == (3, 3, 0)  # last month's item is outside
    stored = {a.url.rsplit("/", 1)[-1]: a for a in Article.objects.all()}
    assert set(stored) == {"toy-drive", "from-the-future", "undated"}
    assert stored["toy-drive"].date_source == "article"
    for name in ("from-the-future", "undated"):
        assert stored[name].date_source == "fetched"
        assert stored[name].published_at == NOW


def test_malformed_feed_is_one_error_naming_the_feed(web, client):
    report = run(web, client, row("feed", web.url("/partner/broken.xml"), "broken"))
    (sr,) = report.sources
    assert sr.failed and sr.fetched == 0
    assert sr.problems[0].origin == web.url("/partner/broken.xml")
    assert "not a readable RSS or Atom feed" in sr.problems[0].message


# --- WordPress -------------------------------------------------------------------------------


def test_wordpress_api_pages_through_the_window(web, client):
    section = Section.objects.get(key="diplomacy")
    CategoryMapping.objects.create(category="Korea-US Relations", section=section)
    source = row("wordpress", web.url("/site"), "site api")
    before = len(web.hits("/site/wp-json/wp/v2/posts"))
    report = collect(
        [("site api", WordPressSource(web.url("/site"), client=client, now=NOW), source)],
        since=SINCE,
        now=NOW,
    )

    (sr,) = report.sources
    assert (sr.fetched, sr.new, sr.errors) == (3, 3, 0)  # the week-old post is dropped
    calls = web.hits("/site/wp-json/wp/v2/posts")[before:]
    assert [c["query"]["page"] for c in calls] == [["1"], ["2"]]
    assert calls[0]["query"]["per_page"] == ["100"]
    assert calls[0]["query"]["_embed"] == ["1"]
    assert calls[0]["query"]["after"] == ["2026-11-24T08:00:00Z"]
    assert calls[0]["query"]["before"] == ["2026-11-25T06:00:00Z"]
    stored = articles()
    consulate = stored["Korean consulate adds Saturday passport hours in December"]
    assert consulate.section.key == "diplomacy"  # through the admin's category mapping
    assert consulate.guid == canonical_url(web.url("/site/?p=48170"))
    ports = stored["Korean auto imports through Port of LA fall 12% after new tariff"]
    assert ports.categories == ["Business & Trade"]
    assert ports.byline == "Daniel Cho"


def test_site_feed_and_api_give_one_article_per_post(web, client):
    feed = row("feed", web.url("/site/feed.xml"), "site feed")
    api = row("wordpress", web.url("/site"), "site api")
    first = run(web, client, feed, api)
    again = run(web, client, feed, api)

    assert Article.objects.count() == 4  # 2 in the feed + 3 from the API, one shared
    assert first.sources[1].duplicates == 1
    for sr in again.sources:
        assert sr.new == sr.updated == 0


# --- pages -----------------------------------------------------------------------------------


def test_section_front_finds_article_links_once_each(web, client):
    source = row("page", web.url("/partner/front.html"), "partner front")
    report = run(web, client, source)
    (sr,) = report.sources
    assert (sr.fetched, sr.new, sr.errors) == (2, 2, 0)
    assert {a.language for a in Article.objects.all()} == {"en", "ko"}


def test_page_list_in_options_reports_each_bad_address(web, client):
    urls = [web.url("/partner/articles/memorial.html"), web.url("/error-500"), web.url("/huge")]
    source = row("page", web.url("/partner/"), "pages", options={"urls": urls})
    report = run(web, client, source)
    (sr,) = report.sources
    assert (sr.fetched, sr.new, sr.errors) == (1, 1, 2)
    assert [p.origin for p in sr.problems] == urls[1:]
    assert sr.problems[0].message == "server error 500 after 2 tries"
    assert sr.problems[1].message.startswith("response larger than 5 MB")


# --- dedupe ----------------------------------------------------------------------------------


def test_same_wire_story_on_two_sites_is_one_article_newest_kept(web, client):
    partner = row("feed", web.url("/partner/atom.xml"), "partner")
    wire = row("feed", web.url("/wire/feed.xml"), "wire")
    report = run(web, client, partner, wire)

    assert report.sources[1].duplicates == 1
    (fund,) = Article.objects.filter(body__contains="$15 billion fund")
    # The wire's version (18:45 UTC) is newer than the partner's (17:00 UTC).
    assert fund.title == "Seoul, Washington agree on $15 billion fund for US shipyards"
    assert fund.url == web.url("/wire/2026/11/24/shipyards-fund")
    again = run(web, client, partner, wire)
    assert [s.new for s in again.sources] == [0, 0]
    assert Article.objects.filter(body__contains="$15 billion fund").count() == 1


def test_edition_items_follow_the_newest_version(web, client, tmp_path):
    from digest.models import Edition, EditionItem
    from subscribers.models import MailingList

    partner = row("feed", web.url("/partner/atom.xml"), "partner")
    run(web, client, partner)
    old = Article.objects.get(url=web.url("/partner/nation/shipbuilding-fund"))
    lst = MailingList.objects.create(slug="t", name="t", language="en")
    edition = Edition.objects.create(mailing_list=lst, date=DAY, subject="s")
    item = EditionItem.objects.create(
        edition=edition, article=old, section=old.section, position=1, headline="h", summary="s"
    )
    run(web, client, row("feed", web.url("/wire/feed.xml"), "wire"))
    item.refresh_from_db()
    assert item.article.title.startswith("Seoul, Washington agree")


def test_wordpress_p_link_and_slug_link_are_one_article():
    from digest.collect import section_rules, store

    sections = {s.key: s for s in Section.objects.all()}
    rules = section_rules()
    when = dt.datetime(2026, 11, 24, 18, tzinfo=dt.UTC)
    body = "Koreatown's library adds a Korean story hour on Saturdays for young families."
    slug = RawArticle(
        url="https://www.koreadailyus.com/library-story-hour/",
        title="Library adds story hour",
        body=body,
        language="en",
        published_at=when,
        guid="https://www.koreadailyus.com/?p=777",
    )
    by_p = RawArticle(
        url="https://www.koreadailyus.com/?p=777&utm_source=share",
        title="Library adds story hour",
        body=body,
        language="en",
        published_at=when,
    )
    assert store(slug, rules, sections) == "new"
    assert store(by_p, rules, sections) == "duplicates"
    assert Article.objects.count() == 1


# --- the run summary and failures ------------------------------------------------------------


def test_failing_sources_never_stop_the_others_and_each_error_is_named(web, client):
    sources = [
        row("feed", web.url("/error-500"), "down"),
        row("feed", web.url("/slow"), "slow"),
        row("feed", web.url("/loop-a"), "loop"),
        row("feed", web.url("/site/feed.xml"), "site"),
    ]
    report = run(web, client, *sources)

    assert [s.errors for s in report.sources] == [1, 1, 1, 0]
    assert report.sources[3].new == 2
    assert not report.all_failed
    lines = report.lines()
    assert lines[0] == "down: fetched 0, new 0, updated 0, unchanged 0, duplicates 0, errors 1"
    assert lines[1] == f"  error: {web.url('/error-500')}: server error 500 after 2 tries"
    assert lines[3] == f"  error: {web.url('/slow')}: timed out after 2 tries"
    assert "too many redirects" in lines[5]
    down = Source.objects.get(name="down")
    assert down.last_error == f"{web.url('/error-500')}: server error 500 after 2 tries"


def test_a_source_that_raises_is_an_error_not_a_crash(web, client):
    class Broken:
        def fetch(self, since=None):
            raise RuntimeError("the parser fell over")
            yield  # pragma: no cover

    report = collect([("broken", Broken(), None)], since=SINCE, now=NOW)
    assert report.all_failed
    assert str(report.sources[0].problems[0]) == "broken: RuntimeError: the parser fell over"


def test_every_source_failing_composes_nothing(web, settings):
    row("feed", web.url("/error-500"), "down")
    row("wordpress", web.url("/missing-site"), "gone")
    from digest.models import Edition
    from digest.pipeline import run_list
    from subscribers.models import MailingList

    lst = MailingList.objects.create(slug="t", name="t", language="en")
    with pytest.raises(AllSourcesFailed) as caught:
        run_list(lst, DAY, sender=None)
    assert "EVERY SOURCE FAILED (2)" in str(caught.value)
    assert Edition.objects.count() == 0


def test_the_scheduler_collects_by_the_same_rule_as_digest_run(web, settings):
    """One daily-job path: the scheduler's compose time collects the list's window through
    pipeline.collect_for, so every source failing composes nothing there too (it used to
    compose yesterday's news, with no window and the report thrown away)."""
    import datetime as dt

    from digest import schedule
    from digest.models import Edition
    from subscribers.models import MailingList

    row("feed", web.url("/error-500"), "down")
    lst = MailingList.objects.create(slug="t", name="t", language="en")
    at = dt.datetime.combine(DAY, lst.compose_time, tzinfo=dt.UTC) + dt.timedelta(days=1)
    told = []
    done = schedule.tick(lst, at, notify=lambda *args: told.append(args))
    assert done.startswith("not composed: EVERY SOURCE FAILED (1)")
    assert Edition.objects.count() == 0


def test_collect_configured_uses_every_enabled_source(web):
    row("feed", web.url("/site/feed.xml"), "site")
    row("feed", web.url("/error-500"), "off", enabled=False)
    report = collect_configured(since=SINCE)
    assert [s.name for s in report.sources] == ["site"]


# --- the CLI ---------------------------------------------------------------------------------


def test_sources_commands_add_list_test_remove(web, cli):
    added = cli("sources", "add", "feed", web.url("/site/feed.xml"), "--name", "Site feed")
    assert "added" in added.stdout
    listed = cli("sources", "list")
    assert "Site feed" in listed.stdout and "feed" in listed.stdout

    tried = cli("sources", "test", web.url("/partner/atom.xml"))
    out = tried.stdout
    assert "Seoul and Washington agree on $15 billion shipbuilding fund" in out
    assert "2026-11-24 09:00 PST" in out
    assert "language: ko" in out
    assert "South Korea and the United States agreed" in out
    assert "nothing stored" in out

    page = cli("sources", "test", web.url("/partner/articles/donation-drive.euc-kr.html")).stdout
    assert "read as page" in page
    assert "LA 한인회, 연말 불우이웃 돕기 모금 시작" in page
    assert "byline: 이지훈" in page and "1 article(s), 0 problem(s)" in page

    cli("sources", "remove", "Site feed")
    assert "Site feed" not in cli("sources", "list").stdout
    missing = cli("sources", "remove", "nope", check=False)
    assert missing.returncode == 1 and "no source" in missing.stderr


def test_collect_command_fails_loudly_when_every_source_fails(web, cli):
    cli("sources", "add", "feed", web.url("/error-500"), "--name", "down")
    result = cli("collect", check=False)
    assert result.returncode == 1
    assert "EVERY SOURCE FAILED (1)" in result.stderr
    assert "server error 500" in result.stdout

    cli(
        "shell",
        "-c",
        "from subscribers.models import MailingList as M; "
        "M.objects.create(slug='t', name='t', language='en')",
    )
    run = cli("run", "--list", "t", "--date", "2026-11-24", check=False)
    assert run.returncode == 1
    assert "EVERY SOURCE FAILED (1)" in run.stderr and "no edition was composed" in run.stderr


def test_canonical_forms_used_by_the_tests():
    assert canonical_url("http://127.0.0.1:8000/a/?utm_source=x#c") == "http://127.0.0.1:8000/a"
    assert isinstance(FetchProblem("a", "b"), FetchProblem)
    assert FeedSource and PageSource
