"""A folder of saved articles: page dumps (``.txt``) and WordPress post objects (``.json``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from .base import FetchProblem, RawArticle
from .saved_page_cleaner import SavedPageError, clean_pages
from .wpjson import PostError, read_post

SUFFIXES = {".txt", ".json"}


class FolderSource:
    """Reads every ``.txt`` and ``.json`` file in a folder (and its sub-folders), in name order."""

    def __init__(
        self, location: str | Path, time_zone: str = "America/Los_Angeles", **_ignored: object
    ) -> None:
        self.folder = Path(location).expanduser()
        self.tz = ZoneInfo(time_zone)

    def fetch(self, since: dt.datetime | None = None) -> Iterator[RawArticle | FetchProblem]:
        if not self.folder.is_dir():
            yield FetchProblem(str(self.folder), "no such folder: check the source's location")
            return
        files = sorted(
            p for p in self.folder.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
        )
        for path in files:
            for item in self.read_file(path):
                if isinstance(item, RawArticle) and since and item.published_at < since:
                    continue
                yield item

    def read_file(self, path: Path) -> Iterator[RawArticle | FetchProblem]:
        origin = str(path)
        try:
            text = _decode(path.read_bytes())
            # A page that prints no date is dated by when it was saved: the file's time.
            saved_at = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        except OSError as exc:
            yield FetchProblem(origin, f"cannot read the file ({exc.strerror or exc})")
            return
        except UnicodeDecodeError:
            yield FetchProblem(origin, "not UTF-8 or CP949 text: save it as UTF-8")
            return
        if not text.strip():
            yield FetchProblem(origin, "empty file")
            return
        if path.suffix.lower() == ".json":
            yield from self._read_json(text, origin)
            return
        try:
            # A listing page holds several stories; an ordinary page goes to clean_page.
            pages = clean_pages(text, self.tz, saved_at)
        except SavedPageError as exc:
            yield FetchProblem(origin, str(exc))
            return
        for page in pages:
            yield RawArticle(
                url=page.url,
                title=page.headline,
                body=page.body,
                language=page.language,
                published_at=page.published_at,
                date_source=page.date_source,
                byline=page.byline,
                origin=origin,
            )

    def _read_json(self, text: str, origin: str) -> Iterator[RawArticle | FetchProblem]:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield FetchProblem(origin, f"not valid JSON (line {exc.lineno}: {exc.msg})")
            return
        posts = data if isinstance(data, list) else [data]
        for n, post in enumerate(posts):
            where = f"{origin}[{n}]" if isinstance(data, list) else origin
            try:
                yield read_post(post, self.tz, origin=where)
            except PostError as exc:
                yield FetchProblem(where, f"{exc} (expected a WordPress /wp/v2/posts object)")


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; Korean files saved from Windows come as CP949."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp949")
