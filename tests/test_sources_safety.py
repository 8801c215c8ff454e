"""Article text is text; HTML kept for an email passes the allow-list; windows are DST-true."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.sources.safety import plain, safe_html

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ("<style>p{color:red}</style><p>Hi</p>", "<p>Hi</p>"),
        ('<iframe src="https://evil.example"></iframe><p>Hi</p>', "<p>Hi</p>"),
        ('<p onclick="steal()" onmouseover="x()">Hi</p>', "<p>Hi</p>"),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<a rel="noopener noreferrer nofollow">x</a>',
        ),
        (
            '<a href="https://www.koreadailyus.com/a" target="_blank">x</a>',
            '<a href="https://www.koreadailyus.com/a" rel="noopener noreferrer nofollow">x</a>',
        ),
        ("<img src=x onerror=alert(1)><b>한인</b>", "<b>한인</b>"),
        ("<!-- tracking --><em>ok</em>", "<em>ok</em>"),
    ],
)
def test_allow_list_keeps_only_harmless_markup(dirty, clean):
    assert safe_html(dirty) == clean


def test_plain_text_loses_control_characters():
    assert plain("Kor\u200bea\x07town\ufeff") == "Koreatown"


def test_feed_markup_in_a_body_is_stored_as_text():
    from digest.collect import section_rules, store
    from digest.models import Article, Section
    from digest.sources.wpjson import html_paragraphs

    paragraphs = html_paragraphs(
        '<p>Council votes <a href="javascript:x()">today</a>.</p><script>alert(1)</script>'
        '<iframe src="x"></iframe><p onclick="y()">Second &lt;b&gt;para&lt;/b&gt;.</p>'
    )
    assert paragraphs == ["Council votes today.", "Second <b>para</b>."]
    from digest.sources import RawArticle

    raw = RawArticle(
        url="https://x.example/a",
        title="<script>alert(1)</script> Council",
        body="\n\n".join(paragraphs),
        language="en",
        published_at=dt.datetime(2026, 11, 24, 18, tzinfo=dt.UTC),
    )
    store(raw, section_rules(), {s.key: s for s in Section.objects.all()})
    article = Article.objects.get()
    # Stored as text: the email's templates escape it; nothing here is ever marked safe.
    assert article.body == "Council votes today.\n\nSecond <b>para</b>."


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (dt.date(2026, 11, 1), dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC)),  # 25-hour day
        (dt.date(2026, 11, 2), dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC)),
        (dt.date(2026, 3, 8), dt.datetime(2026, 3, 8, 8, tzinfo=dt.UTC)),  # 23-hour day
        (dt.date(2026, 3, 9), dt.datetime(2026, 3, 9, 7, tzinfo=dt.UTC)),
    ],
)
def test_collection_window_starts_at_local_midnight_across_dst(day, start):
    from digest.pipeline import collection_start
    from subscribers.models import MailingList

    lst = MailingList.objects.create(slug="w", name="w", language="en")
    assert collection_start(lst, day) == start


def test_collection_window_reaches_back_to_the_last_edition():
    from digest.models import Edition
    from digest.pipeline import collection_start
    from subscribers.models import MailingList

    lst = MailingList.objects.create(slug="w", name="w", language="en")
    last = dt.datetime(2026, 11, 20, 14, tzinfo=dt.UTC)
    Edition.objects.create(
        mailing_list=lst, date=dt.date(2026, 11, 20), subject="s", created_at=last
    )
    assert collection_start(lst, dt.date(2026, 11, 24)) == last
