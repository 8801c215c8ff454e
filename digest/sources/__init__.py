"""Where articles come from: one module per kind, each a ``Source`` with ``fetch(since)``.

``SOURCES`` maps a ``digest.models.Source.kind`` to the class that reads it. Each is built as
``cls(location, time_zone=..., options=..., client=..., language=..., etag=...,
last_modified=...)`` and ignores what it does not need.
"""

from .article_pages import PageSource
from .base import FetchProblem, RawArticle, Source
from .feed import FeedSource
from .files import FolderSource
from .wordpress import WordPressSource

SOURCES: dict[str, type] = {
    "files": FolderSource,
    "feed": FeedSource,
    "wordpress": WordPressSource,
    "page": PageSource,
}

__all__ = [
    "SOURCES",
    "FeedSource",
    "FetchProblem",
    "FolderSource",
    "PageSource",
    "RawArticle",
    "Source",
    "WordPressSource",
]
