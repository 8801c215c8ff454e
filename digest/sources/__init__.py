"""Where articles come from: one module per kind, each a ``Source`` with ``fetch(since)``.

``SOURCES`` maps a ``digest.models.Source.kind`` to the class that reads it.
"""

from .base import FetchProblem, RawArticle, Source
from .files import FolderSource

SOURCES: dict[str, type] = {"files": FolderSource}

__all__ = ["SOURCES", "FetchProblem", "FolderSource", "RawArticle", "Source"]
