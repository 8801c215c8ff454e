"""The web server as operators run it: `digest serve` (gunicorn + WhiteNoise) and the
developer's `digest runserver`, both real processes with DEBUG off, over HTTP."""

from __future__ import annotations

import gzip
import re

import httpx
import pytest
from django.core.management import CommandError, call_command

from digest.testing.sites import Site
from digest.testing.web_server import SECRET_KEY, WebServer


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


def test_production_server_behind_a_tls_proxy_takes_a_login_and_refuses_a_forged_origin(site):
    """`digest serve` as Caddy reaches it: plain http on 127.0.0.1, with the proxy's
    X-Forwarded-Proto and -For. A login from the site's https origin is accepted; the same
    post from another origin is refused (CSRF), and a direct http request is sent to https."""
    made = site.run(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_user('editor', password='correct horse battery')",
        DJANGO_SECRET_KEY=SECRET_KEY,
    )
    assert made.returncode == 0, made.stderr
    proxy = {
        "Host": "news.example.com",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "198.51.100.7",
    }
    with WebServer(
        site, "serve", SITE_URL="https://news.example.com", DIGEST_TRUSTED_PROXIES="1"
    ) as web:

        def login(origin: str) -> httpx.Response:
            form = web.get("/desk/login/", headers=proxy)
            assert form.status_code == 200, form.text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
            # The cookie is marked Secure: a client that speaks https to Caddy sends it back.
            cookie = form.cookies["csrftoken"]
            return httpx.post(
                web.url + "/desk/login/",
                data={
                    "username": "editor",
                    "password": "correct horse battery",
                    "csrfmiddlewaretoken": token,
                },
                headers={**proxy, "Origin": origin, "Cookie": f"csrftoken={cookie}"},
                timeout=10,
            )

        accepted = login("https://news.example.com")
        assert accepted.status_code == 302 and accepted.headers["location"] == "/desk/"
        assert "secure" in accepted.headers["set-cookie"].lower()
        assert accepted.headers["strict-transport-security"].startswith("max-age=")
        assert login("https://evil.example").status_code == 403
        direct = web.get("/desk/login/", headers={"Host": "news.example.com"})
        assert direct.status_code == 301
        assert direct.headers["location"] == "https://news.example.com/desk/login/"
