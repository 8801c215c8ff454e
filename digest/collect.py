"""Run sources, store what they yield once per canonical URL, classify and summarize it.

Collecting the same input twice changes nothing: an article whose content hash is unchanged
is left alone; a changed one is updated (and re-classified) in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone

from . import classify, summarize
from .canonical import canonical_url
from .models import Article, Section, Source
from .sources import SOURCES, FetchProblem, RawArticle


@dataclass
class SourceReport:
    """What one source yielded: counts, and every input it could not use."""

    name: str
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[FetchProblem] = field(default_factory=list)


@dataclass
class CollectReport:
    sources: list[SourceReport] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(
            getattr(s, attr) if attr != "problems" else len(s.problems) for s in self.sources
        )


def section_rules() -> list[classify.SectionRule]:
    return [
        classify.SectionRule(
            key=s.key,
            keywords=tuple(s.keywords or ()),
            category_hints=tuple(s.category_hints or ()),
            position=s.position,
            catch_all=s.catch_all,
        )
        for s in Section.objects.all()
    ]


def open_source(source: Source, time_zone: str):
    """The reader for a configured Source row."""
    try:
        kind = SOURCES[source.kind]
    except KeyError:
        raise ValueError(
            f"unknown source kind {source.kind!r} for source {source.name!r}"
        ) from None
    return kind(source.location, time_zone=time_zone)


def collect(
    sources: Iterable[tuple[str, object, Source | None]],
    *,
    since: dt.datetime | None = None,
) -> CollectReport:
    """Collect from ``(name, reader, Source row or None)`` triples; one bad input spoils nothing."""
    rules = section_rules()
    sections = {s.key: s for s in Section.objects.all()}
    report = CollectReport()
    for name, reader, row in sources:
        sr = SourceReport(name)
        report.sources.append(sr)
        for item in reader.fetch(since):
            if isinstance(item, FetchProblem):
                sr.problems.append(item)
                continue
            sr.fetched += 1
            try:
                outcome = store(item, rules, sections, row)
            except DatabaseError as exc:
                sr.problems.append(FetchProblem(item.origin, f"could not store: {exc}"))
                continue
            setattr(sr, outcome, getattr(sr, outcome) + 1)
        if row is not None:
            row.last_collected_at = timezone.now()
            row.last_error = "\n".join(str(p) for p in sr.problems[:20])
            row.save(update_fields=["last_collected_at", "last_error"])
    return report


def store(
    raw: RawArticle,
    rules: list[classify.SectionRule],
    sections: dict,
    source: Source | None = None,
) -> str:
    """Insert or update one article; returns "new", "updated" or "unchanged"."""
    url = canonical_url(raw.url)
    published = raw.published_at or timezone.now()
    date_source = raw.date_source if raw.published_at else Article.DateSource.FETCHED
    digest = content_hash(raw)
    existing = Article.objects.filter(url=url).first()
    if existing and existing.content_hash == digest:
        return "unchanged"
    verdict = classify.classify(raw.title, raw.body, raw.categories, rules)
    fields = {
        "source": source,
        "title": raw.title[:500],
        "byline": raw.byline[:300],
        "published_at": published,
        "date_source": date_source,
        "language": raw.language,
        "body": raw.body,
        "categories": list(raw.categories),
        "content_hash": digest,
        "section": sections.get(verdict.key),
        "section_score": verdict.score,
        "summary": summarize.summarize(raw.body, raw.language),
    }
    with transaction.atomic():
        if existing:
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            return "updated"
        Article.objects.create(url=url, **fields)
    return "new"


def content_hash(raw: RawArticle) -> str:
    when = raw.published_at.isoformat() if raw.published_at else ""
    payload = json.dumps(
        [raw.title, raw.body, raw.byline, list(raw.categories), when],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
