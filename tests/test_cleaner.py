"""The saved-page cleaner and the WordPress post reader: only the story survives."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.sources import FetchProblem, FolderSource, RawArticle
from digest.sources.saved_page_cleaner import SavedPageError, clean_page
from digest.sources.wpjson import PostError, read_post

LA = ZoneInfo("America/Los_Angeles")
PAGES = Path(__file__).parent / "fixtures" / "pages"
PAGE_NAMES = sorted(p.stem for p in PAGES.glob("*.txt"))


def expected(name: str) -> dict:
    return json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))


def page_text(name: str) -> str:
    return (PAGES / f"{name}.txt").read_text(encoding="utf-8")


GOOD_PAGES = [n for n in PAGE_NAMES if "error" not in expected(n)]
ERROR_PAGES = [n for n in PAGE_NAMES if "error" in expected(n)]

HEADER = (
    "URL: https://www.koreadailyus.com/test-story/\n"
    "61.0 F\n"
    "Los Angeles\n"
    "Tuesday, November 24, 2026\n\n"
    "Koreatown market draws holiday crowds\n\n"
)
LEAD = "A holiday market in Koreatown drew large crowds on Monday, organizers said Tuesday."
SECOND = "Vendors sold tteokbokki, hotteok and grilled skewers until late in the evening."
THIRD = "The market will be open every weekend through Dec. 27, and admission is free."


def clean(body: str):
    return clean_page(HEADER + body, LA)


def test_every_fixture_page_is_covered():
    # A fixture pair that is silently skipped tests nothing.
    assert len(GOOD_PAGES) >= 8
    assert set(ERROR_PAGES) == {"empty", "no_headline"}
    for name in PAGE_NAMES:
        assert (PAGES / f"{name}.expected.json").is_file()


# --- the fixture pages ------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOOD_PAGES)
def test_fixture_page_is_cleaned_as_expected(name):
    want = expected(name)
    page = clean_page(page_text(name), LA)

    assert page.headline == want["headline"]
    assert page.byline == (want["byline"] or "")
    assert page.published_at.tzinfo is not None
    assert page.published_at.astimezone(LA).date().isoformat() == want["date"]
    assert page.date_source == want["date_source"]
    assert page.language == want["language"]
    assert list(page.paragraphs) == want["body_paragraphs"]
    assert page.body == "\n\n".join(want["body_paragraphs"])

    everything = "\n".join([page.headline, page.byline, page.body])
    for furniture in want["must_not_contain"]:
        assert furniture not in everything, furniture


@pytest.mark.parametrize("name", GOOD_PAGES)
def test_fixture_page_read_from_a_folder_keeps_its_address(name):
    text = page_text(name)
    url = text.splitlines()[0].removeprefix("URL:").strip()
    (item,) = FolderSource(PAGES).read_file(PAGES / f"{name}.txt")

    assert isinstance(item, RawArticle)
    assert item.url == url
    assert item.title == expected(name)["headline"]
    assert item.body == "\n\n".join(expected(name)["body_paragraphs"])
    assert item.byline == (expected(name)["byline"] or "")
    assert item.date_source == expected(name)["date_source"]
    assert item.origin == str(PAGES / f"{name}.txt")


@pytest.mark.parametrize("name", ERROR_PAGES)
def test_fixture_error_page_raises_naming_the_reason(name):
    reason = expected(name)["error"]
    with pytest.raises(SavedPageError) as caught:
        clean_page(page_text(name), LA)
    assert reason in str(caught.value)


@pytest.mark.parametrize("name", ERROR_PAGES)
def test_fixture_error_page_read_from_a_folder_is_a_problem(name):
    path = PAGES / f"{name}.txt"
    items = list(FolderSource(PAGES).read_file(path))

    assert len(items) == 1
    (problem,) = items
    assert isinstance(problem, FetchProblem)
    assert problem.origin == str(path)
    assert expected(name)["error"] in problem.message
    assert str(path) in str(problem)


def test_empty_file_is_reported_before_the_cleaner_runs(tmp_path, monkeypatch):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n\t\n", encoding="utf-8")

    def must_not_run(*args, **kwargs):
        raise AssertionError("the cleaner ran on an empty file")

    monkeypatch.setattr("digest.sources.files.clean_pages", must_not_run)
    (problem,) = FolderSource(tmp_path).read_file(path)
    assert problem == FetchProblem(str(path), "empty file")


def test_cleaner_itself_rejects_empty_text():
    for text in ("", "\n\n", "\ufeff \n\u00a0\n"):
        with pytest.raises(SavedPageError, match="empty"):
            clean_page(text, LA)


# --- the WordPress post ---------------------------------------------------------------------


def test_wordpress_fixture_post_is_read_as_expected():
    post = json.loads((PAGES / "wp_post.json").read_text(encoding="utf-8"))
    want = json.loads((PAGES / "wp_post.expected.json").read_text(encoding="utf-8"))

    raw = read_post(post, LA, origin="wp_post.json")

    assert raw.title == want["headline"]
    assert "&#" not in raw.title
    assert raw.byline == want["byline"]
    assert raw.categories == tuple(want["categories"])
    assert "Holidays" not in raw.categories  # a tag, not a category
    date_gmt = dt.datetime.fromisoformat(post["date_gmt"]).replace(tzinfo=dt.UTC)
    assert raw.published_at == date_gmt
    assert raw.published_at == dt.datetime.fromisoformat(
        want["published_at_utc"].replace("Z", "+00:00")
    )
    assert raw.published_at.utcoffset() == dt.timedelta(0)
    assert raw.published_at.astimezone(LA).date().isoformat() == want["date"]
    assert raw.body.split("\n\n") == want["body_paragraphs"]
    assert "Visitors browse food stalls" not in raw.body  # the figcaption
    assert "Advertisement" not in raw.body
    assert raw.url == post["link"]
    assert raw.language == "en"
    assert raw.date_source == "article"
    assert raw.origin == "wp_post.json"


def test_wordpress_post_without_date_gmt_uses_local_date():
    post = json.loads((PAGES / "wp_post.json").read_text(encoding="utf-8"))
    del post["date_gmt"]
    raw = read_post(post, LA)
    assert raw.published_at == dt.datetime(2026, 11, 25, 2, 45, tzinfo=dt.UTC)


def wp_post(**changes) -> dict:
    post = json.loads((PAGES / "wp_post.json").read_text(encoding="utf-8"))
    post.update(changes)
    return post


@pytest.mark.parametrize(
    ("content", "paragraphs"),
    [
        # Text outside any <p> is story text too (a post saved without the block editor).
        ("Loose lead sentence.\n\n<p>Second.</p>", ["Loose lead sentence.", "Second."]),
        ("<p>First.</p>\nText after the paragraph.", ["First.", "Text after the paragraph."]),
        # An inline run at the top level stays one paragraph, tail included.
        ("<strong>LOS ANGELES</strong> — The lead goes on.", ["LOS ANGELES — The lead goes on."]),
        # A line break separates words.
        ("<p>Sixth Street<br>Koreatown</p>", ["Sixth Street Koreatown"]),
        (
            "<p>Before.</p><figure><img src='x.jpg'><figcaption>A caption</figcaption></figure>"
            "<p class='ad-label'>- Advertisement -</p><div>Inside a div.</div>",
            ["Before.", "Inside a div."],
        ),
        ("<blockquote>Said: <p>Quoted.</p>Tail.</blockquote>", ["Said:", "Quoted.", "Tail."]),
    ],
)
def test_wordpress_content_keeps_all_story_text(content, paragraphs):
    raw = read_post(wp_post(content={"rendered": content}), LA)
    assert raw.body.split("\n\n") == paragraphs


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"title": {"rendered": "  "}}, "no title"),
        ({"title": None}, "no title"),
        ({"link": "", "guid": {}}, "no link"),
        ({"date_gmt": "yesterday", "date": None}, "no usable date"),
        (
            {"content": {"rendered": "<figure><figcaption>Only a photo</figcaption></figure>"}},
            "no content",
        ),
    ],
)
def test_unusable_wordpress_post_names_the_field(changes, reason):
    with pytest.raises(PostError, match=reason):
        read_post(wp_post(**changes), LA)


def test_wordpress_post_with_odd_embedded_author_has_no_byline():
    raw = read_post(wp_post(_embedded={"author": ["not an object"]}), LA)
    assert raw.byline == ""
    assert raw.categories == ()


# --- focused cases ----------------------------------------------------------------------------


def test_near_identical_caption_pair_is_dropped():
    caption = "Shoppers walk between food stalls at the Koreatown holiday market on Monday"
    # The repeat differs (a final period), so it is not exactly equal, and neither line
    # ends in a [CREDIT]: only the near-identical rule can drop the pair.
    repeat = caption + "."
    assert caption != repeat
    page = clean(f"{caption}\n{repeat}\n\n{LEAD}\n\n{SECOND}\n\n{THIRD}")

    assert list(page.paragraphs) == [LEAD, SECOND, THIRD]
    assert "Shoppers walk" not in page.body


def test_distinct_neighbouring_paragraphs_are_both_kept():
    page = clean(f"{LEAD}\n{SECOND}\n\n{THIRD}")
    assert list(page.paragraphs) == [LEAD, SECOND, THIRD]


@pytest.mark.parametrize("where", ["middle", "end"])
def test_sentence_starting_by_noon_is_not_a_byline(where):
    noon = "By noon, the line of shoppers stretched around the block."
    parts = [LEAD, noon, SECOND, THIRD] if where == "middle" else [LEAD, SECOND, THIRD, noon]
    page = clean("\n\n".join(parts))

    assert page.byline == ""
    assert list(page.paragraphs) == parts


def test_all_caps_byline_is_name_cased_and_removed():
    page = clean(
        f"{LEAD}\n\n{SECOND}\n\n{THIRD}\n\n"
        "BY KANG TAE-HWA [kang.taehwa@koreadailyus.com]\n- Advertisement -\n"
    )
    assert page.byline == "Kang Tae-hwa"
    assert list(page.paragraphs) == [LEAD, SECOND, THIRD]
    assert "KANG" not in page.body


@pytest.mark.parametrize("joiner", ["AND", "and"])
def test_all_caps_byline_with_two_names(joiner):
    page = clean(f"{LEAD}\n\n{SECOND}\n\nBY KANG TAE-HWA {joiner} LEE JI-EUN\n")
    assert page.byline == "Kang Tae-hwa and Lee Ji-eun"
    assert list(page.paragraphs) == [LEAD, SECOND]


def test_mixed_case_byline_is_kept_as_printed():
    page = clean(f"{LEAD}\n\n{SECOND}\n\nBy Daniel McKay\n")
    assert page.byline == "Daniel McKay"


def test_opening_byline_after_must_read_keeps_the_story():
    # A short story whose byline sits at the top, after page furniture: the byline opens
    # the story, so what follows it is the story, not an author box to drop.
    page = clean(f"Must read\n\nBy Daniel Cho\n\n{LEAD}\n\n{SECOND}\n\n{THIRD}")
    assert page.byline == "Daniel Cho"
    assert list(page.paragraphs) == [LEAD, SECOND, THIRD]


def test_closing_korean_reporter_line_is_the_byline():
    page = clean_page(
        "URL: https://www.koreadaily.com/article/1\nTuesday, November 24, 2026\n\n"
        "한인타운 추수감사절 무료 급식 행사 열려\n\n"
        "한인타운에서 24일 추수감사절 무료 급식 행사가 열렸다.\n\n"
        "자원봉사자 100여 명이 참여했다.\n\n"
        "김상진 기자 kim.sangjin@koreadaily.com\n#한인타운\n",
        LA,
    )
    assert page.byline == "김상진"
    assert page.language == "ko"
    assert list(page.paragraphs) == [
        "한인타운에서 24일 추수감사절 무료 급식 행사가 열렸다.",
        "자원봉사자 100여 명이 참여했다.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"URL: https://www.koreadailyus.com/undated/\n\nAn undated story\n\n{LEAD}\n\n{SECOND}\n",
        f"61.0 F\nLos Angeles\n\nAn undated story\n\n{LEAD}\n\n{SECOND}\n",
        f"An undated story\n\n{LEAD}\n\n{SECOND}\n",
    ],
    ids=["url-only", "weather-without-date", "bare"],
)
def test_page_without_any_date_line_raises_no_date(text):
    with pytest.raises(SavedPageError, match="no date") as caught:
        clean_page(text, LA)
    assert "An undated story" in str(caught.value)


@pytest.mark.parametrize(
    "line",
    [
        "Published: November 23, 2026 6:05 PM",
        "Published: Nov. 23, 2026 6:05 p.m.",  # AP style, as the English edition prints it
        "Updated: Nov. 23, 2026, 6:05 p.m. PT",
        "Nov. 24, 2026 11:05 a.m. (KST)",  # Seoul time: 6:05 p.m. the day before in LA
        "2026.11.23. 18:05",
        "2026년 11월 23일 오후 6:05",
        "입력 2026-11-23 18:05",
    ],
)
def test_article_date_line_wins_over_the_widget_date(line):
    page = clean(f"{line}\n\n{LEAD}\n\n{SECOND}")
    assert page.date_source == "article"
    assert page.published_at == dt.datetime(2026, 11, 24, 2, 5, tzinfo=dt.UTC)
    assert list(page.paragraphs) == [LEAD, SECOND]


def test_korean_morning_twelve_is_just_after_midnight():
    page = clean(f"2026년 11월 24일 오전 12:30\n\n{LEAD}")
    assert page.published_at == dt.datetime(2026, 11, 24, 0, 30, tzinfo=LA)


def test_abbreviated_widget_date_is_read():
    page = clean_page(
        f"61.0 F\nLos Angeles\nTuesday, Nov. 24, 2026\n\nHeadline here\n\n{LEAD}\n", LA
    )
    assert page.headline == "Headline here"
    assert page.date_source == "widget"
    assert page.published_at == dt.datetime(2026, 11, 24, 12, tzinfo=LA)


def test_widget_date_is_placed_at_local_noon():
    page = clean(f"{LEAD}\n\n{SECOND}")
    assert page.date_source == "widget"
    assert page.published_at == dt.datetime(2026, 11, 24, 12, tzinfo=LA)


def test_page_without_address_gets_a_stable_stand_in():
    text = f"Tuesday, November 24, 2026\n\nNo address here\n\n{LEAD}\n"
    first, again = clean_page(text, LA), clean_page(text, LA)
    assert first.url.startswith("urn:digest:page:")
    assert first.url == again.url
    other = clean_page(text.replace("No address", "Another headline"), LA)
    assert other.url != first.url


KOREAN_PAGE = (
    "URL: https://www.koreadaily.com/article/202611241299999\n"
    "15.6 C\n"
    "Los Angeles\n"
    "Tuesday, November 24, 2026\n\n"
    "한인타운 소상공인 연말 할인 행사 시작\n\n"
    "한인타운 상가들이 24일부터 연말 할인 행사를 시작했다.\n\n"
    "상인회는 손님들이 지역 가게를 많이 찾아주기를 바란다고 밝혔다.\n\n"
    "최민호 기자\n"
)


def test_cp949_korean_file_is_decoded(tmp_path):
    raw = KOREAN_PAGE.encode("cp949")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the test really exercises the CP949 fallback
    (tmp_path / "ko_windows.txt").write_bytes(raw)

    (item,) = FolderSource(tmp_path).fetch()

    assert isinstance(item, RawArticle), item
    assert item.title == "한인타운 소상공인 연말 할인 행사 시작"
    assert item.language == "ko"
    assert item.byline == "최민호"
    assert item.url == "https://www.koreadaily.com/article/202611241299999"
    assert item.body.split("\n\n") == [
        "한인타운 상가들이 24일부터 연말 할인 행사를 시작했다.",
        "상인회는 손님들이 지역 가게를 많이 찾아주기를 바란다고 밝혔다.",
    ]


def test_utf8_bom_file_is_read_with_its_address(tmp_path):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + KOREAN_PAGE.encode("utf-8"))

    (item,) = FolderSource(tmp_path).fetch()

    assert isinstance(item, RawArticle), item
    # A BOM left in place would hide the URL line (and turn it into the headline).
    assert item.url == "https://www.koreadaily.com/article/202611241299999"
    assert item.title == "한인타운 소상공인 연말 할인 행사 시작"
    assert "\ufeff" not in item.title + item.body


def test_bom_in_text_given_to_the_cleaner_is_ignored():
    page = clean_page("\ufeff" + KOREAN_PAGE, LA)
    assert page.url == "https://www.koreadaily.com/article/202611241299999"
    assert page.headline == "한인타운 소상공인 연말 할인 행사 시작"


def test_bytes_neither_utf8_nor_cp949_are_a_problem(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(b"\xff\xfe\xfa\xfb" * 10)
    (problem,) = FolderSource(tmp_path).fetch()
    assert isinstance(problem, FetchProblem)
    assert problem.origin == str(path)
    assert "not UTF-8 or CP949" in problem.message


def test_missing_folder_is_one_problem(tmp_path):
    (problem,) = FolderSource(tmp_path / "nowhere").fetch()
    assert isinstance(problem, FetchProblem)
    assert "no such folder" in problem.message


# --- layouts seen in the wild ---------------------------------------------------------------

LISTINGS = PAGES / "listings"


def test_listing_page_is_split_into_one_article_per_story(tmp_path):
    items = list(FolderSource(LISTINGS).read_file(LISTINGS / "korean_listing.txt"))

    assert [i.title for i in items] == [
        "LA 한인타운 노숙인 쉼터 새로 문 열어",
        "오렌지카운티 한인 학생 장학금 신청 접수",
        "한인 은행 3분기 순이익 증가",
    ]
    assert all(isinstance(i, RawArticle) and i.language == "ko" for i in items)
    assert [i.published_at.astimezone(LA).strftime("%m-%d %H:%M") for i in items] == [
        "11-24 10:15",
        "11-24 08:40",
        "11-23 17:05",
    ]
    assert {i.date_source for i in items} == {"article"}
    assert items[0].body.split("\n\n") == [
        "LA 한인타운에 노숙인 임시 쉼터가 24일 새로 문을 열었다.",
        "쉼터는 최대 60명을 수용할 수 있다.",
        "시 관계자는 겨울철 한파에 대비해 운영 시간을 늘릴 계획이라고 밝혔다.",
    ]
    assert items[1].byline == "이지현" and "기자" not in items[1].body
    assert items[2].body == "남가주 한인 은행들의 3분기 순이익이 지난해보다 평균 8% 늘었다."
    # The listing's address is not any story's: each gets a stable stand-in of its own.
    assert len({i.url for i in items}) == 3
    assert all(i.url.startswith("urn:digest:page:") for i in items)
    for item in items:
        assert "많이 본 뉴스" not in item.body and "#" not in item.body


def test_one_dated_story_is_not_a_listing():
    page = clean(f"2026.11.24. 09:30\n\n{LEAD}\n\n{SECOND}\n")
    assert page.paragraphs == (LEAD, SECOND)


@pytest.mark.parametrize(
    ("glued", "paragraphs"),
    [
        ("He said Monday.The ministry agreed.", ["He said Monday.", "The ministry agreed."]),
        (
            "Prices rose 3.5 percent.Analysts expected it.",
            ["Prices rose 3.5 percent.", "Analysts expected it."],
        ),
        ("Troops left the U.S.Army base.", ["Troops left the U.S.Army base."]),
        ("Mr.Kim spoke first.", ["Mr.Kim spoke first."]),
        (
            "행사는 31일까지 열린다.한편 주최 측은 말했다.",
            ["행사는 31일까지 열린다.", "한편 주최 측은 말했다."],
        ),
        ("Visit koreadaily.com for more.", ["Visit koreadaily.com for more."]),
    ],
)
def test_paragraphs_glued_at_a_full_stop_are_split(glued, paragraphs):
    assert list(clean(f"{glued}\n\n{LEAD}\n").paragraphs) == [*paragraphs, LEAD]


def test_alt_text_before_its_caption_with_a_credit_is_dropped():
    alt = "Vendors serve tteokbokki at the Koreatown holiday market on Monday"
    page = clean(f"{alt}\n{alt}. [Korea Daily]\n\n{LEAD}\n\n{SECOND}\n")
    assert page.paragraphs == (LEAD, SECOND)


@pytest.mark.parametrize(
    "banner",
    [
        "Breaking News: Freeway closures this weekend",
        "Trending: Dodgers parade | Holiday markets | Rain returns",
        "Support independent journalism. Donate today.",
        "Donate now",
        "중앙일보를 후원해 주세요",
        "많이 본 뉴스",
    ],
)
def test_site_wide_tickers_and_donation_banners_are_dropped(banner):
    page = clean(f"{banner}\n\n{LEAD}\n\n{SECOND}\n\n{banner}\n")
    assert page.paragraphs == (LEAD, SECOND)


def test_a_story_about_donations_is_kept():
    line = "The church collected donations for 300 families on Sunday, its pastor said."
    assert clean(f"{LEAD}\n\n{line}\n").paragraphs == (LEAD, line)


# --- properties: never crash, never lose the body -------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from digest.sources.saved_page_cleaner import clean_pages  # noqa: E402

_SENTENCES = [
    LEAD,
    SECOND,
    THIRD,
    "한인타운의 시니어 아파트를 찾아가는 무료 건강검진 프로그램이 24일 시작됐다.",
    "단체 측은 내년 3월까지 프로그램을 넓힐 계획이라고 밝혔다.",
    "Officials said the fund would be announced before the APEC summit in Gyeongju.",
]
_FURNITURE = [
    "- Advertisement -",
    "Must read",
    "Trending: A | B | C",
    "Donate now",
    "#한인타운 #노인복지",
    "Photo of the market [Korea Daily]",
    "",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_cleaner_never_crashes_on_any_text(text):
    try:
        pages = clean_pages(text, LA)
    except SavedPageError:
        return
    for page in pages:
        assert page.headline and page.paragraphs
        assert page.published_at.tzinfo is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=6, unique=True),
    st.lists(st.sampled_from(_FURNITURE), max_size=6),
    st.sampled_from(
        ["", "2026.11.24. 10:15", "Published: November 23, 2026 6:05 PM", " date 2025-10-23"]
    ),
    st.sampled_from(["", "BY KANG TAE-HWA [kang.taehwa@koreadaily.com]", "박소연 기자"]),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_cleaner_never_loses_the_body(story, furniture, date_line, byline, at_end, rnd):
    """Furniture anywhere, a date line under the headline, a byline opening or closing the
    story: every sentence of the story survives."""
    lines = list(story)
    for extra in furniture:
        lines.insert(rnd.randint(0, len(lines)), extra)
    if byline:
        lines.insert(len(lines) if at_end else 0, byline)
    pages = clean_pages(HEADER + date_line + "\n" + "\n\n".join(lines), LA)
    kept = "\n".join(p for page in pages for p in page.paragraphs)
    for sentence in story:
        assert sentence in kept


# --- furniture by kind, on every source kind ---------------------------------------------------

# One line of each kind of furniture, as saved pages and posts print them (invented text).
FURNITURE_LINES = [
    "Your gift today is matched dollar for dollar, so please support independent journalism.",
    "Become a member for $5 a month and get unlimited access to every story.",
    "Sign up for our free morning newsletter and get the day's top stories in your inbox.",
    "Download the Korea Daily app on the App Store or Google Play for breaking news alerts.",
    "중앙일보 앱을 다운로드하시면 속보 알림을 받을 수 있습니다.",
    "Good morning, and welcome to the Morning Briefing from the Korea Daily.",
    "안녕하세요, 중앙일보 모닝 브리핑입니다.",
    "This translation captures the tone of the original Korean article. Let me know if you'd "
    "like a more literal version.",
    "이 기사는 AI 번역을 거쳐 작성됐습니다.",
    "See the news of your region",
    "ⓒ 중앙일보 무단 전재 및 재배포 금지",
    "A worker checks battery cells at a plant in Georgia on Monday. (Photo: Yonhap)",
    "24일 부산항 신선대부두에 컨테이너가 쌓여 있다. 사진=연합뉴스",
    "The logo of Hanul Energy",
    "kim.jihoon@example.com",
    "(Yonhap)",
]


@pytest.mark.parametrize("line", FURNITURE_LINES)
def test_furniture_line_is_dropped_from_a_saved_page(line):
    page = clean(f"{LEAD}\n\n{line}\n\n{SECOND}\n\n{THIRD}\n\n{line}\n")
    assert page.paragraphs == (LEAD, SECOND, THIRD)


@pytest.mark.parametrize("line", FURNITURE_LINES)
def test_furniture_paragraph_is_dropped_from_a_wordpress_post(line):
    content = f"<p>{LEAD}</p><p>{line}</p><p>{SECOND}</p>"
    raw = read_post(wp_post(content={"rendered": content}), LA)
    assert raw.body.split("\n\n") == [LEAD, SECOND]


def test_credit_glued_to_the_last_sentence_is_cut_and_the_sentence_kept():
    last = "Exports of chips reached $14.2 billion."
    page = clean(f"{LEAD}\n\n{last}Yonhap\n")
    assert page.paragraphs == (LEAD, last)
    raw = read_post(wp_post(content={"rendered": f"<p>{LEAD}</p><p>{last}Yonhap</p>"}), LA)
    assert raw.body.split("\n\n") == [LEAD, last]


def test_reporter_line_run_into_the_last_paragraph_is_cut():
    page = clean_page(
        "Tuesday, November 24, 2026\n\n한인타운 추수감사절 무료 급식 행사 열려\n\n"
        "한인타운에서 24일 추수감사절 무료 급식 행사가 열렸다.\n\n"
        "자원봉사자 100여 명이 참여했다. 김상진 기자 kim.sangjin@example.com\n",
        LA,
    )
    assert page.paragraphs[-1] == "자원봉사자 100여 명이 참여했다."


@pytest.mark.parametrize(
    ("glued", "paragraphs"),
    [
        # A straight quote after the stop closes the quoted sentence: it stays with it.
        ('그는 "관세가 오른다."며 우려했다.', ['그는 "관세가 오른다."며 우려했다.']),
        (
            '그는 이렇게 말했다."미국은 관세를 올린다."',
            ["그는 이렇게 말했다.", '"미국은 관세를 올린다."'],
        ),
    ],
)
def test_korean_glued_split_keeps_a_straight_quote_with_its_sentence(glued, paragraphs):
    assert list(clean(f"{glued}\n\n{LEAD}\n").paragraphs) == [*paragraphs, LEAD]


# --- saved pages as people save them -----------------------------------------------------------


def test_page_without_a_date_line_is_dated_by_its_file(tmp_path):
    path = tmp_path / "undated.txt"
    path.write_text(f"An undated story\n\n{LEAD}\n\n{SECOND}\n", encoding="utf-8")
    saved = dt.datetime(2026, 11, 24, 16, 40, tzinfo=dt.UTC)
    os.utime(path, (saved.timestamp(), saved.timestamp()))

    (item,) = FolderSource(tmp_path).read_file(path)

    assert isinstance(item, RawArticle), item
    assert item.title == "An undated story"
    assert item.published_at == saved
    assert item.date_source == "file"
    assert item.body.split("\n\n") == [LEAD, SECOND]


def test_a_date_on_the_page_wins_over_the_file_time():
    saved = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    page = clean_page(HEADER + f"{LEAD}\n", LA, saved_at=saved)
    assert page.date_source == "widget"
    assert page.published_at == dt.datetime(2026, 11, 24, 12, tzinfo=LA)


@pytest.mark.parametrize(
    "chrome",
    [
        "Korea JoongAng Daily\nFrom\n-\n",
        "koreadailyus.com\n",
        "The Korea Daily\nBy Daniel Cho\n",
        "Support independent journalism. Donate today.\nBreaking News: Freeway closures\n",
        "중앙일보\n홈\n",
        "-\nTuesday\n",
        "The Korea Daily\nOpinion\n",
        "서부한인일보\n화요일\n",
    ],
)
def test_headline_is_found_past_page_chrome(chrome):
    page = clean_page(f"{chrome}Tuesday, November 24, 2026\n\nThe headline\n\n{LEAD}\n", LA)
    assert page.headline == "The headline"
    assert page.paragraphs == (LEAD,)


def test_byline_above_the_headline_is_the_byline():
    page = clean_page(
        f"By Daniel Cho\nThe headline\n\n{LEAD}\n", LA, saved_at=dt.datetime.now(dt.UTC)
    )
    assert (page.headline, page.byline) == ("The headline", "Daniel Cho")


def test_page_title_saved_with_the_site_name_loses_it():
    titled = clean_page(
        f"Tuesday, November 24, 2026\nCity opens a winter shelter | Korea JoongAng Daily\n\n{LEAD}",
        LA,
    )
    assert titled.headline == "City opens a winter shelter"


def test_one_line_page_is_split_into_headline_and_body():
    saved = dt.datetime(2026, 11, 24, 18, tzinfo=dt.UTC)
    line = f"Tuesday, November 24, 2026 Holiday market opens in Koreatown. {LEAD} {SECOND}"
    page = clean_page(line, LA, saved_at=saved)
    assert page.headline == "Holiday market opens in Koreatown"
    assert page.paragraphs == (f"{LEAD} {SECOND}",)
    assert page.date_source == "widget"


def test_one_line_page_without_a_sentence_boundary_has_no_body():
    with pytest.raises(SavedPageError, match="no article text"):
        clean_page("Holiday market opens in Koreatown", LA, saved_at=dt.datetime.now(dt.UTC))


def test_one_line_page_under_its_address_line_is_split_too():
    text = (
        "URL: https://www.koreadailyus.com/holiday-market/\n"
        f"61.0 F Los Angeles Tuesday, November 24, 2026 Holiday market opens in Koreatown. {LEAD}"
    )
    page = clean_page(text, LA)
    assert page.url == "https://www.koreadailyus.com/holiday-market/"
    assert (page.headline, page.paragraphs) == ("Holiday market opens in Koreatown", (LEAD,))
    assert page.published_at == dt.datetime(2026, 11, 24, 12, tzinfo=LA)


def test_a_weekday_date_inside_a_story_line_is_story():
    line = "On Tuesday, November 24, 2026 the market opened its doors to the public."
    page = clean(f"{line}\n")
    assert page.paragraphs == (line,)


def test_headline_printed_again_as_the_first_line_is_dropped():
    page = clean(f"Koreatown market draws holiday crowds.\n\n{LEAD}\n\n{SECOND}\n")
    assert page.paragraphs == (LEAD, SECOND)


def test_lead_saved_in_place_of_the_headline_loses_its_dateline():
    page = clean_page(
        f"Tuesday, November 24, 2026\n\nLOS ANGELES — {LEAD}\n\n{SECOND}\n\n{THIRD}\n", LA
    )
    assert page.headline == LEAD
    assert page.paragraphs == (SECOND, THIRD)


def test_furniture_is_dropped_from_an_html_article_page():
    from digest.http import Fetched
    from digest.sources.html_article import extract_article

    story = [
        "City officials opened a new winter shelter in Koreatown on Monday with room for 80 "
        "people, the first of three planned before the end of the year.",
        "The shelter will stay open through March, and volunteers will serve two hot meals a "
        "day, a spokesperson for the city's housing department said.",
        "Officials said the second shelter, in Mid-Wilshire, would open in January, and that "
        "the city was still looking for a site for the third.",
    ]
    furniture = [
        "Sign up for our free morning newsletter and get the day's top stories in your inbox.",
        "Your gift today is matched dollar for dollar, so please support independent journalism.",
        "This translation captures the tone of the Korean original. Let me know if you'd like "
        "a more literal version.",
        "Copyright © 2026 The Korea Daily. All rights reserved.",
    ]
    paragraphs = [story[0], furniture[0], story[1], furniture[1], story[2], *furniture[2:]]
    html = (
        "<html lang='en'><head><title>Koreatown shelter opens</title>"
        "<meta property='article:published_time' content='2026-11-24T09:00:00-08:00'></head>"
        "<body><article><h1>Koreatown shelter opens</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    page = Fetched("https://news.example.com/shelter", 200, html.encode(), html, "text/html")
    raw = extract_article(page, LA)
    assert isinstance(raw, RawArticle), raw
    assert raw.body.split("\n\n") == story


def test_korean_name_after_by_above_the_headline_is_the_byline():
    page = clean_page(
        "Tuesday, November 24, 2026\n서부한인일보\nBy 최민호\n\n"
        "한인타운 소상공인 연말 할인 행사 시작\n\n"
        "한인타운 상가들이 24일부터 연말 할인 행사를 시작했다.\n",
        LA,
    )
    assert (page.headline, page.byline) == ("한인타운 소상공인 연말 할인 행사 시작", "최민호")


def test_a_bracketed_label_stays_in_the_headline():
    page = clean_page(
        f"Tuesday, November 24, 2026\n\n[사설] 이웃의 겨울을 함께 나자\n\n{LEAD}\n", LA
    )
    assert page.headline == "[사설] 이웃의 겨울을 함께 나자"


@pytest.mark.parametrize(
    ("line", "headline", "lead"),
    [
        (
            "Koreatown seniors get free flu shots at community clinic Seniors in Koreatown "
            "lined up for free flu shots on Monday at a community clinic on Vermont Avenue.",
            "Koreatown seniors get free flu shots at community clinic",
            "Seniors in Koreatown lined up for free flu shots on Monday at a community clinic "
            "on Vermont Avenue.",
        ),
        (
            "한인 노인 독감 예방접종 무료 실시 한인 노인들이 23일 버몬트 애비뉴의 커뮤니티 "
            "클리닉에서 무료 독감 예방접종을 받았다.",
            "한인 노인 독감 예방접종 무료 실시",
            "한인 노인들이 23일 버몬트 애비뉴의 커뮤니티 클리닉에서 무료 독감 예방접종을 받았다.",
        ),
    ],
)
def test_one_line_page_headline_ends_where_its_lead_begins(line, headline, lead):
    page = clean_page(line, LA, saved_at=dt.datetime(2026, 11, 24, tzinfo=dt.UTC))
    assert page.headline == headline
    assert page.paragraphs == (lead,)
