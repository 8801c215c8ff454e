"""Editors' moves (``SectionExample``) read from the database for ``digest.section_learning``,
and the admin's one write: adding the learned words to a section's keywords."""

from __future__ import annotations

from django.utils import timezone

from .models import Article, Section, SectionExample
from .section_learning import Example, LearnedWord, learned_words, with_learned

LEAD_CHARS = 400  # the lead: the start of the first paragraph, as the classifier weighs it
BACKGROUND_MAX = 500  # the other stories of those days, newest first: keeps the admin page quick


def headline_and_lead(article: Article) -> str:
    paragraphs = [p.strip() for p in article.body.split("\n") if p.strip()]
    lead = paragraphs[0][:LEAD_CHARS] if paragraphs else ""
    return f"{article.title}\n{lead}"


def learned_for(section: Section) -> list[LearnedWord]:
    """What ``section`` learns from every example that moved a story into or out of it,
    against the other stories published on the moved-in stories' days."""
    rows = SectionExample.objects.select_related("article", "moved_from", "moved_to")
    examples, involved, days = [], set(), set()
    for row in rows:
        if section.pk not in (row.moved_to_id, row.moved_from_id):
            continue
        examples.append(
            Example(
                text=headline_and_lead(row.article),
                language=row.article.language,
                moved_from=row.moved_from.key if row.moved_from else None,
                moved_to=row.moved_to.key,
            )
        )
        involved.add(row.article_id)
        if row.moved_to_id == section.pk:
            # The local day, as the ``__date`` lookup below reads it.
            days.add(timezone.localtime(row.article.published_at).date())
    others = (
        Article.objects.filter(published_at__date__in=days)
        .exclude(pk__in=involved)
        .order_by("-published_at")
        .only("title", "body", "language")[:BACKGROUND_MAX]
    )
    background = [(headline_and_lead(a), a.language) for a in others] if days else []
    return learned_words(section.key, examples, background, section.keywords)


def add_learned_keywords(section: Section) -> list[str]:
    """Adds the learned words that are not keywords yet, at their suggested weights; the words
    added. Classification changes only from here on, and only because an admin chose it."""
    keywords, added = with_learned(section.keywords, learned_for(section))
    if added:
        section.keywords = keywords
        section.save(update_fields=["keywords"])
    return added
