"""An edition written to files for a person to open (`digest preview`, `make demo`): the HTML
and the text part, with stand-ins where a reader's address and links would be."""

from __future__ import annotations

from pathlib import Path

from .compose import edition_view
from .models import Edition
from .render import PREVIEW_VALUES, personalize, render_variant


def write_preview(
    edition: Edition, path: Path, sections: tuple[str, ...] | None = None
) -> tuple[Path, Path]:
    """Write the HTML and the text part next to each other; returns both paths."""
    rendered = render_variant(edition_view(edition), sections)
    html, text = personalize(rendered, PREVIEW_VALUES)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    text_path = path.with_suffix(".txt")
    text_path.write_text(f"Subject: {rendered.subject}\n\n{text}", encoding="utf-8")
    return path, text_path
