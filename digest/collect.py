"""Run sources, store what they yield once per story, classify and summarize it.

Collecting the same input twice changes nothing: an article whose content hash is unchanged
is left alone; a changed one is updated (and re-classified) in place. A story that arrives
twice (another address, the same guid, the same wire text on another site) stays one article.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone

from . import classify, machine_summary, summarize
from .canonical import canonical_url
from .dedupe import NearDuplicateIndex
from .http import HttpClient
from .keywords import parse_keywords
from .models import Article, CategoryMapping, Section, Source
from .sources import SOURCES, FetchProblem, RawArticle

# A time this far ahead of the fetch is not believed (scheduled posts, wrong server clocks).
FUTURE_SLACK = dt.timedelta(hours=1)
NEAR_DUPLICATE_DAYS = dt.timedelta(days=14)
log = logging.getLogger(__name__)
STORE_BATCH = 50


@dataclass
class SourceReport:
    """What one source yielded: counts, and every input it could not use."""

    name: str
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # the same story under another address, guid or site
    problems: list[FetchProblem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return len(self.problems)

    @property
    def failed(self) -> bool:
        """Nothing read and something went wrong: the source is down, not merely quiet."""
        return self.fetched == 0 and bool(self.problems)


@dataclass
class CollectReport:
    sources: list[SourceReport] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(
            getattr(s, attr) if attr != "problems" else len(s.problems) for s in self.sources
        )

    @property
    def all_failed(self) -> bool:
        """Every source failed: the morning must not go out built on nothing."""
        return bool(self.sources) and all(s.failed for s in self.sources)

    def lines(self) -> list[str]:
        """The run summary, one line per source, with each error's text under it."""
        out = []
        for s in self.sources:
            out.append(
                f"{s.name}: fetched {s.fetched}, new {s.new}, updated {s.updated}, "
                f"unchanged {s.unchanged}, duplicates {s.duplicates}, errors {s.errors}"
            )
            out.extend(f"  error: {p}" for p in s.problems)
        if self.all_failed:
            out.append(f"EVERY SOURCE FAILED ({len(self.sources)}): nothing collected")
        return out


def section_rules() -> list[classify.SectionRule]:
    """Each section's rules; the admin's category mapping adds to its category hints.

    A keyword entry the admin would refuse (written into the database another way) is left
    out with a warning, so one typo cannot stop a morning's collection.
    """
    mapped: dict[int, list[str]] = {}
    for category, section_id in CategoryMapping.objects.values_list("category", "section_id"):
        mapped.setdefault(section_id, []).append(category)
    rules = []
    for s in Section.objects.all():
        keywords, problems = parse_keywords(s.keywords)
        for problem in problems:
            log.warning("section %s: keyword %s (left out)", s.key, problem)
        rules.append(
            classify.SectionRule(
                key=s.key,
                keywords=keywords,
                category_hints=(*(s.category_hints or ()), *mapped.get(s.id, ())),
                position=s.position,
                catch_all=s.catch_all,
            )
        )
    return rules


def open_source(source: Source, time_zone: str, client: HttpClient | None = None):
    """The reader for a configured Source row (web kinds share one careful HTTP client)."""
    try:
        kind = SOURCES[source.kind]
    except KeyError:
        raise ValueError(
            f"unknown source kind {source.kind!r} for source {source.name!r}"
        ) from None
    if source.kind == Source.Kind.FILES:
        return kind(source.location, time_zone=time_zone)
    return kind(
        source.location,
        time_zone=time_zone,
        options=source.options if isinstance(source.options, dict) else {},
        client=client,
        language=source.language,
        etag=source.etag,
        last_modified=source.last_modified,
    )


def collect(
    sources: Iterable[tuple[str, object, Source | None]],
    *,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> CollectReport:
    """Collect from ``(name, reader, Source row or None)`` triples; one bad input spoils nothing.

    ``since`` is the start of the window (aware); items dated before it are skipped by the
    sources. A source that raises is recorded as failed and the next one is read.
    """
    rules = section_rules()
    sections = {s.key: s for s in Section.objects.all()}
    near = NearDuplicateIndex(_recent_bodies)
    report = CollectReport()
    for name, reader, row in sources:
        sr = SourceReport(name)
        report.sources.append(sr)
        batch: list[RawArticle] = []
        try:
            for item in reader.fetch(since):
                if isinstance(item, FetchProblem):
                    sr.problems.append(item)
                    continue
                sr.fetched += 1
                batch.append(item)
                if len(batch) >= STORE_BATCH:
                    _store_batch(batch, sr, rules, sections, row, near, now)
        except Exception as exc:  # a bug or surprise in one source must not stop the others
            sr.problems.append(FetchProblem(name, f"{type(exc).__name__}: {exc}"))
        _store_batch(batch, sr, rules, sections, row, near, now)
        if row is not None:
            row.last_collected_at = timezone.now()
            row.last_error = "\n".join(str(p) for p in sr.problems[:20])
            fields = ["last_collected_at", "last_error"]
            validators = getattr(reader, "validators", None)
            if validators:
                row.etag = (validators.get("etag") or "")[:300]
                row.last_modified = (validators.get("last_modified") or "")[:100]
                fields += ["etag", "last_modified"]
            row.save(update_fields=fields)
    return report


def _store_batch(batch, sr: SourceReport, rules, sections, row, near, now) -> None:
    """Store and count a batch of articles, then empty it.

    One commit per batch, not per article: on SQLite each commit is a disk sync. Each article
    still has its own savepoint, so one bad row spoils only itself.
    """
    with transaction.atomic():
        for raw in batch:
            try:
                with transaction.atomic():
                    outcome = store(raw, rules, sections, row, near=near, now=now)
            except DatabaseError as exc:
                sr.problems.append(FetchProblem(raw.origin, f"could not store: {exc}"))
                continue
            setattr(sr, outcome, getattr(sr, outcome) + 1)
    batch.clear()
    # Outside the batch's transaction: the model may take seconds per article.
    machine_summary.write_pending(now=now)


def store(
    raw: RawArticle,
    rules: list[classify.SectionRule],
    sections: dict,
    source: Source | None = None,
    *,
    near: NearDuplicateIndex | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Insert or update one article; returns "new", "updated", "unchanged" or "duplicates".

    The same story is one article however it arrives: by canonical URL, by the source's guid
    (a WordPress ``?p=NNN`` beside its slug address), or by a near-identical body (a wire story
    on two sites, a post republished under a new slug). Of two versions the newest is kept, in
    the existing row, so edition items that point to it see the new version.
    """
    now = now or timezone.now()
    url = canonical_url(raw.url)
    guid = canonical_url(raw.guid) if raw.guid else ""
    published = raw.published_at
    date_source = raw.date_source
    if published is None or published > now + FUTURE_SLACK:
        # Undated, or dated in the future (a scheduled post, a wrong clock): the fetch time,
        # flagged so an editor can see it is an estimate.
        published, date_source = now, Article.DateSource.FETCHED
    digest = content_hash(raw)
    existing = Article.objects.filter(url=url).first()
    same_address = existing is not None
    if existing is None and guid:
        existing = (
            Article.objects.filter(guid=guid).first() or Article.objects.filter(url=guid).first()
        )
    if existing is None and url.startswith(("http://", "https://")):
        existing = Article.objects.filter(guid=url).first()
    near_match = False
    if existing is None and near is not None:
        key = near.find(raw.language, raw.body)
        existing = Article.objects.filter(id=key).first() if key else None
        near_match = existing is not None
    other_source = bool(
        existing and source is not None and existing.source_id not in (None, source.id)
    )
    if existing and existing.content_hash == digest:
        return "unchanged" if same_address and not other_source else "duplicates"
    if existing and not same_address:
        # Another address of a story we have: keep whichever version is newer.
        if published <= existing.published_at:
            return "duplicates"
    elif other_source and published <= existing.published_at:
        # The same address from another source (the site's feed and its API): a different
        # rendering is not a new version unless it is newer.
        return "duplicates"
    verdict = classify.classify(raw.title, raw.body, raw.categories, rules)
    summary = summarize.explain(raw.body, raw.language, raw.title)
    if summary.removed or not summary.text:
        log.debug(
            "summary of %s: %s%s",
            url,
            ", ".join(summary.rules) or "nothing removed",
            "" if summary.text else " (no usable sentence: the desk will ask for one)",
        )
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
        "section_runner_up": sections.get(verdict.runner_up) if verdict.runner_up else None,
        "section_thin_margin": verdict.thin,
        "summary": summary.text,
        "summary_source": machine_summary.source_on_store(),
        **_image_fields(raw),
    }
    if guid:
        fields["guid"] = guid[:1000]
    with transaction.atomic():
        if existing:
            if not same_address and not Article.objects.filter(url=url).exists():
                fields["url"] = url  # the newest version's address
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            if near is not None:
                near.add(existing.id, raw.language, raw.body)
            return "duplicates" if (near_match or not same_address) else "updated"
        article = Article.objects.create(url=url, **fields)
    if near is not None:
        near.add(article.id, raw.language, raw.body)
    return "new"


def _recent_bodies():
    """Articles collected in the last weeks: where a duplicate of today's story can be."""
    since = timezone.now() - NEAR_DUPLICATE_DAYS
    return Article.objects.filter(collected_at__gte=since).values_list("id", "language", "body")


def _image_fields(raw: RawArticle) -> dict:
    """The Article's lead-image fields from what the source gave (empty when none)."""
    image = raw.image
    return {
        "image_url": image.url if image else "",
        "image_alt": image.alt if image else "",
        "image_width": image.width if image else None,
        "image_height": image.height if image else None,
    }


def content_hash(raw: RawArticle) -> str:
    when = raw.published_at.isoformat() if raw.published_at else ""
    payload = json.dumps(
        [raw.title, raw.body, raw.byline, list(raw.categories), when],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
