"""An edition rendered for a person to look at: no reader's address or tokens in it."""

from __future__ import annotations

from pathlib import Path

from .compose import edition_view
from .models import Edition
from .render import EMAIL, PREFERENCES_URL, UNSUBSCRIBE_URL, personalize, render_variant

PREVIEW_VALUES = {
    UNSUBSCRIBE_URL: "#unsubscribe",
    PREFERENCES_URL: "#preferences",
    EMAIL: "reader@example.com",
}


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
