"""/healthz for monitors and the scheduler's heartbeat: written by the real scheduler, read
by the real view (in process and through `digest serve`), shown on the desk."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from digest import lease
from digest import schedule as sched
from digest.clock import FakeClock
from digest.models import Edition, Heartbeat, Lock
from digest.testing.sites import Site
from digest.testing.smtp_server import free_port
from digest.testing.web_server import SECRET_KEY, WebServer
from subscribers.models import MailingList

pytestmark = pytest.mark.django_db


def beat_ago(seconds: float, holder: str = "web-1:4242") -> None:
    now = timezone.now()
    Heartbeat.objects.update_or_create(
        name=lease.LOCK_NAME,
        defaults={
            "holder": holder,
            "started_at": now - dt.timedelta(hours=1),
            "beat_at": now - dt.timedelta(seconds=seconds),
            "stopped_at": None,
        },
    )


def test_healthz_reports_the_database_the_heartbeat_and_each_lists_last_edition(client, settings):
    settings.DIGEST_EXPECT_SCHEDULER = True
    settings.DIGEST_HEARTBEAT_MAX_AGE = 600
    english = MailingList.objects.create(name="Morning", slug="morning-en")
    MailingList.objects.create(name="아침", slug="morning-ko", language="ko")
    Edition.objects.create(mailing_list=english, date=dt.date(2026, 11, 23), status="sent")
    Edition.objects.create(mailing_list=english, date=dt.date(2026, 11, 24), status="paused")
    beat_ago(30)

    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert "no-cache" in answer["Cache-Control"]
    body = answer.json()
    assert body["ok"] is True
    assert body["database"] == {"ok": True, "vendor": "sqlite"}
    assert body["scheduler"]["expected"] is True and body["scheduler"]["stale"] is False
    assert 29 <= body["scheduler"]["age_seconds"] <= 60
    assert body["lists"] == [
        {
            "list": "morning-en",
            "date": "2026-11-24",
            "status": "paused",
            "started_at": None,
            "finished_at": None,
        },
        {
            "list": "morning-ko",
            "date": None,
            "status": None,
            "started_at": None,
            "finished_at": None,
        },
    ]


def test_healthz_is_503_when_an_expected_scheduler_is_stale_or_never_heard(client, settings):
    settings.DIGEST_EXPECT_SCHEDULER = True
    settings.DIGEST_HEARTBEAT_MAX_AGE = 600
    answer = client.get("/healthz")  # never heard from
    assert answer.status_code == 503
    assert answer.json()["scheduler"]["last_heartbeat"] is None

    beat_ago(601)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["ok"] is False and body["database"]["ok"] is True
    assert body["scheduler"]["stale"] is True and body["scheduler"]["age_seconds"] >= 601

    beat_ago(599)
    assert client.get("/healthz").status_code == 200

    # Where no scheduler is expected (a web-only machine), a stale one is reported, not 503.
    settings.DIGEST_EXPECT_SCHEDULER = False
    beat_ago(3600)
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json()["scheduler"]["stale"] is True


def test_the_scheduler_beats_at_its_start_every_minute_and_says_when_it_stopped():
    clock = FakeClock(dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC))
    schedule = sched.DailySchedule(clock=clock, holder="web-1:77", collect=lambda *day: None)
    lease.acquire_lock(schedule.holder, clock.now())
    lease.beat(schedule.holder, clock.now(), starting=True)
    clock.advance(60)
    schedule.heartbeat()  # the job APScheduler runs every minute
    row = Heartbeat.objects.get()
    assert (row.holder, row.started_at, row.beat_at, row.stopped_at) == (
        "web-1:77",
        dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 24, 13, 1, tzinfo=dt.UTC),
        None,
    )
    clock.advance(30)
    lease.beat_stopped(schedule.holder, clock.now())
    row.refresh_from_db()
    assert row.stopped_at == row.beat_at == dt.datetime(2026, 11, 24, 13, 1, 30, tzinfo=dt.UTC)

    # The next scheduler (another machine, after the lease) starts its own row.
    clock.advance(600)
    lease.beat("web-2:88", clock.now(), starting=True)
    row.refresh_from_db()
    assert (row.holder, row.started_at, row.stopped_at) == ("web-2:88", clock.now(), None)

    # From cron, each `--once` run is a beat of its own.
    Lock.objects.all().delete()
    call_command("schedule", "--once", stdout=io.StringIO())
    row.refresh_from_db()
    assert row.stopped_at is None and (timezone.now() - row.beat_at).total_seconds() < 60


def test_the_desk_shows_the_schedulers_heartbeat(client):
    editor = User.objects.create_user("editor", "editor@news.example.com", "pw")
    editor.groups.add(Group.objects.get_or_create(name="editors")[0])
    client.force_login(editor)
    page = client.get(reverse("desk:editions")).content.decode()
    assert "Scheduler:" in page and "never heard from" in page
    beat_ago(20)
    page = client.get(reverse("desk:editions")).content.decode()
    assert "running (web-1:4242), last heard 20 s ago" in page
    beat_ago(1800)
    page = client.get(reverse("desk:editions")).content.decode()
    assert 'class="scheduler stale"' in page and "last heard 30" in page
    assert "it may have stopped" in page


# --- through real processes -------------------------------------------------------------


def wait_for(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.django_db(False)
def test_healthz_through_digest_serve_follows_a_real_scheduler(tmp_path):
    site = Site(tmp_path, PYTHONUNBUFFERED="1", DJANGO_SECRET_KEY=SECRET_KEY)
    assert site.run("migrate", "-v", "0").returncode == 0
    with WebServer(site, "serve", DIGEST_EXPECT_SCHEDULER="1") as web:
        before = web.get("/healthz")
        assert before.status_code == 503, before.text
        assert before.json()["scheduler"]["last_heartbeat"] is None
        scheduler = site.start("schedule")
        try:
            wait_for(lambda: web.get("/healthz").status_code == 200, what="a heartbeat")
            running = web.get("/healthz").json()["scheduler"]
            assert running["running_since"] and running["stopped_at"] is None
        finally:
            scheduler.terminate()
            scheduler.communicate(timeout=60)
        stopped = web.get("/healthz").json()["scheduler"]
        assert stopped["stopped_at"] is not None  # a clean stop says so
        assert stopped["running_since"] is None


@pytest.mark.django_db(False)
def test_healthz_is_503_when_the_database_cannot_be_reached(tmp_path):
    site = Site(tmp_path, DJANGO_SECRET_KEY=SECRET_KEY)
    nothing_there = f"postgres://digest@127.0.0.1:{free_port()}/digest"
    with WebServer(site, "serve", DATABASE_URL=nothing_there) as web:
        answer = web.get("/healthz")
        assert answer.status_code == 503
        assert answer.json()["database"] == {
            "ok": False,
            "vendor": "postgresql",
            "error": "OperationalError",
        }
    assert "the database cannot be reached" in web.output  # serve says so as it starts
