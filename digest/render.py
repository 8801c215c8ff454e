"""Edition + variant -> subject, preheader, HTML and text, with per-reader placeholders.

Jinja2 fills the MJML template, the ``mjml`` package compiles it and premailer inlines the
CSS: once per variant (the set of sections a reader gets). Each reader's copy is then a cheap
substitution of a few placeholders (``personalize``).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import jinja2
from django.conf import settings

from .budget import BUDGET_BYTES, sent_size
from .colors import readable_on
from .korean_particles import with_particle
from .subjects import preheader_for, subject_for

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"

# Placeholders survive MJML and premailer untouched (checked in tests) and never occur in news.
UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"
PREFERENCES_URL = "%%PREFERENCES_URL%%"
EMAIL = "%%EMAIL%%"
PLACEHOLDERS = (UNSUBSCRIBE_URL, PREFERENCES_URL, EMAIL)
# What a person previewing an edition sees in their place: no reader's address or tokens.
PREVIEW_VALUES = {
    UNSUBSCRIBE_URL: "#unsubscribe",
    PREFERENCES_URL: "#preferences",
    EMAIL: "reader@example.com",
}


CARD_LIGHT, CARD_DARK = "#ffffff", "#1e1e1e"  # the story cards' backgrounds (the template's)


class RenderError(Exception):
    """The template could not be rendered or compiled; the message names the template."""


@dataclass(frozen=True)
class ItemView:
    headline: str
    summary: str
    url: str = ""
    byline: str = ""
    minutes: int | None = None  # reading time of the whole story, when its text is known
    image_url: str = ""  # the source's lead image, hosted (shown for the top story only)
    image_alt: str = ""
    image_width: int | None = None
    image_height: int | None = None


@dataclass(frozen=True)
class SectionView:
    key: str
    name: str
    items: tuple[ItemView, ...]
    accent: str = "#1f5f99"  # as set on the Section; the email adjusts it for contrast

    @property
    def light(self) -> str:
        """The accent as it reads on the white card (4.5:1)."""
        return readable_on(self.accent, CARD_LIGHT)

    @property
    def dark(self) -> str:
        """The accent as it reads on the dark-mode card (4.5:1)."""
        return readable_on(self.accent, CARD_DARK)


@dataclass(frozen=True)
class EditionView:
    """Everything the email shows, as plain data: no database needed to render."""

    list_name: str
    list_slug: str
    language: str
    date: dt.date
    subject: str
    preheader: str
    sections: tuple[SectionView, ...]
    site_name: str
    site_url: str
    postal_address: str
    extra: Mapping[str, str] = field(default_factory=dict)
    logo_url: str = ""
    publisher_name: str = ""  # the site's name in the list's language; site_name when empty
    editors_note: str = ""
    other_edition_url: str = ""  # the same day's edition in the other language, if any
    other_edition_language: str = ""

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)


@dataclass(frozen=True)
class RenderedVariant:
    sections: tuple[str, ...]
    subject: str
    preheader: str
    html: str
    text: str
    omitted: int = 0  # stories left for the web edition to keep the email under budget


def variant_for(chosen: Sequence[str], available: Sequence[str]) -> tuple[str, ...]:
    """The sections a reader gets today: their choice (all when empty) among today's sections."""
    if not chosen:
        return tuple(available)
    wanted = set(chosen)
    return tuple(key for key in available if key in wanted)


def render_variant(
    view: EditionView,
    sections: Sequence[str] | None = None,
    *,
    web: bool = False,
) -> RenderedVariant:
    """Render the edition restricted to ``sections`` (all when None).

    ``web`` renders the public archive page: no "view in browser" link (it is that page) and
    no reader's footer (no address, no unsubscribe or preferences link; a subscribe link).
    An email over the size budget (``budget.py``) keeps its first stories and ends with how
    many more the web edition has, rather than being clipped by Gmail; the web page is whole.
    """
    keys = tuple(view.section_keys if sections is None else sections)
    shown = tuple(s for s in view.sections if s.key in keys)
    if not shown:
        raise RenderError(f"no sections to render for {view.list_slug} {view.date}: {keys!r}")
    if keys == view.section_keys:
        subject, preheader = view.subject, view.preheader
    else:
        headlines = [item.headline for s in shown for item in s.items]
        subject = subject_for(headlines, view.language)
        preheader = preheader_for(headlines, view.language)
    total = sum(len(s.items) for s in shown)
    rendered = _render(view, keys, shown, subject, preheader, web, total)
    if web:
        return rendered
    keep = total
    while (size := sent_size(rendered.html)) > BUDGET_BYTES and keep > 1:
        # Drop about as many stories as the excess holds (each story's share of the size),
        # and one more for the "more stories" line: usually one more render, rarely two.
        excess_stories = (size - BUDGET_BYTES) * keep // size + 1
        keep = max(1, keep - excess_stories)
        rendered = _render(view, keys, shown, subject, preheader, web, keep)
    return rendered


def _render(
    view: EditionView,
    keys: tuple[str, ...],
    shown: tuple[SectionView, ...],
    subject: str,
    preheader: str,
    web: bool,
    keep: int,
) -> RenderedVariant:
    """One render of the variant with its first ``keep`` stories."""
    total = sum(len(s.items) for s in shown)
    listed = shown  # the masthead names every section of the variant, trimmed or not
    if keep < total:
        kept, left = [], keep
        for section in shown:
            if left <= 0:
                break
            kept.append(replace(section, items=section.items[:left]))
            left -= len(section.items)
        shown = tuple(kept)
    t = STRINGS[view.language if view.language in STRINGS else "en"]
    site_url = view.site_url
    context = {
        "edition": view,
        "sections": shown,
        "listed": listed,
        "others": tuple(s for s in view.sections if s.key not in keys),
        "top": shown[0].items[0],
        "omitted": total - keep,
        "subject": subject,
        "preheader": preheader,
        "t": t,
        "why": why_line(view),
        "publisher": view.publisher_name or view.site_name,
        "other_edition": STRINGS.get(view.other_edition_language, t)["this_edition"],
        "meta_line": lambda item: meta_line(item, view.language),
        "date_label": date_label(view.date, view.language),
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "preferences_url": PREFERENCES_URL,
        "email": EMAIL,
        "web": web,
        "archive_url": f"{site_url}/archive/{view.list_slug}/{view.date:%Y-%m-%d}/",
        "subscribe_url": f"{site_url}/subscribe/{view.list_slug}/",
    }
    env = environment()
    try:
        source = env.get_template("digest.mjml").render(context)
        text = env.get_template("digest.txt").render(context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"email template: {exc}") from exc
    return RenderedVariant(
        keys, subject, preheader, compile_mjml(source), _tidy_text(text), total - keep
    )


def why_line(view: EditionView) -> str:
    """Why the reader gets this email, in the list's language. In Korean the particle follows
    the list's name (을/를), the site is named in Korean, and not twice when the list's name
    already starts with it."""
    site = view.publisher_name or view.site_name
    if view.language == "ko":
        name = with_particle(view.list_name, "을")
        owner = "" if view.list_name.startswith(site) else f"{site}의 "
        return f"{owner}{name} 구독하셔서 이 메일을 받으셨습니다."
    return STRINGS["en"]["why"].format(list=view.list_name, site=site)


def meta_line(item: ItemView, language: str) -> str:
    """The byline and reading time under a headline, where known: "By Jane Kim · 3 min read"."""
    t = STRINGS[language if language in STRINGS else "en"]
    parts = []
    if item.byline:
        byline = item.byline.strip()
        parts.append(f"{t['by']} {byline}".strip() if t["by"] else byline)
    if item.minutes:
        parts.append(t["minutes"].format(n=item.minutes))
    return " · ".join(parts)


def compile_mjml(source: str) -> str:
    """MJML -> HTML -> inlined CSS, keeping the doctype, media queries and their !important."""
    # Imported here: a quarter of a second that a send reading the kept renderings
    # (digest/kept_renderings.py) never needs.
    import mjml
    import premailer

    try:
        result = mjml.mjml_to_html(source)
    except Exception as exc:  # mjml-python raises KeyError and friends on unknown tags
        raise RenderError(f"MJML could not compile the email: {exc!r}") from exc
    if getattr(result, "errors", None):
        raise RenderError(f"MJML reported: {result.errors}")
    compiled = result.html
    # premailer drops a lower-case doctype; the upper-case one survives.
    compiled = compiled.replace("<!doctype html>", "<!DOCTYPE html>", 1)
    inliner = premailer.Premailer(
        compiled,
        keep_style_tags=True,
        strip_important=False,
        allow_network=False,
        disable_validation=True,
        cssutils_logging_level=logging.CRITICAL,
        # MJML's `img { height: auto }` would replace an image's height attribute with
        # "auto"; the attribute keeps the space while the image loads (CSS still scales it).
        disable_basic_attributes=["height"],
    )
    return inliner.transform(pretty_print=False)


def personalize(rendered: RenderedVariant, values: Mapping[str, str]) -> tuple[str, str]:
    """Per-reader copy of (html, text): a few string replacements, nothing more."""
    return substitute(rendered.html, rendered.text, values)


def substitute(page: str, text: str, values: Mapping[str, str]) -> tuple[str, str]:
    """Replace each placeholder; values are HTML-escaped in the HTML part."""
    for key in PLACEHOLDERS:
        value = values.get(key, "")
        page = page.replace(key, html.escape(value, quote=True))
        text = text.replace(key, value)
    return page, text


def template_folder() -> str | None:
    """The newsroom's override folder for the email templates (``DIGEST_TEMPLATE_DIR``), if
    any: read here, where the templates are loaded, and nowhere else (without Django's
    settings, as in a plain script, there is none)."""
    if not settings.configured:
        return None
    return getattr(settings, "DIGEST_TEMPLATE_DIR", "") or None


def environment() -> jinja2.Environment:
    """The email's Jinja2 environment: the override folder first (the newsroom's restyle),
    the built-in templates second. Templates in the override folder can
    ``{% extends "default:digest.mjml" %}``."""
    return _environment(template_folder())


@lru_cache(maxsize=4)
def _environment(template_dir: str | None) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(BUILTIN_TEMPLATES)
    loaders: list[jinja2.BaseLoader] = []
    if template_dir:
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders += [builtin, jinja2.PrefixLoader({"default": builtin}, delimiter=":")]
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["mjml", "html"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def date_label(day: dt.date, language: str) -> str:
    if language == "ko":
        weekday = "월화수목금토일"[day.weekday()]
        return f"{day.year}년 {day.month}월 {day.day}일 {weekday}요일"
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


STRINGS = {
    "en": {
        "read_more": "Read the story",
        "minutes": "{n} min read",
        "editors_note": "From the editor",
        "more_stories": "{n} more stories on the web edition",
        "also_in": "Also in today's edition",
        "web_edition": "Read them on the web",
        "forwarded": "Forwarded this?",
        "this_edition": "Read in English",
        "why": "You are receiving this because you subscribed to {list} from {site}.",
        "sent_to": "This email was sent to",
        "unsubscribe": "Unsubscribe",
        "preferences": "Choose sections",
        "in_this_issue": "In this issue",
        "by": "By",
        "view_in_browser": "View in your browser",
        "subscribe": "Subscribe",
    },
    "ko": {
        "read_more": "기사 전문 보기",
        "minutes": "{n}분 분량",
        "editors_note": "편집자 메모",
        "more_stories": "웹판에서 기사 {n}건 더 보기",
        "also_in": "오늘 호의 다른 섹션",
        "web_edition": "웹판에서 보기",
        "forwarded": "전달받으셨나요?",
        "this_edition": "한국어판 보기",
        "sent_to": "수신 주소:",
        "unsubscribe": "수신 거부",
        "preferences": "받을 섹션 선택",
        "in_this_issue": "오늘의 주요 뉴스",
        "by": "",
        "view_in_browser": "브라우저에서 보기",
        "subscribe": "구독하기",
    },
}
