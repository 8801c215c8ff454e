"""Shared fixtures: a real SQLite database per test (pytest-django), no environment leaks."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_outbox(settings, tmp_path):
    """Keep every test's files under its own tmp_path, never in the project's var/."""
    settings.DIGEST_OUTBOX_DIR = tmp_path / "outbox"
    settings.DIGEST_SENDER = "outbox"
    settings.SITE_URL = "https://news.example.com"
    settings.DIGEST_FROM_EMAIL = "morning@news.example.com"
    settings.DIGEST_UNSUBSCRIBE_EMAIL = "unsubscribe@news.example.com"
    # Whatever a developer's .env says about HTTPS and proxies: tests speak plain http from
    # REMOTE_ADDR unless they set up a proxy themselves.
    settings.SECURE_SSL_REDIRECT = False
    settings.DIGEST_TRUSTED_PROXIES = 0


@pytest.fixture
def demo(db):
    """The bundled demo: lists, readers and the 20 articles, collected and classified."""
    from digest.collect import collect
    from digest.demo import ARTICLES_DIR, load_demo
    from digest.sources import FolderSource

    load_demo()
    report = collect([("demo", FolderSource(ARTICLES_DIR), None)])
    assert report.total("problems") == 0, report
    return report
