"""A story's lead image, as each kind of source names it, kept on the Article."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import feedparser

from digest.http import Fetched
from digest.sources import images
from digest.sources.html_article import extract_article
from digest.sources.wpjson import read_post

LA = ZoneInfo("America/Los_Angeles")


def test_wordpress_featured_media_with_its_size_and_alt_text():
    post = {
        "id": 7,
        "title": {"rendered": "Port braces for tariff rush"},
        "link": "https://www.koreadailyus.com/port-rush/",
        "date_gmt": "2026-11-24T14:00:00",
        "content": {"rendered": "<p>Importers are moving parts early.</p>"},
        "_embedded": {
            "wp:featuredmedia": [
                {
                    "media_type": "image",
                    "source_url": "https://www.koreadailyus.com/wp-content/uploads/port.jpg",
                    "alt_text": "",
                    "caption": {"rendered": "<p>Containers at Pier T. [Reuters]</p>"},
                    "media_details": {"width": 1200, "height": 800},
                }
            ]
        },
    }
    image = read_post(post, LA).image
    assert image == images.LeadImage(
        "https://www.koreadailyus.com/wp-content/uploads/port.jpg",
        "Containers at Pier T. [Reuters]",
        1200,
        800,
    )


def test_open_graph_image_of_an_article_page():
    page = """<html lang="en"><head><title>Port rush</title>
    <meta property="og:image" content="https://cdn.example.com/port.jpg">
    <meta property="og:image:alt" content="Containers at the port">
    <meta property="og:image:width" content="1600"><meta property="og:image:height" content="900">
    <meta property="article:published_time" content="2026-11-24T06:00:00-08:00">
    </head><body><article><h1>Port rush</h1>
    <p>Importers are moving parts early, brokers said on Monday, ahead of the tariff.</p>
    <p>The port expects its busiest December in a decade as shipments arrive early.</p>
    </article></body></html>"""
    fetched = Fetched("https://news.example.com/port", 200, page.encode(), page, "text/html")
    article = extract_article(fetched, LA, origin="test")
    assert article.image == images.LeadImage(
        "https://cdn.example.com/port.jpg", "Containers at the port", 1600, 900
    )


def test_feed_items_give_media_content_or_an_image_enclosure():
    feed = feedparser.parse(
        """<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
        <channel><title>t</title>
        <item><title>a</title><link>https://x.example/a</link>
          <media:content url="https://x.example/a.jpg" medium="image" width="800" height="450"/>
        </item>
        <item><title>b</title><link>https://x.example/b</link>
          <enclosure url="https://x.example/b.png" type="image/png" length="1234"/>
        </item>
        <item><title>c</title><link>https://x.example/c</link>
          <enclosure url="https://x.example/c.mp3" type="audio/mpeg" length="1"/>
        </item></channel></rss>"""
    )
    found = [images.from_feed_entry(entry) for entry in feed.entries]
    assert found == [
        images.LeadImage("https://x.example/a.jpg", "", 800, 450),
        images.LeadImage("https://x.example/b.png"),
        None,
    ]


def test_only_web_addresses_and_whole_sizes_are_kept():
    assert images.from_meta({"og:image": "data:image/png;base64,AAAA"}) is None
    assert images.from_meta({"og:image": "javascript:alert(1)"}) is None
    assert images.from_meta({"og:image": "https://x/i.jpg", "og:image:width": "800"}) == (
        images.LeadImage("https://x/i.jpg")
    )
    assert images.from_wordpress({"wp:featuredmedia": [{"media_type": "file"}]}) is None


def test_collect_keeps_the_image_on_the_article(db, tmp_path):
    from digest.collect import collect
    from digest.models import Article
    from digest.sources import FolderSource

    post = {
        "id": 9,
        "title": {"rendered": "Koreatown food bank expands hours"},
        "link": "https://www.koreadailyus.com/food-bank/",
        "date_gmt": dt.datetime(2026, 11, 24, 14).isoformat(),
        "content": {"rendered": "<p>Volunteers will open on Sundays from next week.</p>"},
        "_embedded": {
            "wp:featuredmedia": [
                {
                    "source_url": "https://www.koreadailyus.com/food-bank.jpg",
                    "alt_text": "Volunteers sort cans",
                    "media_details": {"width": 1000, "height": 600},
                }
            ]
        },
    }
    (tmp_path / "post.json").write_text(json.dumps(post))
    report = collect([("files", FolderSource(tmp_path), None)])
    assert report.total("problems") == 0, report
    article = Article.objects.get()
    assert (article.image_url, article.image_alt, article.image_width, article.image_height) == (
        "https://www.koreadailyus.com/food-bank.jpg",
        "Volunteers sort cans",
        1000,
        600,
    )
