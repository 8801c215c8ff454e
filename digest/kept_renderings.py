"""An edition's renderings, kept: each variant is rendered once per edition, not once per run.

Approving an edition renders every variant its readers need and keeps them, so a template
that fails is found on the desk rather than at six in the morning, and the send (however
many runs and helper processes) reads them instead of rendering. A run that meets a variant
nobody kept renders it and keeps it for the next.

A kept rendering carries a fingerprint of what it was made from: the edition as the
templates see it, the template files, the rendering code and the versions of the libraries
that compile it. A rendering made from anything else is never sent; the variant is rendered
again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from django.db import DatabaseError, transaction

from subscribers.audience import eligible_choices

from . import budget, colors, korean_particles, render, subjects
from .compose import edition_view
from .models import Edition, EditionRender
from .render import EditionView, RenderedVariant, render_variant, variant_for

log = logging.getLogger(__name__)

Variants = dict[tuple[str, ...], RenderedVariant]

# What shapes a rendering besides the edition and the templates.
CODE = tuple(
    Path(module.__file__) for module in (render, subjects, budget, colors, korean_particles)
)
LIBRARIES = ("mjml", "premailer", "Jinja2", "cssutils")


def fingerprint(view: EditionView) -> str:
    """What a rendering of ``view`` is made from, as one hash: the view, the templates in
    use (the override folder's and the built-in ones), our rendering code and libraries."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("view", repr(view).encode())
    for folder in (render.template_folder(), render.BUILTIN_TEMPLATES):
        if folder and Path(folder).is_dir():
            for path in sorted(Path(folder).rglob("*")):
                if path.is_file():
                    add(f"template {path.relative_to(folder)}", path.read_bytes())
    add("code and libraries", _code_and_libraries().encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_and_libraries() -> str:
    # Fixed for the life of a process: read once.
    code = [hashlib.sha256(path.read_bytes()).hexdigest() for path in CODE]
    return " ".join([*code, *(f"{name}={_version(name)}" for name in LIBRARIES)])


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def kept(edition: Edition, key: str) -> Variants:
    """The edition's renderings made from ``key``, by variant."""
    rows = EditionRender.objects.filter(edition=edition, fingerprint=key).values_list(
        "sections", "subject", "preheader", "html", "text"
    )
    variants: Variants = {}
    for sections, subject, preheader, page, text in rows:
        keys = tuple(sections.split(","))
        variants[keys] = RenderedVariant(keys, subject, preheader, page, text)
    return variants


def keep(edition: Edition, key: str, variants: Mapping[tuple[str, ...], RenderedVariant]) -> None:
    """Keep these renderings of the edition; drop its renderings made from anything else,
    and those of editions that are finished (sent or cancelled)."""
    finished = (Edition.Status.SENT, Edition.Status.CANCELLED)
    with transaction.atomic():
        EditionRender.objects.filter(edition=edition).exclude(fingerprint=key).delete()
        EditionRender.objects.filter(edition__status__in=finished).delete()
        EditionRender.objects.bulk_create(
            [
                EditionRender(
                    edition=edition,
                    sections=",".join(variant.sections),
                    fingerprint=key,
                    subject=variant.subject,
                    preheader=variant.preheader,
                    html=variant.html,
                    text=variant.text,
                )
                for variant in variants.values()
            ],
            ignore_conflicts=True,  # kept already, by this run or another
        )


def keep_if_possible(
    edition: Edition, key: str, variants: Mapping[tuple[str, ...], RenderedVariant]
) -> bool:
    """``keep``, for a run that goes on without it (it holds the renderings in memory; the
    next run renders again): a database that cannot take them now is logged, not raised."""
    try:
        keep(edition, key, variants)
    except DatabaseError as exc:
        log.warning(
            "%s: the renderings could not be kept (%s); the next run renders again", edition, exc
        )
        return False
    return True


def render_missing(
    view: EditionView,
    choices: Iterable[Sequence[str]],
    into: Variants | None = None,
) -> Variants:
    """Render the variant of each reader's choice that ``into`` does not hold yet, into it
    (no database: a thread may run it beside a query). A choice of nothing is the whole
    edition. Raises ``RenderError``; what was rendered before it stays in ``into``."""
    variants = {} if into is None else into
    for choice in choices:
        sections = variant_for(choice, view.section_keys)
        if sections and sections not in variants:
            variants[sections] = render_variant(view, sections)
    return variants


def render_for_readers(edition: Edition, view: EditionView | None = None) -> Variants:
    """Render (unless kept already) and keep every variant the list's readers need now, with
    the configured templates.

    Raises ``RenderError`` naming the template when one cannot be rendered; nothing is kept
    then."""
    view = edition_view(edition) if view is None else view
    key = fingerprint(view)
    # The whole edition always (it tries every template), then each choice readers made.
    choices = [(), *eligible_choices(edition.mailing_list_id)]
    variants = render_missing(view, choices, into=kept(edition, key))
    keep(edition, key, variants)
    return variants
