"""The email as readers see it: headings, the top story, labels that name their story,
Korean sentences, colours that read in light and dark, and the size budget."""

from __future__ import annotations

import dataclasses
import re

import pytest

from digest.budget import BUDGET_BYTES, GMAIL_CLIP_BYTES, sent_size
from digest.colors import contrast, readable_on
from digest.reading import reading_minutes
from digest.render import CARD_DARK, CARD_LIGHT, ItemView, SectionView, render_variant
from digest.utm import with_utm
from tests.test_render import view


def _story(n: int, language: str, **extra) -> ItemView:
    if language == "ko":
        headline = f"한인타운 소상공인 연말 캠페인 {n}차 시동…상인회 “동네 가게 이용해 달라”"
        summary = "한인타운 소상공인들이 연말 대목을 앞두고 동네 가게 이용하기 캠페인을 "
        summary = (summary + "시작했다. ") * 3
    else:
        headline = f"Koreatown merchants launch holiday campaign, part {n}, to keep shoppers local"
        summary = "Koreatown small businesses began a campaign to keep holiday shoppers local. " * 3
    return ItemView(headline, summary.strip(), f"https://example.com/{language}/{n}/", **extra)


def test_headings_make_an_outline_h1_h2_h3():
    html = render_variant(view()).html
    assert re.findall(r"<h1\b[^>]*>\s*The Korea Daily Morning\s*</h1>", html)
    assert re.findall(r"<h2\b[^>]*>([^<]+)</h2>", html) == ["TRADE", "DIPLOMACY", "COMMUNITY"]
    assert len(re.findall(r"<h3\b", html)) == 3


def test_a_logo_stands_in_the_h1_with_the_list_name_as_its_alt_text():
    html = render_variant(dataclasses.replace(view(), logo_url="https://cdn.example/logo.png")).html
    h1 = re.search(r"<h1\b.*?</h1>", html, re.S).group(0)
    assert re.search(
        r'<img (?=[^>]*src="https://cdn.example/logo.png")(?=[^>]*alt="The Korea Daily Morning")',
        h1,
    )
    assert 'width="240"' in h1


def test_each_story_links_its_headline_and_a_read_link_that_names_it():
    html = render_variant(view()).html
    url = "https://www.koreadailyus.com/seniors/"
    links = re.findall(rf'<a [^>]*href="{re.escape(url)}"[^>]*>', html)
    assert len(links) == 2
    assert 'aria-label="Read the story: Koreatown seniors &lt;share&gt; a meal"' in links[1]
    # A story without a link has a headline and no "Read the story".
    assert "Foreign ministers meet" in html
    assert "Read the story: Foreign ministers meet" not in html


def test_bylines_and_reading_time_where_known():
    base = view()
    item = dataclasses.replace(base.sections[0].items[0], byline="Kim Ji-hoon", minutes=3)
    section = dataclasses.replace(base.sections[0], items=(item,))
    rendered = render_variant(dataclasses.replace(base, sections=(section, *base.sections[1:])))
    assert "By Kim Ji-hoon · 3 min read" in rendered.html
    assert "By Kim Ji-hoon · 3 min read" in rendered.text
    assert reading_minutes("word " * 460, "en") == 2
    assert reading_minutes("가" * 1200, "ko") == 3
    assert reading_minutes("", "en") is None


def test_the_top_story_is_larger_with_its_image_linked_not_embedded():
    base = view()
    top = dataclasses.replace(
        base.sections[0].items[0],
        image_url="https://cdn.example/port.jpg",
        image_alt="Containers at the Port of Long Beach",
        image_width=1200,
        image_height=800,
    )
    second = dataclasses.replace(base.sections[2].items[0], image_url="https://cdn.example/x.jpg")
    sections = (
        dataclasses.replace(base.sections[0], items=(top,)),
        base.sections[1],
        dataclasses.replace(base.sections[2], items=(second,)),
    )
    html = render_variant(dataclasses.replace(base, sections=sections)).html
    (img,) = [tag for tag in re.findall(r"<img\b[^>]*>", html)]
    assert 'src="https://cdn.example/port.jpg"' in img and 'alt="Containers at the Port' in img
    assert 'width="552"' in img and 'height="368"' in img
    assert "cid:" not in html and "x.jpg" not in html
    assert re.search(r"<h3 [^>]*font-size:26px", html)


def test_editors_note_is_shown_escaped():
    html = render_variant(dataclasses.replace(view(), editors_note="Good <b>morning</b>, LA.")).html
    assert "From the editor".upper() in html
    assert "Good &lt;b&gt;morning&lt;/b&gt;, LA." in html


def test_readers_of_some_sections_hear_what_else_the_edition_holds():
    only = render_variant(view(), ("community",))
    assert re.search(r"Also in today's edition: .*Trade.*\|.*Diplomacy", only.html, re.S)
    assert "Also in today's edition: Trade | Diplomacy" in only.text
    assert "https://www.koreadailyus.com/archive/morning-en/2026-11-24/" in only.text
    assert "Also in today" not in render_variant(view()).html


def test_forwarded_readers_can_subscribe_and_the_other_language_is_a_link_away():
    other = "https://www.koreadailyus.com/archive/morning-ko/2026-11-24/"
    rendered = render_variant(
        dataclasses.replace(view(), other_edition_url=other, other_edition_language="ko")
    )
    assert "Forwarded this?" in rendered.html
    assert 'href="https://www.koreadailyus.com/subscribe/morning-en/"' in rendered.html
    link = rf'<a (?=[^>]*href="{re.escape(other)}")(?=[^>]*lang="ko")[^>]*>한국어판 보기</a>'
    assert re.search(link, rendered.html)
    assert f"한국어판 보기: {other}" in rendered.text


def test_korean_footer_chooses_its_particle_and_names_the_site_in_korean():
    korean = dataclasses.replace(
        view("ko"),
        list_name="코리아데일리 아침 브리핑",
        publisher_name="코리아데일리",
        sections=tuple(
            dataclasses.replace(s, name=n)
            for s, n in zip(view().sections, ("통상·경제", "외교·안보", "한인 사회"), strict=True)
        ),
    )
    rendered = render_variant(korean)
    for part in (rendered.html, rendered.text):
        assert "코리아데일리 아침 브리핑을 구독하셔서" in part
        assert "을(를)" not in part and "The Korea Daily" not in part
    assert re.search(r"통상·경제</span><span[^>]*>\s*\|\s*</span>", rendered.html)
    other = dataclasses.replace(korean, list_name="한인 뉴스", publisher_name="미주중앙일보")
    assert "미주중앙일보의 한인 뉴스를 구독하셔서" in render_variant(other).text


def test_the_preheader_is_hidden_without_a_low_contrast_colour():
    html = render_variant(view()).html
    hidden = re.search(r'<div class="preheader" style="([^"]*)">Also: Foreign', html)
    assert hidden and "display:none" in hidden.group(1)
    assert "color" not in hidden.group(1) and "font-size" not in hidden.group(1)


def test_section_colours_read_in_light_and_dark():
    for accent in ("#b3261e", "#1f5f99", "#1e7a46", "#6b4fa0", "#ffee00", "#222222"):
        section = SectionView("trade", "Trade", (), accent)
        assert contrast(section.light, CARD_LIGHT) >= 4.5
        assert contrast(section.dark, CARD_DARK) >= 4.5
    html = render_variant(view()).html
    dark = re.search(r"@media \(prefers-color-scheme: dark\)\s*\{(.*?)\}\s*\}", html, re.S).group(1)
    assert re.search(r"body[^{]*\{\s*background-color: #121212 !important", dark)
    assert re.search(r"\.accent-trade h2[^{]*\{\s*color: #[0-9a-f]{6} !important", dark)


def test_contrast_is_measured_as_wcag_says():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert readable_on("#777777", "#ffffff") != "#777777"
    assert readable_on("#0b4f8a", "#ffffff") == "#0b4f8a"


def test_utm_tags_are_added_once_and_only_utm():
    url = "https://example.com/story/?p=12&utm_source=site"
    tagged = with_utm(url, "utm_source=newsletter&utm_medium=email&next=https://evil.example")
    assert tagged == "https://example.com/story/?p=12&utm_source=site&utm_medium=email"
    assert with_utm("https://example.com/a", "") == "https://example.com/a"
    assert with_utm("", "utm_medium=email") == ""


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_30_story_edition_stays_within_gmails_budget(language):
    base = view(language)
    per = 30 // len(base.sections)
    sections = tuple(
        dataclasses.replace(
            s, items=tuple(_story(n + i * per, language, minutes=2) for n in range(per))
        )
        for i, s in enumerate(base.sections)
    )
    big = dataclasses.replace(base, sections=sections)
    rendered = render_variant(big)
    assert sent_size(rendered.html) <= BUDGET_BYTES < GMAIL_CLIP_BYTES
    kept = rendered.html.count("<h3")
    assert kept + rendered.omitted == 30
    if rendered.omitted:
        note = "more stories on the web edition" if language == "en" else "더 보기"
        assert note in rendered.html and note in rendered.text
        assert re.search(
            rf'<a (?=[^>]*id="more-stories")(?=[^>]*data-count="{rendered.omitted}")', rendered.html
        )
        # The masthead still names every section of the edition.
        label = "오늘의 주요 뉴스" if language == "ko" else "In this issue"
        masthead = re.search(rf"{label}: (.*?)</div>", rendered.html, re.S).group(1)
        assert all(name in masthead for name in ("Trade", "Diplomacy", "Community"))
    # The footer (unsubscribe) is always inside what Gmail shows.
    assert "%%UNSUBSCRIBE_URL%%" in rendered.html
    web = render_variant(big, web=True)
    assert web.omitted == 0 and web.html.count("<h3") == 30


@pytest.mark.django_db
def test_the_other_language_link_leads_to_its_edition_once_it_exists(demo, settings):
    from digest.compose import compose, edition_view
    from digest.demo import DEMO_DAY
    from subscribers.models import MailingList

    settings.SITE_URL = "https://news.example.com"
    english = compose(MailingList.objects.get(slug="morning-en"), DEMO_DAY).edition
    assert edition_view(english).other_edition_url == "https://news.example.com/archive/morning-ko/"
    korean = compose(MailingList.objects.get(slug="morning-ko"), DEMO_DAY).edition
    view = edition_view(english)
    assert view.other_edition_url == "https://news.example.com/archive/morning-ko/2026-11-24/"
    assert view.other_edition_language == "ko"
    assert edition_view(korean).other_edition_url.endswith("/archive/morning-en/2026-11-24/")
