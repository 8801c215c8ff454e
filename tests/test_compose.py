"""Composing an edition: the list's day and language, section order, caps, no reuse."""

from __future__ import annotations

import datetime as dt

import pytest

from digest.compose import ComposeError, compose, day_window
from digest.demo import DEMO_DAY
from digest.models import Article, Edition, Section
from digest.sentences import split_sentences
from subscribers.models import MailingList

pytestmark = pytest.mark.django_db


def test_day_window_follows_the_list_time_zone_across_dst():
    start, end = day_window(dt.date(2026, 11, 1), "America/Los_Angeles")  # DST ends that day
    assert start == dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(hours=25)


def test_edition_groups_the_days_articles_by_section_in_order(demo):
    english = MailingList.objects.get(slug="morning-en")
    result = compose(english, DEMO_DAY)
    items = list(result.edition.items.select_related("section", "article"))
    assert {i.article.language for i in items} == {"en"}
    assert len(items) == Article.objects.filter(language="en").count() == 11
    positions = [i.section.position for i in items]
    assert positions == sorted(positions)
    assert all(i.summary and i.headline == i.article.title for i in items)
    assert result.edition.subject.startswith(items[0].headline[:40])
    assert result.edition.subject.endswith("+ 10 more")
    assert result.edition.preheader.startswith("Also: " + items[1].headline[:20])


def test_sections_are_capped(demo):
    Section.objects.filter(key="trade").update(max_items=1)
    edition = compose(MailingList.objects.get(slug="morning-en"), DEMO_DAY).edition
    assert edition.items.filter(section__key="trade").count() == 1
    newest = Article.objects.filter(language="en", section__key="trade").latest("published_at")
    assert edition.items.get(section__key="trade").article == newest


def test_composing_twice_gives_the_same_edition(demo):
    english = MailingList.objects.get(slug="morning-en")
    first = compose(english, DEMO_DAY)
    before = list(first.edition.items.values_list("id", "headline", "summary", "position"))
    second = compose(english, DEMO_DAY)
    assert not second.created and second.edition.pk == first.edition.pk
    assert list(second.edition.items.values_list("id", "headline", "summary", "position")) == before
    assert Edition.objects.count() == 1


def test_articles_used_by_an_earlier_edition_are_not_reused(demo):
    english = MailingList.objects.get(slug="morning-en")
    compose(english, DEMO_DAY)
    # The same articles reappear the next day (a late re-publish): they are not news again.
    Article.objects.filter(language="en").update(
        published_at=dt.datetime(2026, 11, 25, 18, tzinfo=dt.UTC)
    )
    with pytest.raises(ComposeError, match="earlier edition has not used"):
        compose(english, DEMO_DAY + dt.timedelta(days=1))


def test_a_day_without_articles_is_a_clear_error(demo):
    with pytest.raises(ComposeError, match="collect first"):
        compose(MailingList.objects.get(slug="morning-en"), dt.date(2026, 1, 1))
    assert not Edition.objects.exists()


def test_only_a_draft_can_be_rebuilt(demo):
    english = MailingList.objects.get(slug="morning-en")
    edition = compose(english, DEMO_DAY).edition
    edition.items.filter(section__key="more").delete()
    rebuilt = compose(english, DEMO_DAY, rebuild=True).edition
    assert rebuilt.items.filter(section__key="more").exists()
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    with pytest.raises(ComposeError, match="only a draft"):
        compose(english, DEMO_DAY, rebuild=True)


def test_a_short_list_gets_whole_sentences_within_its_length(demo):
    english = MailingList.objects.get(slug="morning-en")
    assert english.summary_length == MailingList.SummaryLength.SHORT  # the default
    article = Article.objects.filter(language="en").first()
    article.summary = (
        "Shipments of Korean-made auto parts through the Port of Long Beach jumped 23 percent "
        "in October from a year earlier, as importers rushed ahead of a Jan. 1 tariff increase. "
        "Customs brokers in Carson and Torrance said they have been working weekends. "
        "Trade officials in Seoul said talks on a parts carve-out are continuing."
    )
    article.save()
    edition = compose(english, DEMO_DAY).edition
    item = edition.items.get(article=article)
    assert item.summary == (
        "Shipments of Korean-made auto parts through the Port of Long Beach jumped 23 percent "
        "in October from a year earlier, as importers rushed ahead of a Jan. 1 tariff increase. "
        "Customs brokers in Carson and Torrance said they have been working weekends."
    )
    for other in edition.items.exclude(pk=item.pk).select_related("article"):
        assert other.article.summary.startswith(other.summary)  # cut at a sentence end
        one_sentence = len(split_sentences(other.summary, "en")) == 1
        assert len(other.summary.split()) <= 45 or one_sentence
    article.refresh_from_db()
    assert article.summary.endswith("continuing.")  # the article keeps the standard summary


def test_a_standard_list_gets_the_articles_summary(demo):
    english = MailingList.objects.get(slug="morning-en")
    english.summary_length = MailingList.SummaryLength.STANDARD
    english.save()
    edition = compose(english, DEMO_DAY).edition
    for item in edition.items.select_related("article"):
        assert item.summary == item.article.summary


def test_a_short_korean_list_keeps_about_130_characters(demo):
    korean = MailingList.objects.get(slug="morning-ko")
    edition = compose(korean, DEMO_DAY).edition
    for item in edition.items.select_related("article"):
        assert item.article.summary.startswith(item.summary)
        assert item.summary
        assert len(item.summary) <= 130 or len(split_sentences(item.summary, "ko")) == 1


def test_composing_again_keeps_an_editors_summary(demo):
    english = MailingList.objects.get(slug="morning-en")
    edition = compose(english, DEMO_DAY).edition
    item = edition.items.first()
    item.summary = "An editor wrote this one, longer than a short list would ever allow. " * 3
    item.save()
    again = compose(english, DEMO_DAY).edition
    assert again.items.get(pk=item.pk).summary == item.summary
