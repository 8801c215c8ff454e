"""A WordPress site's REST API: ``/wp-json/wp/v2/posts``, the window's posts page by page.

The API is the best source the site has: exact GMT times, the whole post, and (with
``_embed``) the author and the category names editors chose, which become section hints
through the category mapping in the admin.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ..http import FetchError, HttpClient
from .base import FetchProblem, RawArticle
from .wpjson import PostError, read_post

PER_PAGE = 100
MAX_PAGES = 50  # 5,000 posts: more than a day of any site; a guard against a runaway loop


def _posts_endpoint(location: str) -> str:
    """The posts endpoint for a site address (``https://site``) or the endpoint itself."""
    location = location.strip()
    if "/wp-json/" in location or "rest_route=" in location:
        return location
    return location.rstrip("/") + "/wp-json/wp/v2/posts"


class WordPressSource:
    """``location``: the site (``https://www.example.com``) or its posts endpoint.

    ``options``: ``{"max_pages": 50, "params": {"categories": "12,15"}}`` (extra API filters).
    """

    def __init__(
        self,
        location: str,
        time_zone: str = "America/Los_Angeles",
        *,
        options: Mapping[str, Any] | None = None,
        client: HttpClient | None = None,
        language: str = "",
        now: dt.datetime | None = None,
        **_ignored: Any,
    ) -> None:
        self.endpoint = _posts_endpoint(location)
        self.tz = ZoneInfo(time_zone)
        self.options = dict(options or {})
        self.client = client or HttpClient()
        self.language = language
        self.now = now

    def fetch(self, since: dt.datetime | None = None) -> Iterator[RawArticle | FetchProblem]:
        now = self.now or dt.datetime.now(dt.UTC)
        params: dict[str, str | int] = {
            "per_page": PER_PAGE,
            "_embed": 1,
            "orderby": "date",
            "order": "desc",
            "before": _gmt(now),
        }
        if since:
            params["after"] = _gmt(since)
        params.update({k: str(v) for k, v in (self.options.get("params") or {}).items()})
        max_pages = int(self.options.get("max_pages", MAX_PAGES))
        page, total = 1, 1
        while page <= min(total, max_pages):
            where = f"{self.endpoint} page {page}"
            try:
                got = self.client.get(
                    self.endpoint, params={**params, "page": page}, accept="application/json"
                )
            except FetchError as exc:
                yield FetchProblem(where, str(exc))
                return
            try:
                posts = json.loads(got.text)
            except json.JSONDecodeError as exc:
                yield FetchProblem(where, f"not JSON (line {exc.lineno}: {exc.msg})")
                return
            if not isinstance(posts, list):
                message = posts.get("message") if isinstance(posts, dict) else None
                yield FetchProblem(where, f"not a list of posts ({message or 'unexpected JSON'})")
                return
            header = got.headers.get("x-wp-totalpages", "1")
            total = int(header) if header.isdigit() else 1
            for n, post in enumerate(posts):
                origin = f"{where} post {post.get('id', n) if isinstance(post, dict) else n}"
                try:
                    raw = read_post(post, self.tz, origin=origin)
                except PostError as exc:
                    yield FetchProblem(origin, str(exc))
                    continue
                if since and raw.published_at < since:
                    continue  # a server that ignored ``after``
                guid = post.get("guid")
                guid = guid.get("rendered", "") if isinstance(guid, dict) else str(guid or "")
                yield dataclasses.replace(
                    raw, guid=guid.strip(), language=self.language or raw.language
                )
            page += 1


def _gmt(when: dt.datetime) -> str:
    """WordPress reads ``after``/``before`` as ISO 8601; a trailing ``Z`` makes them GMT."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
