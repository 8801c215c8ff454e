"""What an editor should look at before approving: shown as warnings on the edition page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..budget import BUDGET_BYTES, GMAIL_CLIP_BYTES, sent_size
from ..compose import day_window
from ..models import Edition, EditionItem, Section

IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
MORE_STORIES = re.compile(r'<a (?=[^>]*id="more-stories")[^>]*data-count="(\d+)"')
ALT = re.compile(r"""\balt\s*=\s*(["'])\s*\S[^"']*\1""", re.IGNORECASE)


@dataclass(frozen=True)
class DeskWarning:
    kind: str
    message: str


def uncertain_section(item: EditionItem) -> bool:
    """The classifier's call for this story was thin and no editor has moved it since: the
    desk flags it and offers the runner-up, so a close call is looked at before it goes out."""
    article = item.article
    if article is None or not article.section_thin_margin:
        return False
    if article.section_id is None:  # nothing scored: composed into the catch-all section
        return item.section.catch_all
    return item.section_id == article.section_id


def suggested_move(item: EditionItem, sections: list[Section]) -> Section | None:
    """The runner-up section of an uncertain story, when it is one of ``sections``."""
    if not uncertain_section(item):
        return None
    runner_id = item.article.section_runner_up_id
    if runner_id is None or runner_id == item.section_id:
        return None
    return next((s for s in sections if s.pk == runner_id), None)


def warnings_for(edition: Edition, html: str) -> list[DeskWarning]:
    """``html`` is the full edition as rendered (every section), to measure and scan. Past
    the budget (``budget.py``) the email already ends with a link to the web edition for the
    stories that did not fit; the warning says so, since those readers miss them."""
    found: list[DeskWarning] = []
    language = edition.mailing_list.language
    used = set(edition.items.values_list("section_id", flat=True))
    for section in Section.objects.all():
        if section.pk not in used:
            found.append(
                DeskWarning("empty-section", f"“{section.name_for(language)}” has no stories today")
            )
    start, _ = day_window(edition.date, edition.mailing_list.time_zone)
    uncertain = 0
    for item in edition.items.select_related("article", "section"):
        uncertain += uncertain_section(item)
        if not item.summary.strip():
            # No sentence of the story was usable: it must not go out under a bare headline.
            found.append(
                DeskWarning(
                    "needs-summary",
                    f"“{item.headline}” needs a summary: no sentence of the story could be "
                    "used; write one before approving",
                )
            )
        if item.article and item.article.published_at < start:
            found.append(
                DeskWarning(
                    "old-article",
                    f"“{item.headline}” was published {item.article.published_at:%Y-%m-%d}, "
                    "before this edition's day",
                )
            )
    if uncertain:
        story = "story has" if uncertain == 1 else "stories have"
        found.append(
            DeskWarning(
                "uncertain-section",
                f"{uncertain} {story} an uncertain section: the classifier's call was close; "
                "see “section uncertain” below",
            )
        )
    size = sent_size(html)
    more = MORE_STORIES.search(html)
    if more:
        found.append(
            DeskWarning(
                "gmail-clip",
                f"the email is too long for Gmail (over {BUDGET_BYTES // 1024} KB as sent): it "
                f"ends with “{more.group(1)} more stories on the web edition” instead of being "
                "clipped; drop or shorten stories to send them all",
            )
        )
    elif size > BUDGET_BYTES:
        found.append(
            DeskWarning(
                "gmail-clip",
                f"the HTML is {size / 1024:.0f} KB as sent: Gmail clips messages over "
                f"{GMAIL_CLIP_BYTES // 1024} KB (readers would see “[Message clipped]”); drop or "
                "shorten stories",
            )
        )
    missing = [tag for tag in IMG.findall(html) if not ALT.search(tag)]
    if missing:
        found.append(
            DeskWarning("image-alt", f"{len(missing)} image(s) without alt text (screen readers)")
        )
    return found
