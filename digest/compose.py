"""(list, date) -> Edition: the day's articles grouped by section, ranked and capped.

Composing twice gives the same edition: an existing edition is returned untouched (editors
may have changed it) unless a rebuild of a draft is asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from subscribers.models import MailingList

from .models import Article, Edition, EditionItem, Section
from .reading import reading_minutes
from .render import EditionView, ItemView, SectionView
from .subjects import preheader_for, subject_for
from .summarize import shorten
from .utm import with_utm


class ComposeError(Exception):
    """The edition cannot be composed; the message says what to do."""


@dataclass(frozen=True)
class ComposeResult:
    edition: Edition
    created: bool
    items_by_section: dict[str, int]


def day_window(day: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The calendar day in the list's time zone, as a UTC interval (23 or 25 hours at DST)."""
    tz = ZoneInfo(time_zone)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def day_or_today(value: str | None, time_zone: str) -> dt.date:
    """A YYYY-MM-DD argument, or today in the list's time zone."""
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ComposeError(f"{value!r} is not a date: use YYYY-MM-DD") from None
    return dt.datetime.now(ZoneInfo(time_zone)).date()


def send_deadline(mailing_list: MailingList, day: dt.date) -> dt.datetime:
    """The list's send deadline on that day, in its time zone (as UTC: DST-correct)."""
    local = dt.datetime.combine(
        day, mailing_list.send_deadline, tzinfo=ZoneInfo(mailing_list.time_zone)
    )
    return local.astimezone(dt.UTC)


def compose(
    mailing_list: MailingList,
    day: dt.date,
    *,
    rebuild: bool = False,
    now: dt.datetime | None = None,
) -> ComposeResult:
    """Compose (or return) the list's edition of ``day``.

    A new edition gets ``send_before`` from the list's send deadline, so a morning the server
    missed is never sent late by itself. Composing a day whose deadline has already passed (an
    operator rebuilding an old edition, the demo) sets none: sending it is then a person's
    explicit choice, not the scheduler's.
    """
    existing = Edition.objects.filter(mailing_list=mailing_list, date=day).first()
    if existing and not rebuild:
        return ComposeResult(existing, False, _counts(existing))
    if existing and existing.status != Edition.Status.DRAFT:
        raise ComposeError(
            f"edition {existing} is {existing.get_status_display().lower()}; only a draft "
            "can be rebuilt"
        )
    picked = _select_items(mailing_list, day, exclude_edition=existing)
    if not picked:
        start, end = day_window(day, mailing_list.time_zone)
        raise ComposeError(
            f"no {mailing_list.get_language_display()} articles for {mailing_list.slug} on "
            f"{day:%Y-%m-%d} ({start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M} UTC) that an "
            "earlier edition has not used: collect first (`digest collect`)"
        )
    headlines = [article.title for _, article in picked]
    with transaction.atomic():
        edition = existing or Edition(mailing_list=mailing_list, date=day)
        edition.subject = subject_for(headlines, mailing_list.language)
        edition.preheader = preheader_for(headlines, mailing_list.language)
        deadline = send_deadline(mailing_list, day)
        edition.send_before = deadline if deadline > (now or timezone.now()) else None
        edition.save()
        edition.items.all().delete()
        items, positions = [], {}
        for section, article in picked:
            positions[section.pk] = positions.get(section.pk, 0) + 1
            items.append(
                EditionItem(
                    edition=edition,
                    article=article,
                    section=section,
                    position=positions[section.pk],
                    headline=article.title,
                    # The list's length, cut from the article's standard summary at a
                    # sentence end; the item is the editors' copy from here on.
                    summary=shorten(
                        article.summary, mailing_list.language, mailing_list.summary_length
                    ),
                    url=article.link,
                )
            )
        EditionItem.objects.bulk_create(items)
    return ComposeResult(edition, existing is None, _counts(edition))


def _select_items(
    mailing_list: MailingList, day: dt.date, exclude_edition: Edition | None = None
) -> list[tuple[Section, Article]]:
    """The day's unused articles in the list's language, in section order, capped per section."""
    start, end = day_window(day, mailing_list.time_zone)
    used = EditionItem.objects.filter(edition__mailing_list=mailing_list, article__isnull=False)
    if exclude_edition is not None:
        used = used.exclude(edition=exclude_edition)
    articles = (
        Article.objects.filter(
            published_at__gte=start, published_at__lt=end, language=mailing_list.language
        )
        .exclude(pk__in=used.values("article_id"))
        .order_by("-published_at", "id")
    )
    sections = list(Section.objects.all())
    fallback = next((s for s in sections if s.catch_all), sections[-1] if sections else None)
    by_section: dict[int, list[Article]] = {s.pk: [] for s in sections}
    for article in articles:
        section_id = article.section_id if article.section_id in by_section else fallback.pk
        by_section[section_id].append(article)
    return [
        (section, article)
        for section in sections
        for article in by_section[section.pk][: section.max_items]
    ]


def _counts(edition: Edition) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in edition.items.values_list("section__key", flat=True):
        counts[key] = counts.get(key, 0) + 1
    return counts


def edition_view(edition: Edition) -> EditionView:
    """The edition as plain data for rendering: read once per edition, not per reader."""
    mailing_list = edition.mailing_list
    language = mailing_list.language
    sections: dict[str, tuple[str, list[ItemView], str]] = {}
    for item in edition.items.select_related("section", "article").order_by(
        "section__position", "position", "id"
    ):
        entry = sections.setdefault(
            item.section.key,
            (item.section.name_for(language), [], item.section.accent()),
        )
        article = item.article
        entry[1].append(
            ItemView(
                headline=item.headline,
                summary=item.summary,
                url=with_utm(item.url, mailing_list.utm_params),
                byline=article.byline if article else "",
                minutes=reading_minutes(article.body, language) if article else None,
                image_url=article.image_url if article else "",
                image_alt=(article.image_alt or item.headline) if article else "",
                image_width=article.image_width if article else None,
                image_height=article.image_height if article else None,
            )
        )
    other = mailing_list.other_language
    return EditionView(
        list_name=mailing_list.name,
        list_slug=mailing_list.slug,
        language=language,
        date=edition.date,
        subject=edition.subject,
        preheader=edition.preheader,
        sections=tuple(
            SectionView(key, name, tuple(items), accent)
            for key, (name, items, accent) in sections.items()
        ),
        site_name=settings.DIGEST_SITE_NAME,
        site_url=settings.SITE_URL,
        postal_address=settings.DIGEST_POSTAL_ADDRESS,
        logo_url=mailing_list.logo_url,
        publisher_name=mailing_list.publisher_name,
        editors_note=edition.editors_note,
        other_edition_url=_other_edition_url(other, edition.date) if other else "",
        other_edition_language=other.language if other else "",
    )


def _other_edition_url(other: MailingList, day: dt.date) -> str:
    """The other language's edition of the day in the archive, once it exists; until then
    its archive's index, so the link never leads nowhere (a rendering kept before the other
    edition was composed is made again: the view differs)."""
    if (
        Edition.objects.filter(mailing_list=other, date=day)
        .exclude(status=Edition.Status.CANCELLED)
        .exists()
    ):
        return f"{settings.SITE_URL}/archive/{other.slug}/{day:%Y-%m-%d}/"
    return f"{settings.SITE_URL}/archive/{other.slug}/"
