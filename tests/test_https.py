"""HTTPS and proxies from configuration: what SITE_URL and DIGEST_TRUSTED_PROXIES turn on, the
deployment check of the documented production settings, and a login through a proxy that
terminates TLS."""

from __future__ import annotations

import re
import secrets

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from .settings_probe import clean_env, load_settings, run_digest

PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "SITE_URL": "https://news.example.com",
    "DIGEST_TRUSTED_PROXIES": "1",
}
# What the request path reads; copied from settings.py as loaded with PRODUCTION.
SECURITY_SETTINGS = (
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "DIGEST_TRUSTED_PROXIES",
    "DIGEST_FORWARDED_FOR_HEADER",
    "SITE_URL",
)


def test_an_https_site_url_turns_on_secure_cookies_hsts_and_the_redirect(monkeypatch, tmp_path):
    loaded = load_settings(monkeypatch, tmp_path, **PRODUCTION)
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"]
    assert loaded["SECURE_SSL_REDIRECT"]
    assert loaded["SECURE_HSTS_SECONDS"] == 31_536_000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert loaded["CSRF_TRUSTED_ORIGINS"] == ["https://news.example.com"]
    assert loaded["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "news.example.com"]


def test_the_settings_a_deployment_may_add(monkeypatch, tmp_path):
    loaded = load_settings(
        monkeypatch,
        tmp_path,
        **PRODUCTION,
        DIGEST_HSTS_SECONDS="600",
        DIGEST_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://admin.example.com, https://desk.example.com",
        DJANGO_ALLOWED_HOSTS="news.example.com,desk.example.com",
    )
    assert loaded["SECURE_HSTS_SECONDS"] == 600 and loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert loaded["CSRF_TRUSTED_ORIGINS"] == [
        "https://news.example.com",
        "https://admin.example.com",
        "https://desk.example.com",
    ]
    assert loaded["ALLOWED_HOSTS"] == ["news.example.com", "desk.example.com"]
    assert "security.W005" not in loaded["SILENCED_SYSTEM_CHECKS"]


def test_plain_http_and_no_proxy_turn_nothing_on(monkeypatch, tmp_path):
    loaded = load_settings(monkeypatch, tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert loaded["SITE_URL"] == "http://localhost:8000"
    assert not loaded["SESSION_COOKIE_SECURE"] and not loaded["SECURE_SSL_REDIRECT"]
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    # Without a trusted proxy, X-Forwarded-Proto is a client's claim: never believed.
    assert "SECURE_PROXY_SSL_HEADER" not in loaded


def test_the_documented_production_settings_pass_the_deployment_check(tmp_path):
    result = run_digest(
        clean_env(tmp_path, **PRODUCTION), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def behind_proxy(settings, monkeypatch, tmp_path, db):
    """The test run's settings as settings.py makes them for PRODUCTION; an editor."""
    loaded = load_settings(monkeypatch, tmp_path, **PRODUCTION)
    for name in SECURITY_SETTINGS:
        setattr(settings, name, loaded[name])
    cache.clear()
    User.objects.create_user("editor", password="correct horse battery")
    yield
    cache.clear()


def _through_proxy(client_address: str = "198.51.100.7") -> Client:
    """A browser whose requests arrive from Caddy on 127.0.0.1, as Caddy forwards them."""
    return Client(
        enforce_csrf_checks=True,
        REMOTE_ADDR="127.0.0.1",
        HTTP_HOST="news.example.com",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR=client_address,
    )


def _login(browser: Client, origin: str, password: str = "correct horse battery"):
    form = browser.get("/desk/login/")
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode())[1]
    return browser.post(
        "/desk/login/",
        {"username": "editor", "password": password, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=origin,
    )


def test_a_login_through_a_tls_terminating_proxy_is_accepted(behind_proxy):
    response = _login(_through_proxy(), "https://news.example.com")
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert response.cookies["sessionid"]["secure"]
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_a_forged_origin_is_refused(behind_proxy):
    assert _login(_through_proxy(), "https://evil.example").status_code == 403


def test_plain_http_is_sent_to_https(behind_proxy):
    direct = Client(HTTP_HOST="news.example.com")
    response = direct.get("/desk/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://news.example.com/desk/login/"


def test_behind_the_proxy_each_client_has_its_own_lockout(behind_proxy, settings):
    """All connections come from the proxy: the lockout keys on the forwarded address."""
    guesser = _through_proxy("203.0.113.66")
    for _ in range(settings.DIGEST_LOGIN_MAX_FAILURES):
        assert _login(guesser, "https://news.example.com", password="guess").status_code == 200
    assert _login(guesser, "https://news.example.com").status_code == 429
    # A forged X-Forwarded-For is to the left of what the proxy appends: it changes nothing.
    forged = _through_proxy("10.9.9.9, 203.0.113.66")
    assert _login(forged, "https://news.example.com").status_code == 429
    assert _login(_through_proxy(), "https://news.example.com").status_code == 302
