"""Shared fixtures: a real SQLite database per test (pytest-django), no environment leaks.

What is costly and never changed by a test is built once per session and copied: the demo's
collected rows (inserted again for each test that asks for ``demo``) and a migrated database
for the tests that run `digest` as a process (``site``, ``cli``).
"""

from __future__ import annotations

import copy
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from digest.testing.local_web import LocalWeb
from digest.testing.sites import Site

FIXTURES = Path(__file__).parent / "fixtures"


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
    # No LLM writer unless a test starts its own endpoint, whatever .env says.
    settings.DIGEST_LLM_URL = ""
    # Django's advice for test suites: a cheap hasher (PBKDF2's million rounds cost a third
    # of a second per login). Processes a test starts keep the real one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the demo, collected once ------------------------------------------------------------


@pytest.fixture(scope="session")
def _demo_rows(django_db_setup, django_db_blocker):
    """The demo's lists, readers and collected articles as unsaved rows, built once in a
    transaction that is rolled back: each test that asks for ``demo`` inserts copies."""
    from django.apps import apps
    from django.db import transaction

    from digest.collect import collect
    from digest.demo import ARTICLES_DIR, load_demo
    from digest.sources import FolderSource

    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
    with django_db_blocker.unblock(), transaction.atomic():
        before = {m: set(m._base_manager.values_list("pk", flat=True)) for m in models}
        load_demo()
        report = collect([("demo", FolderSource(ARTICLES_DIR), None)])
        assert report.total("problems") == 0, report
        rows = {
            m: [row for row in m._base_manager.order_by("pk") if row.pk not in before[m]]
            for m in models
        }
        transaction.set_rollback(True)
    return report, {m: r for m, r in rows.items() if r}


@pytest.fixture
def demo(db, _demo_rows):
    """The bundled demo: lists, readers and the 20 articles, collected and classified."""
    from django.core.management.color import no_style
    from django.db import connection

    report, rows = _demo_rows
    for model, saved in rows.items():
        model._base_manager.bulk_create(copy.deepcopy(saved))
    # PostgreSQL's sequences do not move for rows inserted with their ids.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(rows)):
            cursor.execute(sql)
    return copy.deepcopy(report)


# --- a small newsroom, and the demo sent ---------------------------------------------------


@pytest.fixture
def world(db):
    """One list, three readers, a composed edition, an editor, an outsider, an admin."""
    from .newsroom import build

    return build()


@pytest.fixture
def sent_demo(demo):
    """Both demo editions composed and sent to memory: real deliveries to report on."""
    from .provider_events import send_demo

    return send_demo()


# --- `digest` as a process, on a site of its own ----------------------------------------


@pytest.fixture(scope="session")
def _migrated_site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("migrated"))
    done = site.run("migrate", "--no-input", "-v", "0")
    assert done.returncode == 0, done.stderr
    yield site
    site.drop()


@pytest.fixture
def site(_migrated_site, tmp_path) -> Site:
    """A migrated site of its own in ``tmp_path`` (a copy of one migrated once a session),
    its outbox at ``tmp_path / "outbox"``."""
    site = _migrated_site.clone(tmp_path, COLUMNS="120")
    yield site
    site.drop()


@pytest.fixture
def cli(site) -> Callable[..., subprocess.CompletedProcess]:
    """``cli("send", "--list", ...)`` runs `digest` on ``site`` as an operator types it; it
    fails the test on a non-zero exit unless ``check=False``."""

    def digest(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = site.run(*args)
        if check and result.returncode != 0:
            raise AssertionError(f"digest {args} -> {result.returncode}\n{result.stderr}")
        return result

    return digest


# --- the collector's web --------------------------------------------------------------------


@pytest.fixture(scope="module")
def web():
    """``tests/fixtures/web/`` served on 127.0.0.1, with the addresses that misbehave."""
    with LocalWeb(FIXTURES / "web") as server:
        yield server
