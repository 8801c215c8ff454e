"""The web server as operators run it: `digest serve` (gunicorn + WhiteNoise) and the
developer's `digest runserver`, both real processes with DEBUG off, over HTTP."""

from __future__ import annotations

import gzip
import re

import httpx
import pytest
from django.core.management import CommandError, call_command

from .processes import Site
from .servers import SECRET_KEY, WebServer


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path, DJANGO_SECRET_KEY=SECRET_KEY)
    done = site.run("migrate", "--no-input")
    assert done.returncode == 0, done.stderr
    yield site
    site.drop()


def stylesheets(page: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+\.css)"', page)


def test_production_server_serves_the_admin_styled_with_cache_busted_compressed_files(site):
    with WebServer(site, "serve") as web:
        login = web.get("/admin/login/")
        assert login.status_code == 200
        sheets = stylesheets(login.text)
        base = [s for s in sheets if s.startswith("/static/admin/css/base.")]
        assert base and re.fullmatch(r"/static/admin/css/base\.[0-9a-f]{12}\.css", base[0]), sheets
        for sheet in sheets:  # every stylesheet the page names loads
            answer = web.get(sheet)
            assert answer.status_code == 200, sheet
            assert answer.headers["content-type"].startswith("text/css")
        hashed = web.get(base[0], headers={"Accept-Encoding": "identity"})
        assert "immutable" in hashed.headers["cache-control"]  # a new version gets a new name
        assert "body" in hashed.text
        with httpx.stream(
            "GET", web.url + base[0], headers={"Accept-Encoding": "gzip"}, timeout=10
        ) as packed:
            assert packed.headers["content-encoding"] == "gzip"
            raw = b"".join(packed.iter_raw())  # as sent, not decoded
        assert len(raw) < len(hashed.content)
        assert gzip.decompress(raw) == hashed.content
        plain = web.get("/static/admin/css/base.css")  # the unhashed name still answers
        assert plain.status_code == 200 and "DJANGO Admin styles" in plain.text
        # ... and the hashed copy names the hashed copies of what it imports.
        assert re.search(r'url\("?[^)"]*\.[0-9a-f]{12}\.', hashed.text)
        assert web.get("/static/admin/css/no-such.css").status_code == 404
        health = web.get("/healthz")
        assert health.headers["content-type"] == "application/json"
        assert health.status_code == 200 and health.json()["database"]["ok"] is True
    assert re.search(r"static files: \d+ collected", web.output)  # on the first start

    with WebServer(site, "serve") as again:  # a restart with nothing changed collects nothing
        assert again.get(base[0]).status_code == 200
    assert "static files: up to date" in again.output


def test_runserver_with_debug_off_serves_the_admin_css(site):
    with WebServer(site, "runserver", "--noreload", "127.0.0.1:{port}") as web:
        login = web.get("/admin/login/")
        assert login.status_code == 200
        assert "/static/admin/css/base.css" in stylesheets(login.text)
        for sheet in stylesheets(login.text):
            answer = web.get(sheet)
            assert answer.status_code == 200, sheet
            assert answer.headers["content-type"].startswith("text/css")


def test_serve_prints_its_gunicorn_command_from_the_settings(settings):
    settings.DIGEST_BIND = "127.0.0.1:9999"
    settings.DIGEST_WEB_WORKERS = 3
    from io import StringIO

    out = StringIO()
    call_command("serve", "--print", "--threads", "2", stdout=out)
    command = out.getvalue()
    assert "gunicorn digest.wsgi:application --bind 127.0.0.1:9999 --workers 3" in command
    assert "--threads 2" in command
    with pytest.raises(CommandError, match="workers=0: use 1 or more"):
        call_command("serve", "--workers", "0")
