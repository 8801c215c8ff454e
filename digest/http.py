"""Fetching from the web for the collectors: one careful client instead of bare ``httpx.get``.

The web sends whatever it likes: pages that never finish, 10 MB of junk, redirect loops,
Korean pages in EUC-KR that say so only in a ``<meta>`` tag. Every source goes through
``HttpClient.get`` so each of these is handled once, here, and turns into a ``FetchError``
with a message an editor can act on, never an exception that stops the morning run.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

USER_AGENT = "digest/0.1 (morning newsletter collector; +https://www.koreadailyus.com/newsletter)"
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_ATTEMPTS = 3
PER_HOST = 2

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_PROLOG = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# EUC-KR pages often hold characters only its superset CP949 has; decoding as CP949 loses none.
_ALIASES = {
    "euc-kr": "cp949",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "x-windows-949": "cp949",
}


class FetchError(Exception):
    """A URL could not be fetched; the message says why in words an editor understands."""


class _Retryable(Exception):
    """A 5xx answer: worth asking again after a pause."""

    def __init__(self, status: int) -> None:
        super().__init__(f"server error {status}")
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """One answer: the final address (after redirects), the decoded text and the validators."""

    url: str
    status: int
    content: bytes
    text: str
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class HttpClient:
    """A synchronous httpx client with timeouts, retries, a size cap and per-host limits.

    ``backoff`` is the first pause between attempts in seconds (doubling after); tests set it
    to 0 so that none of them sleeps.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = 0.5,
        per_host: int = PER_HOST,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.per_host = per_host
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._hosts_lock = threading.Lock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=True,
            max_redirects=max_redirects,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        etag: str = "",
        last_modified: str = "",
        accept: str = "*/*",
    ) -> Fetched:
        """Fetch ``url`` once (retrying timeouts and 5xx); a 304 comes back with no content."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff, max=30) if self.backoff else _no_wait,
            retry=retry_if_exception(_retryable),
            reraise=False,
        )
        with self._host_slot(url):
            try:
                return retrying(self._get_once, url, params, headers)
            except RetryError as exc:
                raise FetchError(_describe(exc.last_attempt.exception(), self)) from None
            except FetchError:
                raise
            except httpx.TooManyRedirects:
                raise FetchError(
                    f"too many redirects (more than {self._client.max_redirects}): a redirect loop?"
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                raise FetchError(_describe(exc, self)) from None

    def get_many(
        self, urls: Iterable[str], workers: int = 8
    ) -> Iterator[tuple[str, Fetched | FetchError]]:
        """Fetch several pages at once (at most ``per_host`` per host), in the order given."""
        urls = list(urls)

        def one(u: str) -> Fetched | FetchError:
            try:
                return self.get(u, accept="text/html,application/xhtml+xml")
            except FetchError as exc:
                return exc

        if len(urls) <= 1:
            for u in urls:
                yield u, one(u)
            return
        with ThreadPoolExecutor(max_workers=min(workers, len(urls))) as pool:
            yield from zip(urls, pool.map(one, urls), strict=True)

    def _host_slot(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            slot = self._hosts.get(host)
            if slot is None:
                slot = self._hosts[host] = threading.BoundedSemaphore(self.per_host)
        return slot

    def _get_once(self, url: str, params, headers: dict[str, str]) -> Fetched:
        with self._client.stream("GET", url, params=params, headers=headers) as response:
            if response.status_code >= 500:
                raise _Retryable(response.status_code)
            if response.status_code == 304:
                return Fetched(
                    url=str(response.url),
                    status=304,
                    content=b"",
                    text="",
                    etag=response.headers.get("etag", ""),
                    last_modified=response.headers.get("last-modified", ""),
                    headers=dict(response.headers),
                )
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(_too_big(self.max_bytes))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(_too_big(self.max_bytes))
                chunks.append(chunk)
            content = b"".join(chunks)
            content_type = response.headers.get("content-type", "")
            return Fetched(
                url=str(response.url),
                status=response.status_code,
                content=content,
                text=decode(content, content_type),
                content_type=content_type,
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
                headers=dict(response.headers),
            )


def decode(content: bytes, content_type: str = "") -> str:
    """Bytes to text: the header's charset, else the XML prolog, else ``<meta>``, else UTF-8.

    Without any declaration, bytes that are not UTF-8 are read as CP949 (Korean sites that
    forgot to say so), and failing that as Latin-1, so decoding itself never fails.
    """
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    for name in _declared(content, content_type):
        try:
            return content.decode(name, errors="replace")
        except LookupError:
            continue
    for name in ("utf-8", "cp949"):
        try:
            return content.decode(name)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _declared(content: bytes, content_type: str) -> list[str]:
    found: list[str] = []
    if m := _HEADER_CHARSET.search(content_type or ""):
        found.append(m.group(1))
    head = content[:4096]
    if m := _XML_PROLOG.match(head):
        found.append(m.group(1).decode("ascii", "ignore"))
    if m := _META_CHARSET.search(head):
        found.append(m.group(1).decode("ascii", "ignore"))
    return [_ALIASES.get(name.lower(), name.lower()) for name in found]


def _retryable(exc: BaseException) -> bool:
    """Timeouts, dropped connections and 5xx answers are worth another try; nothing else."""
    return isinstance(exc, _Retryable | httpx.TimeoutException | httpx.NetworkError)


def _no_wait(retry_state) -> float:
    return 0.0


def _too_big(limit: int) -> str:
    return f"response larger than {limit / 1024 / 1024:.0f} MB: not an article page or feed"


def _describe(exc: BaseException | None, client: HttpClient) -> str:
    tries = f"after {client.attempts} tries" if client.attempts > 1 else ""
    if isinstance(exc, _Retryable):
        return f"server error {exc.status} {tries}".strip()
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out {tries}".strip()
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({exc}) {tries}".strip()
    if isinstance(exc, httpx.NetworkError):
        return f"network error ({exc}) {tries}".strip()
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects: a redirect loop?"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not a web address ({exc})"
    return f"{type(exc).__name__}: {exc}" if exc else "unknown error"
