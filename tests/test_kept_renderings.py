"""Kept renderings: approval renders each variant once, every run reads them, and a rendering
made from other content, templates or code is never sent."""

from __future__ import annotations

import dataclasses
import io
import logging

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import OperationalError

from digest import kept_renderings
from digest.compose import compose, edition_view
from digest.delivery import dispatch, ledger
from digest.delivery.dispatch import SendOptions, send_edition
from digest.delivery.senders import MemorySender
from digest.delivery.workers import _enqueue_and_render
from digest.demo import DEMO_DAY
from digest.desk import edits
from digest.models import Edition, EditionItem, EditionRender
from digest.render import render_variant, variant_for
from subscribers.audience import eligible_choices
from subscribers.models import MailingList

pytestmark = pytest.mark.django_db


def edition() -> Edition:
    return compose(MailingList.objects.get(slug="morning-en"), DEMO_DAY).edition


def editor() -> User:
    return User.objects.create_user("editor", "editor@news.example.com", "x" * 20)


def mark_kept(target: Edition, mark: str = "[kept]") -> int:
    """Tag the kept renderings' subjects, so that a message shows where it came from."""
    for row in EditionRender.objects.filter(edition=target):
        row.subject = f"{mark} {row.subject}"
        row.save(update_fields=["subject"])
    return EditionRender.objects.filter(edition=target).count()


def test_approving_renders_each_variant_the_readers_need_once_and_keeps_it(demo):
    target = edition()
    view = edition_view(target)
    edits.approve(target, editor())

    choices = eligible_choices(target.mailing_list_id)
    wanted = {view.section_keys} | {variant_for(c, view.section_keys) for c in choices}
    wanted.discard(())
    rows = EditionRender.objects.filter(edition=target)
    assert {tuple(row.sections.split(",")) for row in rows} == wanted
    assert len(wanted) > 2, "the demo readers have several section choices"
    assert {row.fingerprint for row in rows} == {kept_renderings.fingerprint(view)}
    whole = rows.get(sections=",".join(view.section_keys))
    assert whole.html == render_variant(view).html and whole.subject == target.subject


def test_an_edition_whose_template_fails_is_not_approved(demo, settings, tmp_path):
    (tmp_path / "digest.mjml").write_text("<mjml><mj-body>{{ no_such_value }}</mj-body></mjml>")
    settings.DIGEST_TEMPLATE_DIR = str(tmp_path)
    target = edition()
    with pytest.raises(edits.EditError, match="cannot be rendered, so it was not approved"):
        edits.approve(target, editor())
    target.refresh_from_db()
    assert target.status == Edition.Status.DRAFT
    assert not EditionRender.objects.filter(edition=target).exists()


def test_a_send_reads_the_kept_renderings_and_renders_nothing(demo, monkeypatch):
    target = edition()
    edits.approve(target, editor())
    assert mark_kept(target) > 2

    def no_rendering(*args, **kwargs):
        raise AssertionError("a send of an approved edition rendered a variant")

    monkeypatch.setattr(dispatch, "render_variant", no_rendering)
    sender = MemorySender()
    report = send_edition(target, sender, options=SendOptions(batch_size=10))
    assert report.sent == 4 and not report.stopped
    assert all(message.subject.startswith("[kept] ") for message in sender.sent)


def test_a_rendering_of_other_content_is_never_sent(demo):
    target = edition()
    edits.approve(target, editor())
    mark_kept(target)
    stale = set(EditionRender.objects.values_list("fingerprint", flat=True))
    # The edition changed after its renderings were kept (unapproved and edited, say).
    item = EditionItem.objects.filter(edition=target).first()
    item.headline = "A corrected headline after approval"
    item.save(update_fields=["headline"])

    sender = MemorySender()
    send_edition(target, sender, options=SendOptions(batch_size=10))
    assert sender.sent and not any(m.subject.startswith("[kept]") for m in sender.sent)
    assert any("A corrected headline after approval" in m.html for m in sender.sent)
    # What the run rendered is kept in place of the stale renderings.
    now = set(EditionRender.objects.filter(edition=target).values_list("fingerprint", flat=True))
    assert now == {kept_renderings.fingerprint(edition_view(target))} and not now & stale


def test_the_fingerprint_follows_the_templates_the_view_and_nothing_else(demo, tmp_path, settings):
    view = edition_view(edition())
    (tmp_path / "digest.mjml").write_text('{% extends "default:digest.mjml" %}')
    settings.DIGEST_TEMPLATE_DIR = str(tmp_path)
    before = kept_renderings.fingerprint(view)
    assert kept_renderings.fingerprint(view) == before
    settings.DIGEST_TEMPLATE_DIR = ""
    assert kept_renderings.fingerprint(view) != before  # without the override folder
    settings.DIGEST_TEMPLATE_DIR = str(tmp_path)
    (tmp_path / "digest.mjml").write_text('{% extends "default:digest.mjml" %}\n')
    assert kept_renderings.fingerprint(view) != before
    (tmp_path / "digest.mjml").write_text('{% extends "default:digest.mjml" %}')
    assert kept_renderings.fingerprint(view) == before
    retitled = dataclasses.replace(view, subject=view.subject + "!")
    assert kept_renderings.fingerprint(retitled) != before


def test_a_run_keeps_what_it_rendered_for_the_next(demo, monkeypatch):
    # An edition nobody approved (a list that sends as composed): the first run renders.
    target = edition()
    send_edition(target, MemorySender(), options=SendOptions(batch_size=10))
    key = kept_renderings.fingerprint(edition_view(target))
    assert len(kept_renderings.kept(target, key)) > 2


def test_the_first_process_keeps_the_variants_before_its_helpers_go(demo):
    target = edition()
    view = edition_view(target)
    variants = _enqueue_and_render(target, view)
    assert ledger.counts(target)["pending"] == 4
    assert kept_renderings.kept(target, kept_renderings.fingerprint(view)) == variants


def test_a_database_that_cannot_keep_them_does_not_stop_the_send(demo, monkeypatch, caplog):
    def full(*args, **kwargs):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(EditionRender.objects, "bulk_create", full)
    target = edition()
    with caplog.at_level(logging.WARNING, logger="digest.kept_renderings"):
        report = send_edition(target, MemorySender(), options=SendOptions(batch_size=10))
    assert report.sent == 4 and not report.stopped
    assert "the renderings could not be kept" in caplog.text
    assert not EditionRender.objects.exists()


def test_renderings_of_finished_editions_are_dropped(demo):
    first = edition()
    edits.approve(first, editor())
    Edition.objects.filter(pk=first.pk).update(status=Edition.Status.SENT)
    korean = compose(MailingList.objects.get(slug="morning-ko"), DEMO_DAY).edition
    kept_renderings.render_for_readers(korean, edition_view(korean))
    assert not EditionRender.objects.filter(edition=first).exists()
    assert EditionRender.objects.filter(edition=korean).exists()


def test_a_choice_made_after_approval_is_rendered_when_its_batch_comes(demo):
    from subscribers.models import Subscription

    target = edition()
    edits.approve(target, editor())
    before = set(EditionRender.objects.values_list("sections", flat=True))
    assert "trade" not in before
    reader = Subscription.objects.filter(mailing_list=target.mailing_list, sections=[]).first()
    reader.sections = ["trade"]
    reader.save(update_fields=["sections"])

    variants = _enqueue_and_render(target, edition_view(target))
    assert ("trade",) not in variants  # the kept ones, as they are: no list-wide lookup
    sender = MemorySender()
    send_edition(target, sender, options=SendOptions(batch_size=10), rendered=variants)
    (theirs,) = [m for m in sender.sent if m.to == reader.subscriber.email]
    view = edition_view(target)
    headlines = {s.key: [item.headline for item in s.items] for s in view.sections}
    assert all(h in theirs.text for h in headlines["trade"])
    assert not any(h in theirs.text for h in headlines["diplomacy"])
    assert theirs.subject == render_variant(view, ("trade",)).subject
    after = set(EditionRender.objects.values_list("sections", flat=True))
    assert after == before | {"trade"}


def test_digest_preview_uses_the_newsroom_templates_like_every_render(demo, tmp_path, settings):
    """The override folder is read where the templates load, so no caller can forget it."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "digest.mjml").write_text(
        '{% extends "default:digest.mjml" %}'
        "{% block masthead %}<mj-section><mj-column><mj-text>NEWSROOM BRAND</mj-text>"
        "</mj-column></mj-section>{% endblock %}"
    )
    settings.DIGEST_TEMPLATE_DIR = str(tmp_path / "templates")
    edition()
    out = tmp_path / "preview.html"
    call_command(
        "preview",
        "--list",
        "morning-en",
        "--date",
        str(DEMO_DAY),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert "NEWSROOM BRAND" in out.read_text()
