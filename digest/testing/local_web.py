"""A local web for the collector: a threaded http.server on 127.0.0.1, on a free port.

It serves the files of a folder (``{base}`` in a file becomes the server's address; the tests
serve ``tests/fixtures/web/``), routes a caller adds, and a few addresses that misbehave on
purpose: a 500, a slow answer, 10 MB, a redirect loop, a WordPress posts endpoint with
pagination, and a feed that answers 304 to its own ETag. Every request is logged (path,
query, headers) so tests can assert what the collector asked for.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
}
SLOW_SECONDS = 2.0
HUGE_BYTES = 10 * 1024 * 1024

Answer = tuple[int, dict[str, str], bytes]
UNSIZED = "X-Test-Unsized"  # an answer header: send the body without Content-Length, then close


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up early (size caps, timeouts) are what the tests provoke


class LocalWeb:
    """Start with ``with LocalWeb() as web:``; ``web.url("/path")`` is an address on it."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.requests: list[dict] = []
        self.routes: dict[str, Callable[[dict], Answer]] = {}
        self.wp_posts: list[dict] | None = None  # set to serve generated posts (the bench)
        self._lock = threading.Lock()
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r["path"] == path]

    def __enter__(self) -> LocalWeb:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- answers ------------------------------------------------------------------------

    def answer(self, request: dict) -> Answer:
        path = request["path"]
        if path in self.routes:
            return self.routes[path](request)
        if path == "/error-500":
            return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return 200, {"Content-Type": "text/html"}, b"<html><body>late</body></html>"
        if path == "/huge":
            return 200, {"Content-Type": "text/html"}, b"<p>" + b"x" * HUGE_BYTES
        if path == "/huge-unsized":  # no Content-Length: the cap must hold while reading
            return 200, {"Content-Type": "text/html", UNSIZED: "1"}, b"<p>" + b"x" * HUGE_BYTES
        if path.startswith("/loop-"):
            nxt = "/loop-b" if path == "/loop-a" else "/loop-a"
            return 302, {"Location": nxt}, b""
        if path == "/moved":
            return 301, {"Location": "/site/feed.xml"}, b""
        if path.endswith("/wp-json/wp/v2/posts"):
            return self._wordpress(request)
        return self._file(request)

    def _file(self, request: dict) -> Answer:
        if self.root is None:
            return 404, {"Content-Type": "text/plain"}, b"Not Found"
        path = (self.root / request["path"].lstrip("/")).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            return 404, {"Content-Type": "text/plain"}, b"Not Found"
        body = path.read_bytes().replace(b"{base}", self.base.encode())
        headers = {"Content-Type": TYPES.get(path.suffix, "application/octet-stream")}
        if path.name.endswith(".euc-kr.html"):
            headers["Content-Type"] = "text/html"  # the charset is only in <meta>
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if path.suffix in {".xml", ".rss", ".atom"}:
            headers["ETag"] = etag
            headers["Last-Modified"] = "Tue, 24 Nov 2026 15:00:00 GMT"
            if request["headers"].get("if-none-match") == etag:
                return 304, {"ETag": etag}, b""
        return 200, headers, body

    def _wordpress(self, request: dict) -> Answer:
        """``/<site>/wp-json/wp/v2/posts``: fixture pages ``posts-<n>.json``, or generated."""
        query = request["query"]
        page = int(query.get("page", ["1"])[0])
        if self.wp_posts is not None:
            per_page = int(query.get("per_page", ["10"])[0])
            total = max(1, -(-len(self.wp_posts) // per_page))
            chunk = self.wp_posts[(page - 1) * per_page : page * per_page]
            body = json.dumps(chunk).replace("{base}", self.base).encode()
        elif self.root is None:
            return 404, {"Content-Type": "text/plain"}, b"Not Found"
        else:
            folder = self.root / request["path"].lstrip("/").removesuffix("/wp-json/wp/v2/posts")
            pages = sorted(folder.glob("posts-*.json"))
            total = len(pages)
            if not 1 <= page <= total:
                error = {"code": "rest_post_invalid_page_number", "message": "bad page"}
                return 400, {"Content-Type": "application/json"}, json.dumps(error).encode()
            body = pages[page - 1].read_bytes().replace(b"{base}", self.base.encode())
        headers = {
            "Content-Type": "application/json; charset=UTF-8",
            "X-WP-TotalPages": str(total),
        }
        return 200, headers, body

    def _handler(self):
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                parts = urlsplit(self.path)
                request = {
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                }
                with web._lock:
                    web.requests.append(request)
                status, headers, body = web.answer(request)
                unsized = headers.pop(UNSIZED, None)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    if unsized:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    else:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a size cap, a timeout): that is the test

            def log_message(self, *args):  # quiet
                pass

        return Handler
