"""Thin margins to the editor: the desk flags a close call and offers the runner-up in one
click; every move is kept as an example; the admin shows what a section learns from them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from digest.desk import checks, edits, proofs
from digest.models import Article, EditLog, Section, SectionExample

pytestmark = pytest.mark.django_db


def trade_item(world, n: int = 0):
    return list(world.edition.items.filter(section__key="trade").order_by("position"))[n]


def make_thin(item, runner_up: str = "community") -> None:
    Article.objects.filter(pk=item.article_id).update(
        section_thin_margin=True, section_runner_up=Section.objects.get(key=runner_up)
    )


def desk_page(client, world) -> str:
    page = client.get(reverse("desk:edition", args=[world.edition.pk]) + "?w=phone")
    assert page.status_code == 200
    return page.content.decode()


def test_the_desk_flags_a_thin_call_and_moves_it_to_the_runner_up_in_one_click(world, client):
    item = trade_item(world)
    make_thin(item)
    client.force_login(world.editor)
    community = Section.objects.get(key="community")

    body = desk_page(client, world)

    assert f'id="uncertain-{item.pk}"' in body and "section uncertain" in body
    assert f'id="move-suggested-{item.pk}"' in body
    assert f"Move to {community.name_en}</button>" in body
    assert f'aria-label="Move “{item.headline}” to {community.name_en}"' in body
    assert "1 story has an uncertain section" in body

    response = client.post(
        reverse("desk:item", args=[world.edition.pk, item.pk]),
        {"action": "move", "section": "community", "w": "phone"},
    )

    assert response.status_code == 302 and "w=phone" in response["Location"]
    item.refresh_from_db()
    assert item.section == community
    log = EditLog.objects.get(action="move")
    assert log.user == world.editor and log.after["section"] == "community"
    example = SectionExample.objects.get(article=item.article)
    assert example.moved_from.key == "trade" and example.moved_to == community
    assert example.editor == world.editor
    body = desk_page(client, world)  # moved by an editor: no longer uncertain
    assert "section uncertain" not in body and "uncertain section" not in body


def test_no_flag_nor_button_when_the_margin_was_not_thin(world, client):
    client.force_login(world.editor)
    body = desk_page(client, world)
    assert "section uncertain" not in body and "move-suggested-" not in body


def test_the_button_is_absent_when_the_runner_up_is_not_one_of_the_lists_sections(world, client):
    item = trade_item(world)
    Article.objects.filter(pk=item.article_id).update(section_thin_margin=True)  # no runner-up
    client.force_login(world.editor)
    body = desk_page(client, world)
    assert f'id="uncertain-{item.pk}"' in body and "move-suggested-" not in body


def test_the_checks_count_the_uncertain_stories(world):
    make_thin(trade_item(world, 0))
    make_thin(trade_item(world, 1), "diplomacy")
    html = proofs.preview_html(world.edition)
    found = {w.kind: w.message for w in checks.warnings_for(world.edition, html)}
    assert found["uncertain-section"].startswith("2 stories have an uncertain section")


def test_an_approved_edition_shows_the_flag_without_the_button(world, client):
    item = trade_item(world)
    make_thin(item)
    edits.approve(world.edition, world.editor)
    client.force_login(world.editor)
    body = desk_page(client, world)
    assert "section uncertain" in body and "move-suggested-" not in body


def test_one_example_per_article_the_latest_move_wins(world):
    item = trade_item(world)
    trade, community = Section.objects.get(key="trade"), Section.objects.get(key="community")
    edits.move_item(item, world.editor, community)
    edits.move_item(item, world.admin, trade)
    (example,) = SectionExample.objects.all()
    assert example.moved_from == community and example.moved_to == trade
    assert example.editor == world.admin
    assert EditLog.objects.filter(action="move").count() == 2  # nothing deleted


def test_a_manual_item_moved_is_no_example(world):
    manual = edits.add_manual_item(
        world.edition,
        world.editor,
        section=Section.objects.get(key="community"),
        title="Blood drive Saturday",
        link="",
        text="The Korean United Church hosts a blood drive.",
    )
    edits.move_item(manual, world.editor, Section.objects.get(key="trade"))
    assert not SectionExample.objects.exists()


# --- what a section learns, in the admin -------------------------------------------------


def church_examples(world, n: int) -> None:
    """``n`` church stories an editor moved from trade to community."""
    trade, community = Section.objects.get(key="trade"), Section.objects.get(key="community")
    day = world.edition.items.first().article.published_at
    for k in range(n):
        article = Article.objects.create(
            url=f"https://news.example.com/church-{k}",
            title=f"Church bazaar number {k} in Koreatown",
            published_at=day + dt.timedelta(minutes=30 + k),
            language="en",
            body="The church raised funds for seniors.",
            content_hash=f"church-{k}",
            section=trade,
        )
        SectionExample.objects.create(
            article=article, moved_from=trade, moved_to=community, editor=world.editor
        )


def test_the_section_admin_shows_what_it_learned_and_adds_it_on_request(world, client):
    church_examples(world, 3)
    community = Section.objects.get(key="community")
    community.keywords = ["church"]
    community.save()
    client.force_login(world.admin)

    page = client.get(reverse("admin:digest_section_change", args=[community.pk]))

    body = page.content.decode()
    assert page.status_code == 200 and 'id="learned-words"' in body
    assert "<tr><td>bazaar</td><td>3</td><td>0.5</td><td>no</td></tr>" in body
    assert "<tr><td>church</td><td>3</td><td>0.5</td><td>yes</td></tr>" in body
    assert "change nothing until you add them" in body

    response = client.post(
        reverse("admin:digest_section_changelist"),
        {"action": "add_learned_keywords", "_selected_action": [community.pk]},
    )

    assert response.status_code == 302
    community.refresh_from_db()
    assert ["bazaar", 0.5] in community.keywords and community.keywords[0] == "church"
    assert ["church", 0.5] not in community.keywords
    trade = Section.objects.get(key="trade")
    assert not [k for k in trade.keywords if "bazaar" in str(k)]  # moved out: learns nothing


def test_two_examples_teach_nothing(world, client):
    church_examples(world, 2)
    client.force_login(world.admin)
    community = Section.objects.get(key="community")
    body = client.get(reverse("admin:digest_section_change", args=[community.pk])).content
    assert b"None yet." in body and b'id="learned-words"' not in body


def test_only_staff_see_the_admin_and_editors_may_move(world, client):
    church_examples(world, 3)
    community = Section.objects.get(key="community")
    client.force_login(world.editor)
    page = client.get(reverse("admin:digest_section_change", args=[community.pk]))
    assert page.status_code == 302 and "/login/" in page["Location"]
    client.post(
        reverse("admin:digest_section_changelist"),
        {"action": "add_learned_keywords", "_selected_action": [community.pk]},
    )
    community.refresh_from_db()
    assert "bazaar" not in str(community.keywords)
    item = trade_item(world)
    client.force_login(world.outsider)
    url = reverse("desk:item", args=[world.edition.pk, item.pk])
    assert client.post(url, {"action": "move", "section": "community"}).status_code == 403
    assert not SectionExample.objects.filter(article=item.article).exists()
    client.force_login(world.editor)
    client.post(url, {"action": "move", "section": "community"})
    assert SectionExample.objects.filter(article=item.article).exists()


def test_the_examples_are_listed_read_only_in_the_admin(world, client):
    church_examples(world, 1)
    client.force_login(world.admin)
    page = client.get(reverse("admin:digest_sectionexample_changelist"))
    assert page.status_code == 200 and "Church bazaar number 0" in page.content.decode()
    assert client.get(reverse("admin:digest_sectionexample_add")).status_code == 403
