"""Sources and the category mapping in the admin: editors configure collection there."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from digest.collect import section_rules
from digest.models import CategoryMapping, Section, Source

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
