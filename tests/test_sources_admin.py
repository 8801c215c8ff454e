"""Sources and the category mapping in the admin: editors configure collection there."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone

from digest.collect import section_rules
from digest.models import Article, CategoryMapping, Section, Source

pytestmark = pytest.mark.django_db


def test_source_pages_open_and_explain_each_kind(admin_client):
    source = Source.objects.create(
        name="Site feed",
        kind="feed",
        location="https://www.koreadailyus.com/feed/",
        etag='"abc"',
        last_error="https://www.koreadailyus.com/feed/: server error 503 after 3 tries",
    )
    listing = admin_client.get("/admin/digest/source/")
    assert listing.status_code == 200 and "Site feed" in listing.content.decode()
    page = admin_client.get(f"/admin/digest/source/{source.id}/change/").content.decode()
    for words in ("full_text", "max_pages", "urls", "server error 503"):
        assert words in page


def test_forgetting_validators_makes_the_next_fetch_a_full_one(admin_client):
    source = Source.objects.create(
        name="f", kind="feed", location="https://x.example/feed", etag='"1"', last_modified="x"
    )
    admin_client.post(
        "/admin/digest/source/",
        {"action": "forget_validators", ACTION_CHECKBOX_NAME: [source.id]},
    )
    source.refresh_from_db()
    assert (source.etag, source.last_modified) == ("", "")


def test_category_mapping_is_edited_in_the_admin_and_used_by_classification(admin_client):
    trade = Section.objects.get(key="trade")
    response = admin_client.post(
        "/admin/digest/categorymapping/add/", {"category": "Business & Trade", "section": trade.id}
    )
    assert response.status_code == 302
    assert CategoryMapping.objects.get().section == trade
    assert admin_client.get("/admin/digest/categorymapping/").status_code == 200
    rules = {rule.key: rule for rule in section_rules()}
    assert "Business & Trade" in rules["trade"].category_hints


def _section_form(section: Section, keywords: str) -> dict:
    return {
        "key": section.key,
        "name_en": section.name_en,
        "name_ko": section.name_ko,
        "position": section.position,
        "max_items": section.max_items,
        "keywords": keywords,
        "category_hints": json.dumps(section.category_hints),
    }


def test_section_keywords_take_words_and_weights_and_refuse_anything_else(admin_client):
    trade = Section.objects.get(key="trade")
    url = f"/admin/digest/section/{trade.id}/change/"
    page = admin_client.get(url).content.decode()
    assert '["word", weight]' in page  # the help text shows the form

    refused = admin_client.post(url, _section_form(trade, '["tariff", ["steel", "heavy"]]'))
    assert refused.status_code == 200
    assert "entry 2: &#x27;steel&#x27;: the weight must be a number" in refused.content.decode()
    trade.refresh_from_db()
    assert ["tariff", 2] in trade.keywords  # unchanged

    saved = admin_client.post(url, _section_form(trade, '["tariff", ["steel", 1.5], "관세"]'))
    assert saved.status_code == 302
    trade.refresh_from_db()
    assert trade.keywords == ["tariff", ["steel", 1.5], "관세"]
    [rule] = [rule for rule in section_rules() if rule.key == "trade"]
    assert [(k.word, k.weight) for k in rule.keywords] == [
        ("tariff", 1.0),
        ("steel", 1.5),
        ("관세", 1.0),
    ]


def test_articles_show_an_uncertain_section_and_its_runner_up(admin_client):
    trade, diplomacy = Section.objects.get(key="trade"), Section.objects.get(key="diplomacy")
    Article.objects.create(
        url="https://news.example.com/a",
        title="Consulate and tariff desk",
        published_at=timezone.now(),
        language="en",
        body="...",
        content_hash="x",
        section=trade,
        section_runner_up=diplomacy,
        section_thin_margin=True,
    )
    page = admin_client.get("/admin/digest/article/").content.decode()
    assert "section uncertain" in page.lower() and "runner-up section" in page.lower()
    assert "Diplomacy" in page
    flagged = admin_client.get("/admin/digest/article/?section_thin_margin__exact=1")
    assert "Consulate and tariff desk" in flagged.content.decode()
    clear = admin_client.get("/admin/digest/article/?section_thin_margin__exact=0")
    assert "Consulate and tariff desk" not in clear.content.decode()
