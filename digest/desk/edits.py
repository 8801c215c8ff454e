"""Changes an editor makes to an edition. Each one is checked, applied and logged (who, what,
before and after) in one transaction, so the log never disagrees with the edition.

Only an edition nobody has started sending can change; an approved one must be unapproved
first, so what was approved is exactly what goes out.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .. import kept_renderings
from ..delivery import control
from ..models import Edition, EditionItem, EditLog, Section, SectionExample
from ..render import RenderError

EDITABLE = (Edition.Status.DRAFT, Edition.Status.PAUSED)


class EditError(Exception):
    """The change cannot be made; the message says why, for the editor."""


def _check_editable(edition: Edition) -> None:
    edition.refresh_from_db()
    if edition.status == Edition.Status.APPROVED:
        raise EditError("this edition is approved: unapprove it to make changes")
    if edition.status not in EDITABLE or edition.enqueued_at:
        raise EditError(f"this edition is {edition.get_status_display().lower()}: it can't change")


def _log(edition, user, action, item=None, before=None, after=None) -> EditLog:
    return EditLog.objects.create(
        edition=edition,
        user=user if user and user.is_authenticated else None,
        action=action,
        item=item,
        before=before or {},
        after=after or {},
    )


def _snapshot(item: EditionItem) -> dict:
    return {
        "headline": item.headline,
        "summary": item.summary,
        "url": item.url,
        "section": item.section.key,
        "position": item.position,
    }


def _renumber(edition: Edition, section: Section) -> None:
    items = EditionItem.objects.filter(edition=edition, section=section).order_by("position", "id")
    for number, item in enumerate(items, start=1):
        if item.position != number:
            EditionItem.objects.filter(pk=item.pk).update(position=number)


@transaction.atomic
def edit_item(item: EditionItem, user, *, headline: str, summary: str) -> EditionItem:
    _check_editable(item.edition)
    headline, summary = headline.strip(), summary.strip()
    if not headline:
        raise EditError("a headline can't be empty")
    before = _snapshot(item)
    item.headline, item.summary = headline, summary
    item.save(update_fields=["headline", "summary"])
    _log(item.edition, user, "edit", item, before, _snapshot(item))
    return item


@transaction.atomic
def move_item(item: EditionItem, user, section: Section) -> EditionItem:
    """To the end of another section. A story's move is an example of where it belongs: it
    is kept (one per article, the latest wins) for what sections learn in the admin."""
    _check_editable(item.edition)
    if section.pk == item.section_id:
        return item
    before, old = _snapshot(item), item.section
    last = EditionItem.objects.filter(edition=item.edition, section=section).aggregate(
        m=Max("position")
    )["m"]
    item.section, item.position = section, (last or 0) + 1
    item.save(update_fields=["section", "position"])
    _renumber(item.edition, old)
    _log(item.edition, user, "move", item, before, _snapshot(item))
    if item.article_id:
        SectionExample.objects.update_or_create(
            article_id=item.article_id,
            defaults={
                "moved_from": old,
                "moved_to": section,
                "editor": user if user and user.is_authenticated else None,
                "at": timezone.now(),
            },
        )
    return item


@transaction.atomic
def reorder(item: EditionItem, user, direction: str) -> EditionItem:
    """One place up or down within its section."""
    _check_editable(item.edition)
    _renumber(item.edition, item.section)
    item.refresh_from_db()
    siblings = list(
        EditionItem.objects.filter(edition=item.edition, section=item.section).order_by(
            "position", "id"
        )
    )
    index = [s.pk for s in siblings].index(item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return item
    before = _snapshot(item)
    neighbour = siblings[other]
    EditionItem.objects.filter(pk=neighbour.pk).update(position=item.position)
    item.position = neighbour.position
    item.save(update_fields=["position"])
    _log(item.edition, user, "reorder", item, before, _snapshot(item))
    return item


@transaction.atomic
def drop(item: EditionItem, user) -> None:
    edition, section = item.edition, item.section
    _check_editable(edition)
    before = _snapshot(item)
    item.delete()
    _renumber(edition, section)
    _log(edition, user, "drop", None, before, {})


@transaction.atomic
def add_manual_item(
    edition: Edition, user, *, section: Section, title: str, link: str, text: str
) -> EditionItem:
    """A story that is not an article (a community notice), at the end of its section."""
    _check_editable(edition)
    title, link, text = title.strip(), link.strip(), text.strip()
    if not title or not text:
        raise EditError("a manual item needs a title and a text")
    if link and not link.startswith(("https://", "http://")):
        raise EditError("the link must start with https:// or http://")
    last = EditionItem.objects.filter(edition=edition, section=section).aggregate(
        m=Max("position")
    )["m"]
    item = EditionItem.objects.create(
        edition=edition,
        article=None,
        section=section,
        position=(last or 0) + 1,
        headline=title,
        summary=text,
        url=link,
    )
    _log(edition, user, "add", item, {}, _snapshot(item))
    return item


@transaction.atomic
def edit_meta(edition: Edition, user, *, subject: str, preheader: str) -> Edition:
    _check_editable(edition)
    subject, preheader = subject.strip(), preheader.strip()
    if not subject:
        raise EditError("the subject can't be empty")
    before = {"subject": edition.subject, "preheader": edition.preheader}
    edition.subject, edition.preheader = subject, preheader
    edition.save(update_fields=["subject", "preheader"])
    _log(edition, user, "subject", None, before, {"subject": subject, "preheader": preheader})
    return edition


NOTE_MAX = 600  # a few sentences: the note sits above the top story


@transaction.atomic
def edit_note(edition: Edition, user, *, note: str) -> Edition:
    """Set (or clear, with an empty note) the editor's note shown at the top of the email."""
    _check_editable(edition)
    note = " ".join(note.split())
    if len(note) > NOTE_MAX:
        raise EditError(f"the editor's note is {len(note)} characters: keep it to {NOTE_MAX}")
    before = {"editors_note": edition.editors_note}
    edition.editors_note = note
    edition.save(update_fields=["editors_note"])
    _log(edition, user, "note", None, before, {"editors_note": note})
    return edition


@transaction.atomic
def approve(edition: Edition, user) -> Edition:
    """Approve a draft and render what its readers will get, once: a template that fails is
    found here, by the editor, and the send only reads the renderings
    (``digest.kept_renderings``)."""
    edition.refresh_from_db()
    if edition.status != Edition.Status.DRAFT:
        raise EditError(f"only a draft can be approved (this one is {edition.status})")
    if not edition.items.exists():
        raise EditError("an edition with no items can't be approved")
    try:
        # Before the first write: on SQLite the transaction holds no lock while this runs.
        kept_renderings.render_for_readers(edition)
    except RenderError as exc:
        raise EditError(
            f"the email cannot be rendered, so it was not approved: {exc}. Fix the template "
            "(DIGEST_TEMPLATE_DIR) and approve again"
        ) from None
    edition.status, edition.approved_by, edition.approved_at = (
        Edition.Status.APPROVED,
        user,
        timezone.now(),
    )
    edition.save(update_fields=["status", "approved_by", "approved_at"])
    _log(edition, user, "approve", None, {"status": "draft"}, {"status": "approved"})
    return edition


@transaction.atomic
def unapprove(edition: Edition, user) -> Edition:
    edition.refresh_from_db()
    if edition.status != Edition.Status.APPROVED:
        raise EditError("only an approved edition that has not started can be unapproved")
    before = {
        "status": "approved",
        "approved_by": edition.approved_by.get_username() if edition.approved_by else "",
        "approved_at": edition.approved_at.isoformat() if edition.approved_at else "",
    }
    edition.status, edition.approved_by, edition.approved_at = Edition.Status.DRAFT, None, None
    edition.save(update_fields=["status", "approved_by", "approved_at"])
    _log(edition, user, "unapprove", None, before, {"status": "draft"})
    return edition


def cancel(edition: Edition, user) -> int:
    """Nothing more of it is sent; returns how many readers will not get it."""
    name = user.get_username() if user and user.is_authenticated else "an editor"
    with transaction.atomic():
        before = edition.status
        try:
            dropped = control.cancel(edition, f"cancelled by {name} on the desk")
        except control.ControlError as exc:
            raise EditError(str(exc)) from exc
        _log(edition, user, "cancel", None, {"status": before}, {"status": "cancelled"})
    return dropped
