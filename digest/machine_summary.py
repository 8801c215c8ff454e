"""Which summary a collected article gets: the LLM's when it is on, under the cap and
faithful; else the extractive one that collection always makes first.

Collection stores every new or changed article with its extractive summary, marked
``pending`` when the writer is on (``source_on_store``), and after each batch has been
committed asks the writer for those (``write_pending``): no database transaction is held
open while the model thinks, which on SQLite would stop every other writer for minutes.

- **Off by default.** No ``DIGEST_LLM_URL``: nothing is pending, nothing is asked.
- **One request per article version.** Only a new or changed article (a new content hash)
  becomes pending; an unchanged one is never collected again, so never asked again. Each
  pending article is claimed by one conditional update, so two processes never both ask.
- **A daily cap** (``DIGEST_LLM_DAILY_CAP`` requests per day in ``DIGEST_TIME_ZONE``),
  counted in ``LlmUsage`` so every process shares it; past it, the extractive summary stays
  and one line is logged for the day.
- **The gate.** An answer is used only when ``digest.faithfulness`` finds every number, date,
  name and quote of it in the article; a refusal, like any error of the writer, keeps the
  extractive summary and logs why.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import faithfulness
from .llm_writer import SHORT, Length, LlmWriter, WriterConfig, WriterError
from .models import Article, LlmUsage

log = logging.getLogger(__name__)
SummarySource = Article.SummarySource


def source_on_store() -> str:
    """The summary source of an article collection has just stored or changed."""
    return SummarySource.PENDING if settings.DIGEST_LLM_URL else SummarySource.EXTRACTIVE


def write_pending(
    *,
    writer: LlmWriter | None = None,
    length: Length = SHORT,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Ask the writer for every pending article's summary; returns counts by outcome
    (``llm``, ``refused``, ``failed``, ``over_cap``)."""
    counts = {"llm": 0, "refused": 0, "failed": 0, "over_cap": 0}
    pending = list(
        Article.objects.filter(summary_source=SummarySource.PENDING).order_by("id").only("id")
    )
    if not pending:
        return counts
    config = WriterConfig.from_settings()
    if config is None:  # turned off since these were stored
        Article.objects.filter(summary_source=SummarySource.PENDING).update(
            summary_source=SummarySource.EXTRACTIVE
        )
        return counts
    own = writer is None
    writer = writer or LlmWriter(config)
    day = _today(now)
    try:
        for row in pending:
            # Claimed by turning it extractive: a crash or an error below leaves it so.
            if not _claim(row.id):
                continue
            if not _count_request(day, config.daily_cap):
                counts["over_cap"] += 1
                continue
            try:
                outcome = _write_one(Article.objects.get(id=row.id), writer, length)
            except Exception:  # a bug here must not stop the morning's collection
                log.exception("LLM summary failed for article %s; extractive kept", row.id)
                outcome = "failed"
            counts[outcome] += 1
    finally:
        if own:
            writer.close()
    return counts


def _write_one(article: Article, writer: LlmWriter, length: Length) -> str:
    where = article.url
    try:
        text = writer.write(article.title, article.body, article.language, length)
    except WriterError as exc:
        log.warning("LLM summary not used for %s: %s; extractive kept", where, exc)
        return "failed"
    verdict = faithfulness.check(text, f"{article.title}\n\n{article.body}")
    if not verdict.faithful:
        log.warning(
            "LLM summary refused for %s: %s; extractive kept (refused text: %r)",
            where,
            verdict,
            text,
        )
        return "refused"
    # Only if the article is still the version the summary was written from.
    Article.objects.filter(id=article.id, content_hash=article.content_hash).update(
        summary=text, summary_source=SummarySource.LLM, summary_llm_hash=article.content_hash
    )
    return "llm"


def _claim(article_id: int) -> bool:
    return bool(
        Article.objects.filter(id=article_id, summary_source=SummarySource.PENDING).update(
            summary_source=SummarySource.EXTRACTIVE, summary_llm_hash=""
        )
    )


def _today(now: dt.datetime | None) -> dt.date:
    now = now or timezone.now()
    return now.astimezone(ZoneInfo(settings.DIGEST_TIME_ZONE)).date()


def _count_request(day: dt.date, cap: int) -> bool:
    """Take one of the day's requests; False (and one log line a day) when none is left.

    A single conditional UPDATE, so processes counting at once never exceed the cap.
    """
    try:
        with transaction.atomic():
            LlmUsage.objects.get_or_create(day=day)
    except IntegrityError:
        pass  # another process created the day's row first
    if LlmUsage.objects.filter(day=day, requests__lt=cap).update(requests=F("requests") + 1):
        return True
    first = LlmUsage.objects.filter(day=day, over_cap=0).update(over_cap=1)
    if not first:
        LlmUsage.objects.filter(day=day).update(over_cap=F("over_cap") + 1)
    else:
        log.warning(
            "LLM daily cap reached (%d requests on %s): extractive summaries until tomorrow",
            cap,
            day,
        )
    return False
