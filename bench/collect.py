"""What collecting from the web costs: 1,000 articles from a local server, and where time goes.

``python -m bench.collect`` builds a throwaway SQLite database, starts the tests' local web
server (``digest/testing/local_web.py``, 127.0.0.1) serving generated content, and collects:

- 400 articles from four RSS feeds with full text (``content:encoded``), 100 items each;
- 300 from a WordPress API, three pages of 100 posts with ``_embed``;
- 300 HTML article pages (a ``page`` source with a list of addresses), through trafilatura.

Every article is distinct (bodies drawn from a seeded vocabulary), so each is classified,
summarized and stored. The run's wall time on the main thread is split into:

- ``extraction``: feedparser, the feed item and post readers, trafilatura on the pages;
- ``summarize``: the lead sentences of each article (``digest.summarize.explain``: furniture
  rules, pysbd);
- ``storage``: dedupe lookups, classification and the database writes;
- ``fetching``: the rest, i.e. waiting for the server (page fetches run two at a time).

Figures print as ``BENCH <name> <value> <unit>``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

FEEDS = 4
FEED_ITEMS = 100
WP_POSTS = 300
PAGES = 300
DAY = dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.UTC)

WORDS = (
    "tariff",
    "council",
    "Koreatown",
    "market",
    "tenants",
    "shipyard",
    "consulate",
    "festival",
    "library",
    "school",
    "church",
    "vendor",
    "mayor",
    "senator",
    "minister",
    "export",
    "import",
    "steel",
    "car",
    "semiconductor",
    "union",
    "election",
    "budget",
    "housing",
    "rent",
    "freeway",
    "transit",
    "clinic",
    "seniors",
    "youth",
    "scholarship",
    "bank",
    "restaurant",
    "chef",
    "theater",
    "film",
    "drama",
    "music",
    "league",
    "team",
    "coach",
    "season",
    "storm",
    "rain",
    "heat",
    "water",
    "power",
    "grid",
    "police",
    "court",
    "judge",
    "jury",
    "ruling",
    "appeal",
    "contract",
    "fund",
    "grant",
    "permit",
)


def report(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.3f} {unit}", flush=True)


def body(rnd: random.Random, n: int) -> list[str]:
    paragraphs = []
    for _ in range(5):
        sentences = []
        for _ in range(3):
            words = [rnd.choice(WORDS) for _ in range(rnd.randint(12, 20))]
            sentences.append(" ".join(words).capitalize() + f" {n}.")
        paragraphs.append(" ".join(sentences))
    return paragraphs


def feed_xml(base: str, feed: int, rnd: random.Random) -> bytes:
    items = []
    for i in range(FEED_ITEMS):
        n = feed * FEED_ITEMS + i
        when = (DAY - dt.timedelta(minutes=n)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        html = "".join(f"<p>{p}</p>" for p in body(rnd, n))
        items.append(
            f"<item><title>Feed story {n} on {rnd.choice(WORDS)}</title>"
            f"<link>{base}/bench/feed{feed}/story-{n}/</link>"
            f"<guid isPermaLink='false'>{base}/?p={100000 + n}</guid>"
            f"<pubDate>{when}</pubDate><category>Community</category>"
            f"<content:encoded><![CDATA[{html}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Bench feed {feed}</title><link>{base}/</link><description>b</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def wp_posts(rnd: random.Random) -> list[dict]:
    posts = []
    for i in range(WP_POSTS):
        n = 10000 + i
        when = (DAY - dt.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S")
        posts.append(
            {
                "id": n,
                "date_gmt": when,
                "guid": {"rendered": f"{{base}}/wp/?p={n}"},
                "link": f"{{base}}/wp/2026/11/24/post-{n}/",
                "title": {"rendered": f"WordPress story {n} on {rnd.choice(WORDS)}"},
                "content": {"rendered": "".join(f"<p>{p}</p>\n" for p in body(rnd, n))},
                "_embedded": {
                    "author": [{"name": "Bench Writer"}],
                    "wp:term": [[{"taxonomy": "category", "name": "Business"}]],
                },
            }
        )
    return posts


def page_html(n: int, rnd: random.Random) -> bytes:
    when = (DAY - dt.timedelta(minutes=n % 1000)).isoformat()
    paragraphs = "".join(f"<p>{p}</p>" for p in body(rnd, n))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Page story {n} | Bench News</title>"
        f'<meta property="article:published_time" content="{when}">'
        f'<meta name="author" content="Page Writer"></head><body>'
        f'<nav><a href="/">Home</a> <a href="/local">Local</a></nav>'
        f"<article><h1>Page story {n}</h1>{paragraphs}</article>"
        f"<aside>Most read: a | b | c</aside><footer>(c) Bench News</footer></body></html>"
    ).encode()


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="digest-bench-collect-")
    os.environ.update(
        DIGEST_HOME=workdir,
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        DJANGO_SETTINGS_MODULE="digest.settings",
    )
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        run()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from digest import collect as collect_module
    from digest.http import HttpClient
    from digest.models import Article, Source
    from digest.sources import article_pages, feed, wordpress
    from digest.testing.local_web import LocalWeb

    rnd = random.Random(20261124)
    timers = {"extraction": 0.0, "storage": 0.0, "summarize": 0.0}

    def timed(stage, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                timers[stage] += time.perf_counter() - start

        return wrapper

    feed.feedparser.parse = timed("extraction", feed.feedparser.parse)
    feed.FeedSource._entry = timed("extraction", feed.FeedSource._entry)
    article_pages.extract_article = timed("extraction", article_pages.extract_article)
    wordpress.read_post = timed("extraction", wordpress.read_post)
    collect_module.store = timed("storage", collect_module.store)
    collect_module.summarize.explain = timed("summarize", collect_module.summarize.explain)

    with LocalWeb() as web, HttpClient(attempts=1) as client:
        for f in range(FEEDS):
            xml = feed_xml(web.base, f, rnd)
            web.routes[f"/bench/feed{f}.xml"] = lambda request, xml=xml: (
                200,
                {"Content-Type": "application/rss+xml; charset=utf-8"},
                xml,
            )
        web.wp_posts = wp_posts(rnd)
        urls = []
        for n in range(PAGES):
            html = page_html(20000 + n, rnd)
            web.routes[f"/bench/pages/{n}.html"] = lambda request, html=html: (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                html,
            )
            urls.append(web.url(f"/bench/pages/{n}.html"))
        rows = [
            Source.objects.create(
                name=f"feed {f}", kind="feed", location=web.url(f"/bench/feed{f}.xml")
            )
            for f in range(FEEDS)
        ]
        rows.append(Source.objects.create(name="wp", kind="wordpress", location=web.url("/wp")))
        rows.append(
            Source.objects.create(
                name="pages", kind="page", location=web.url("/bench/"), options={"urls": urls}
            )
        )
        readers = [
            (r.name, collect_module.open_source(r, "America/Los_Angeles", client), r) for r in rows
        ]
        since = DAY - dt.timedelta(days=1)
        start = time.perf_counter()
        result = collect_module.collect(readers, since=since)
        elapsed = time.perf_counter() - start

    stored = Article.objects.count()
    problems = result.total("problems")
    if stored != FEEDS * FEED_ITEMS + WP_POSTS + PAGES or problems:
        raise SystemExit(f"bench collected {stored} articles with {problems} problems: {result}")
    fetching = max(0.0, elapsed - timers["extraction"] - timers["storage"])
    storage = timers["storage"] - timers["summarize"]
    report("collect_articles_per_s", stored / elapsed, "/s")
    report("collect_seconds_1000", elapsed, "s")
    report("collect_share_fetching", fetching / elapsed, "ratio")
    report("collect_share_extraction", timers["extraction"] / elapsed, "ratio")
    report("collect_share_summarize", timers["summarize"] / elapsed, "ratio")
    report("collect_share_storage", storage / elapsed, "ratio")


if __name__ == "__main__":
    main()
