"""The desk's plain functions and its pages: edit, move, reorder, drop, add, approve, test."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from django.urls import reverse

from digest.desk import checks, edits, proofs
from digest.models import Delivery, Edition, EditionItem, EditLog, Section

pytestmark = pytest.mark.django_db


def items(edition, key):
    return list(edition.items.filter(section__key=key).order_by("position"))


def test_every_edit_is_logged_with_who_and_before_and_after(world):
    item = items(world.edition, "trade")[0]
    edits.edit_item(item, world.editor, headline="Tariff talks resume", summary="New summary.")
    entry = EditLog.objects.get(action="edit")
    assert entry.user == world.editor and entry.item == item
    assert entry.before["headline"] == "Port of LA sees record Korean imports"  # newest first
    assert entry.after == {
        **entry.before,
        "headline": "Tariff talks resume",
        "summary": "New summary.",
    }


def test_move_reorder_drop_and_add_keep_positions_tidy(world):
    edition = world.edition
    first, second = items(edition, "trade")
    edits.reorder(second, world.editor, "up")
    assert [i.pk for i in items(edition, "trade")] == [second.pk, first.pk]
    edits.move_item(second, world.editor, Section.objects.get(key="community"))
    assert [i.position for i in items(edition, "trade")] == [1]
    assert [i.headline for i in items(edition, "community")][-1] == second.headline
    edits.drop(first, world.editor)
    assert items(edition, "trade") == []
    manual = edits.add_manual_item(
        edition,
        world.editor,
        section=Section.objects.get(key="community"),
        title="Blood drive Saturday",
        link="https://church.example.org/blood",
        text="The Korean United Church hosts a blood drive.",
    )
    assert manual.article is None and manual.position == 3
    assert list(EditLog.objects.values_list("action", flat=True).order_by("id")) == [
        "reorder",
        "move",
        "drop",
        "add",
    ]
    with pytest.raises(edits.EditError, match="link"):
        edits.add_manual_item(
            edition, world.editor, section=manual.section, title="x", link="javascript:1", text="y"
        )


def test_approve_unapprove_and_an_approved_edition_cannot_change(world):
    edition = edits.approve(world.edition, world.editor)
    assert edition.status == "approved" and edition.approved_by == world.editor
    assert edition.approved_at is not None
    with pytest.raises(edits.EditError, match="unapprove"):
        edits.edit_meta(edition, world.editor, subject="New", preheader="")
    edition = edits.unapprove(edition, world.admin)
    assert edition.status == "draft" and edition.approved_by is None
    entry = EditLog.objects.get(action="unapprove")
    assert entry.user == world.admin and entry.before["approved_by"] == "editor"
    edits.cancel(edition, world.editor)
    edition.refresh_from_db()
    assert edition.status == "cancelled"
    with pytest.raises(edits.EditError):
        edits.approve(edition, world.editor)


def test_a_test_send_is_marked_and_is_never_a_delivery(world, settings):
    proofs.send_test(world.edition, world.editor, ["community"])
    (path,) = settings.DIGEST_OUTBOX_DIR.rglob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith("[TEST] ")
    assert message["X-Digest-Test"] == "1" and message["To"] == "editor@news.example.com"
    html = message.get_body(("html",)).get_content()
    assert "Koreatown food bank" in html and "Tariff talks" not in html
    assert "%%" not in html
    assert Delivery.objects.count() == 0
    assert EditLog.objects.get(action="test").after["to"] == "editor@news.example.com"


def test_a_test_send_comes_from_the_list_as_readers_see_it(world, settings):
    """One From header for every email of a list: a name with a comma is quoted, as in the
    readers' copies (the test send used to build its own, unquoted)."""
    mailing_list = world.edition.mailing_list
    mailing_list.from_name = "The Korea Daily, Morning"
    mailing_list.save()
    proofs.send_test(world.edition, world.editor)
    (path,) = settings.DIGEST_OUTBOX_DIR.rglob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    (sender,) = message["From"].addresses
    assert sender.display_name == "The Korea Daily, Morning"


def test_dark_preview_turns_the_dark_rules_on(world):
    light = proofs.preview_html(world.edition)
    dark = proofs.preview_html(world.edition, dark=True)
    assert "prefers-color-scheme: dark" in light.replace("(prefers-color-scheme:dark)", "")
    assert "@media all" in dark and not proofs.DARK_QUERY.search(dark)


def test_warnings_name_what_to_check(world):
    html = proofs.preview_html(world.edition)
    kinds = {w.kind for w in checks.warnings_for(world.edition, html)}
    assert kinds == {"empty-section"}  # "More news" has nothing today
    item = items(world.edition, "trade")[0]
    item.article.published_at = item.article.published_at.replace(year=2025)
    item.article.save()
    big = html + "x" * checks.BUDGET_BYTES + '<img src="https://x/p.png"><img alt="ok" src="y">'
    found = {w.kind: w.message for w in checks.warnings_for(world.edition, big)}
    assert set(found) == {"empty-section", "old-article", "gmail-clip", "image-alt"}
    assert "1 image" in found["image-alt"] and "Gmail" in found["gmail-clip"]


def test_a_story_without_a_summary_is_flagged_by_name_until_an_editor_writes_one(world):
    item = items(world.edition, "trade")[0]
    EditionItem.objects.filter(pk=item.pk).update(summary="")
    html = proofs.preview_html(world.edition)

    found = [w for w in checks.warnings_for(world.edition, html) if w.kind == "needs-summary"]

    assert len(found) == 1
    assert f"“{item.headline}” needs a summary" in found[0].message
    edits.edit_item(item, world.editor, headline=item.headline, summary="An editor's summary.")
    kinds = {w.kind for w in checks.warnings_for(world.edition, html)}
    assert "needs-summary" not in kinds


# --- the pages --------------------------------------------------------------------------


def test_an_editor_works_through_the_pages_without_javascript(world, client, settings):
    client.force_login(world.editor)
    edition = world.edition
    page = client.get(reverse("desk:edition", args=[edition.pk]) + "?w=phone")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'width="375"' in body and "Send test to me" in body and "Approve" in body
    assert "More news" in body and "has no stories today" in body

    item = items(edition, "trade")[0]
    response = client.post(
        reverse("desk:item", args=[edition.pk, item.pk]),
        {
            "action": "save",
            "headline": item.headline,
            "summary": "Edited.",
            "w": "phone",
        },
    )
    assert response.status_code == 302 and "w=phone" in response["Location"]
    frame = client.get(reverse("desk:preview", args=[edition.pk]))
    assert "Edited." in frame.content.decode()
    assert frame["X-Frame-Options"] == "SAMEORIGIN"

    client.post(
        reverse("desk:item", args=[edition.pk, item.pk]), {"action": "move", "section": "more"}
    )
    assert EditionItem.objects.get(pk=item.pk).section.key == "more"
    client.post(
        reverse("desk:action", args=[edition.pk, "meta"]),
        {"subject": "Our own subject", "preheader": "And a preheader"},
    )
    client.post(
        reverse("desk:action", args=[edition.pk, "add"]),
        {"section": "community", "title": "Notice", "link": "", "text": "A community notice."},
    )
    assert (
        "A community notice."
        in client.get(
            reverse("desk:preview", args=[edition.pk]) + "?sections=community"
        ).content.decode()
    )
    response = client.post(reverse("desk:action", args=[edition.pk, "test"]), follow=True)
    assert "Test sent to editor@news.example.com" in response.content.decode()
    client.post(reverse("desk:action", args=[edition.pk, "approve"]))
    edition.refresh_from_db()
    assert edition.status == "approved" and edition.subject == "Our own subject"
    assert edition.approved_by == world.editor
    # An edit now is refused with a message, not an error page.
    response = client.post(
        reverse("desk:item", args=[edition.pk, item.pk]),
        {"action": "drop"},
        follow=True,
    )
    assert "unapprove it" in response.content.decode()
    assert EditionItem.objects.filter(pk=item.pk).exists()


def test_approving_an_edition_whose_email_cannot_be_rendered_says_why(
    world, client, settings, tmp_path
):
    (tmp_path / "digest.mjml").write_text("<mjml><mj-body>{{ no_such_value }}</mj-body></mjml>")
    settings.DIGEST_TEMPLATE_DIR = str(tmp_path)
    client.force_login(world.editor)
    edition = world.edition
    response = client.post(reverse("desk:action", args=[edition.pk, "approve"]), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot be rendered, so it was not approved" in page and "no_such_value" in page
    edition.refresh_from_db()
    assert edition.status == "draft"


def test_the_editions_list_and_the_stats_page(world, client):
    client.force_login(world.editor)
    body = client.get(reverse("desk:editions")).content.decode()
    assert "morning-en" in body and "2026-11-24" in body
    stats = client.get(reverse("desk:stats", args=["morning-en"])).content.decode()
    assert "<svg" in stats and "recipients" in stats
    assert not re.search(r"https?://(?!www\.w3\.org)[^\"' ]*\.(js|css)", stats)  # no CDN


def test_a_sent_edition_with_uncertain_readers_says_they_need_a_decision(
    world, client, admin_client
):
    """After a crash the edition is sent, but not every reader's fate is known: the desk and
    the admin say so instead of a plain "Sent"."""
    from digest.delivery import ledger

    ledger.enqueue(world.edition)
    Delivery.objects.filter(edition=world.edition).update(state="sent")
    Delivery.objects.filter(pk=Delivery.objects.filter(edition=world.edition).first().pk).update(
        state="uncertain"
    )
    Edition.objects.filter(pk=world.edition.pk).update(status="sent")
    client.force_login(world.editor)
    listing = client.get(reverse("desk:editions")).content.decode()
    page = client.get(reverse("desk:edition", args=[world.edition.pk])).content.decode()
    admin = admin_client.get(reverse("admin:digest_edition_changelist")).content.decode()
    for body in (listing, page, admin):
        assert "Sent, 1 needs a decision" in body


def test_an_email_over_budget_says_what_it_left_for_the_web(world):
    html = proofs.preview_html(world.edition)
    trimmed = html.replace("</body>", '<a data-count="7" href="#" id="more-stories">x</a></body>')
    found = {w.kind: w.message for w in checks.warnings_for(world.edition, trimmed)}
    assert "7 more stories on the web edition" in found["gmail-clip"]


def test_an_editors_note_is_set_on_the_desk_and_leads_the_email(world, client):
    client.force_login(world.editor)
    edition = world.edition
    page = client.get(reverse("desk:edition", args=[edition.pk])).content.decode()
    assert 'name="note"' in page
    client.post(
        reverse("desk:action", args=[edition.pk, "note"]),
        {"note": "Good morning.\r\n  Thanksgiving week:   a lighter edition."},
    )
    edition.refresh_from_db()
    assert edition.editors_note == "Good morning. Thanksgiving week: a lighter edition."
    preview = client.get(reverse("desk:preview", args=[edition.pk])).content.decode()
    assert "FROM THE EDITOR" in preview and "Thanksgiving week: a lighter edition." in preview
    response = client.post(
        reverse("desk:action", args=[edition.pk, "note"]), {"note": "x" * 700}, follow=True
    )
    assert "keep it to 600" in response.content.decode()
    assert EditLog.objects.filter(edition=edition, action="note").count() == 1
