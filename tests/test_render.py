"""Rendering: MJML compiled, CSS inlined, responsive and dark-mode rules intact."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from digest.render import (
    EMAIL,
    PREFERENCES_URL,
    UNSUBSCRIBE_URL,
    EditionView,
    ItemView,
    RenderError,
    SectionView,
    compile_mjml,
    personalize,
    render_variant,
    variant_for,
)


def view(language: str = "en") -> EditionView:
    return EditionView(
        list_name="The Korea Daily Morning",
        list_slug="morning-en",
        language=language,
        date=dt.date(2026, 11, 24),
        subject="Port of Long Beach braces for tariff rush + 2 more",
        preheader="Also: Foreign ministers meet · Koreatown seniors",
        sections=(
            SectionView(
                "trade",
                "Trade",
                (
                    ItemView(
                        "Port of Long Beach braces for tariff rush",
                        "Importers are moving parts early. Brokers expect a busy month.",
                        "https://www.koreadailyus.com/port-rush/?a=1&b=2",
                    ),
                ),
            ),
            SectionView(
                "diplomacy",
                "Diplomacy",
                (ItemView("Foreign ministers meet", "They met in Seoul. They talked.", ""),),
            ),
            SectionView(
                "community",
                "Community",
                (
                    ItemView(
                        "Koreatown seniors <share> a meal",
                        "Volunteers served 1,200 meals.",
                        "https://www.koreadailyus.com/seniors/",
                    ),
                ),
            ),
        ),
        site_name="The Korea Daily",
        site_url="https://www.koreadailyus.com",
        postal_address="690 Wilshire Place, Los Angeles, CA 90005",
    )


@pytest.fixture(scope="module")
def rendered():
    return render_variant(view())


def test_compiled_html_keeps_doctype_media_queries_and_important(rendered):
    html = rendered.html
    assert html.startswith("<!DOCTYPE html>")
    assert "@media only screen and (min-width:480px)" in html  # MJML's responsive columns
    dark = re.search(r"@media \(prefers-color-scheme: dark\)\s*\{(.*?)\}\s*\}", html, re.S)
    assert dark and "!important" in dark.group(1)
    assert re.search(r"width:100% !important", html)
    assert re.search(r'<meta (?=[^>]*name="color-scheme")(?=[^>]*content="light dark")', html)


def test_css_is_inlined_and_nothing_is_fetched(rendered):
    # premailer moved the stylesheet's link colour onto the links themselves.
    assert re.search(
        r'<a href="https://www.koreadailyus.com/seniors/"[^>]*style="[^"]*color', rendered.html
    )
    assert "fonts.googleapis.com" not in rendered.html
    assert "<script" not in rendered.html


def test_text_is_escaped_and_preheader_present(rendered):
    assert "Koreatown seniors &lt;share&gt; a meal" in rendered.html
    assert "Koreatown seniors <share> a meal" in rendered.text
    assert "Also: Foreign ministers meet" in rendered.html


def test_placeholders_survive_compilation_and_are_replaced_per_reader(rendered):
    for placeholder in (UNSUBSCRIBE_URL, PREFERENCES_URL, EMAIL):
        assert placeholder in rendered.html and placeholder in rendered.text
    html, text = personalize(
        rendered,
        {
            UNSUBSCRIBE_URL: "https://x.example/unsubscribe/tok-1/",
            PREFERENCES_URL: "https://x.example/preferences/tok-2/",
            EMAIL: "o'brien+news@example.com",
        },
    )
    assert 'href="https://x.example/unsubscribe/tok-1/"' in html
    assert "https://x.example/preferences/tok-2/" in text
    assert "o&#x27;brien+news@example.com" in html and "o'brien+news@example.com" in text
    assert "%%" not in html + text


def test_footer_has_postal_address_reason_and_links(rendered):
    for part in (rendered.html, rendered.text):
        assert "690 Wilshire Place, Los Angeles, CA 90005" in part
        assert "you subscribed to The Korea Daily Morning" in part
        assert "Unsubscribe" in part


def test_a_variant_shows_only_its_sections_and_gets_its_own_subject():
    only = render_variant(view(), ("community",))
    assert "Koreatown seniors" in only.text
    assert "Port of Long Beach" not in only.text and "Port of Long Beach" not in only.html
    assert only.subject == "Koreatown seniors <share> a meal"
    full = render_variant(view())
    assert full.subject == "Port of Long Beach braces for tariff rush + 2 more"


def test_variant_for_keeps_edition_order_and_empty_means_all():
    available = ("trade", "diplomacy", "community", "more")
    assert variant_for((), available) == available
    assert variant_for(("more", "trade"), available) == ("trade", "more")
    assert variant_for(("sports",), available) == ()


def test_korean_edition_uses_korean_labels_and_dates():
    rendered = render_variant(view("ko"))
    assert 'lang="ko"' in rendered.html
    assert "2026년 11월 24일 화요일" in rendered.text
    assert "수신 거부" in rendered.html and "수신 거부" in rendered.text


def test_unknown_mjml_tag_is_a_clear_error():
    with pytest.raises(RenderError, match="MJML"):
        compile_mjml("<mjml><mj-body><mj-nonsense/></mj-body></mjml>")


def test_override_folder_can_extend_the_builtin_template(tmp_path, settings):
    (tmp_path / "digest.mjml").write_text(
        '{% extends "default:digest.mjml" %}'
        "{% block masthead %}<mj-section><mj-column><mj-text>NEWSROOM BRAND</mj-text>"
        "</mj-column></mj-section>{% endblock %}"
    )
    settings.DIGEST_TEMPLATE_DIR = str(tmp_path)
    rendered = render_variant(view())
    assert "NEWSROOM BRAND" in rendered.html
    assert "Port of Long Beach" in rendered.html


def test_ios_keeps_the_layout_and_links_only_what_we_link(rendered):
    # Apple Mail would otherwise scale the email down and turn dates, the postal address and
    # phone numbers into links of its own colour.
    assert re.search(r'<meta name="x-apple-disable-message-reformatting"', rendered.html)
    assert re.search(
        r'<meta (?=[^>]*name="format-detection")(?=[^>]*content="telephone=no, date=no, '
        r"address=no)",
        rendered.html,
    )
