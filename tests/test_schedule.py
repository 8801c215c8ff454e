"""The daily schedule, driven by a fake clock through the jobs APScheduler itself would fire.

Nothing sleeps: each test asks the real cron triggers for their fire times, moves the clock
there and runs the job, as the scheduler's thread would.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from digest import lease, notices
from digest import schedule as sched
from digest.clock import FakeClock
from digest.compose import compose
from digest.delivery import control
from digest.delivery.dispatch import DispatchError, send_edition
from digest.delivery.senders import MemorySender
from digest.models import Article, Edition, EditLog, Lock, Section
from digest.pipeline import run_list
from digest.testing.sites import Site
from subscribers.models import MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
READERS = ["ana@example.com", "bo@example.com"]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LA).astimezone(dt.UTC)


class Harness:
    """A list with two readers, articles on demand, and a schedule wired to fakes."""

    def __init__(self, approval: str = MailingList.Approval.AUTO) -> None:
        self.list = MailingList.objects.create(
            name="Morning",
            slug="morning-en",
            from_name="Morning",
            from_email="morning@news.example.com",
            approval=approval,
        )
        for address in READERS:
            reader = Subscriber.objects.create(email=address)
            Subscription.objects.create(
                subscriber=reader, mailing_list=self.list, status=Subscription.Status.CONFIRMED
            )
        self.clock = FakeClock(local(dt.date(2026, 10, 28), 0))
        self.sender = MemorySender()
        self.sent_at: list[dt.datetime] = []
        self.told: list[tuple[str, str]] = []

    def articles(self, day: dt.date, n: int = 2) -> None:
        section = Section.objects.get(key="trade")
        for i in range(n):
            Article.objects.create(
                url=f"https://news.example.com/{day}/{i}",
                title=f"Trade story {i} of {day}",
                published_at=local(day, 1, i),
                language="en",
                body="Tariffs.",
                content_hash=f"{day}{i}",
                section=section,
                summary=f"Summary {i} of {day}.",
            )

    def make_sender(self):
        self.sent_at.append(self.clock.now())
        return self.sender

    def notify(self, edition, kind, subject, text):
        self.told.append((kind, subject))

    def schedule(self, holder: str = "test-host:1") -> sched.DailySchedule:
        return sched.DailySchedule(
            clock=self.clock,
            sender_factory=self.make_sender,
            notify=self.notify,
            holder=holder,
            collect=lambda *day: None,
        )

    def run(self, schedule: sched.DailySchedule, start: dt.datetime, end: dt.datetime) -> list:
        """Fire the list jobs between start and end, in time order, as APScheduler would."""
        schedule.add_jobs()
        fires = []
        for job in schedule.scheduler.get_jobs():
            if job.id in ("sweep", "heartbeat"):
                continue
            moment = job.trigger.get_next_fire_time(None, start)
            while moment and moment < end:
                fires.append((moment, job.id, job))
                moment = job.trigger.get_next_fire_time(moment, moment + dt.timedelta(seconds=1))
        fired = []
        for moment, job_id, job in sorted(fires, key=lambda f: (f[0], f[1])):
            self.clock.current = moment.astimezone(dt.UTC)
            fired.append((job_id, self.clock.current, job.func(*job.args)))
        return fired

    def at(self, moment: dt.datetime) -> dict[str, str]:
        self.clock.current = moment
        return self.schedule().sweep()

    def received(self, address: str) -> list[str]:
        return [m.headers["X-Digest-Edition"] for m in self.sender.sent if m.to == address]


def test_a_week_of_mornings_across_the_dst_change_sends_each_edition_once_at_six():
    h = Harness()
    days = [dt.date(2026, 10, 29) + dt.timedelta(days=i) for i in range(7)]  # DST ends Nov 1
    for day in days:
        h.articles(day)
    fired = h.run(h.schedule(), local(days[0], 0), local(days[-1], 23))

    sends = [(when, done) for job, when, done in fired if job.startswith("send:")]
    assert len(sends) == 7 and all(done == "sent 2" for _, done in sends)
    # 06:00 in Los Angeles: 13:00 UTC in daylight time, 14:00 UTC from Sunday Nov 1.
    assert [when.hour for when, _ in sends] == [13, 13, 13, 14, 14, 14, 14]
    composes = [when for job, when, _ in fired if job.startswith("compose:")]
    assert [w.astimezone(LA).hour for w in composes] == [5] * 7
    for address in READERS:
        assert len(h.received(address)) == len(set(h.received(address))) == 7
    assert list(Edition.objects.values_list("status", flat=True)) == ["sent"] * 7
    assert [kind for kind, _ in h.told] == ["ready"] * 7
    # Each edition got its deadline (09:00 local) from the list when composed.
    for edition in Edition.objects.all():
        assert edition.send_before == local(edition.date, 9)


def test_a_restart_at_six_oh_one_sends_once():
    h = Harness()
    day = dt.date(2026, 11, 24)
    h.articles(day)
    # The first scheduler composes at five and dies at 05:30, before the send time.
    h.run(h.schedule(), local(day, 4), local(day, 5, 30))
    assert Edition.objects.get().status == "draft" and not h.sender.sent
    # Restarted at 06:01: the 06:00 fire is gone, the start-up sweep catches up once.
    h.clock.current = local(day, 6, 1)
    restarted = h.schedule(holder="test-host:2")
    restarted.scheduler.start = lambda: None  # do not block; the catch-up is what we test
    restarted.start(announce=lambda line: None)
    assert sorted(m.to for m in h.sender.sent) == READERS
    # Another restart, and the 06:00 job firing late within its grace: nothing more.
    h.at(local(day, 6, 2))
    h.run(h.schedule(), local(day, 5, 59), local(day, 6, 30))
    assert sorted(m.to for m in h.sender.sent) == READERS
    assert Edition.objects.get().status == "sent"


def test_a_missed_morning_is_not_sent_and_the_editors_are_told():
    h = Harness()
    composed_day, empty_day = dt.date(2026, 11, 24), dt.date(2026, 11, 25)
    h.articles(composed_day)
    h.articles(empty_day)
    # Composed at five, then the server is down from 05:30 until noon.
    h.run(h.schedule(), local(composed_day, 4), local(composed_day, 5, 30))
    assert h.at(local(composed_day, 12))["morning-en"] == "too late: not sent, editors told"
    edition = Edition.objects.get(date=composed_day)
    assert edition.status == "paused" and "too late" in edition.last_error
    # The next day the server is down from before five until noon: nothing was composed.
    assert h.at(local(empty_day, 12))["morning-en"] == "too late: not sent, editors told"
    assert not h.sender.sent
    assert [kind for kind, _ in h.told] == ["ready", "too-late", "too-late"]
    # Later sweeps neither send nor mail the editors again; an editor's resume is theirs.
    control.resume(edition)
    h.at(local(composed_day, 12, 5))
    h.at(local(empty_day, 12, 5))
    assert not h.sender.sent and len(h.told) == 3


def test_require_holds_until_approved_and_never_after_the_deadline():
    h = Harness(MailingList.Approval.REQUIRE)
    approved_day, ignored_day = dt.date(2026, 11, 24), dt.date(2026, 11, 25)
    for day in (approved_day, ignored_day):
        h.articles(day)
        h.run(h.schedule(), local(day, 4), local(day, 6, 1))
    assert not h.sender.sent
    assert [kind for kind, _ in h.told] == ["ready", "unapproved", "ready", "unapproved"]
    first = Edition.objects.get(date=approved_day)
    Edition.objects.filter(pk=first.pk).update(status="approved")
    h.clock.current = local(approved_day, 7, 5)
    h.schedule().run_list(h.list.pk)
    assert sorted(m.to for m in h.sender.sent) == READERS
    # The other one: nobody acts; at the deadline it is not sent and the editors are told.
    assert h.at(local(ignored_day, 9, 5))["morning-en"] == "too late: not sent, editors told"
    assert len(h.sender.sent) == 2 and h.told[-1][0] == "too-late"


def test_auto_after_sends_the_unapproved_draft_at_the_send_time():
    h = Harness(MailingList.Approval.AUTO_AFTER)
    day = dt.date(2026, 11, 24)
    h.articles(day)
    fired = h.run(h.schedule(), local(day, 4), local(day, 7))
    assert [done for job, _, done in fired] == ["composed; waiting for the send time", "sent 2"]
    assert Edition.objects.get().approved_by is None


def test_a_cancelled_edition_is_not_sent():
    h = Harness()
    day = dt.date(2026, 11, 24)
    h.articles(day)
    h.run(h.schedule(), local(day, 4), local(day, 5, 30))
    control.cancel(Edition.objects.get())
    h.run(h.schedule(), local(day, 5, 30), local(day, 7))
    assert not h.sender.sent


def test_the_jobs_are_cron_jobs_in_the_lists_time_zone_with_explicit_misfire_rules():
    h = Harness()
    MailingList.objects.create(
        name="Seoul", slug="seoul", from_name="S", from_email="s@x.com", time_zone="Asia/Seoul"
    )
    schedule = h.schedule()
    schedule.add_jobs()
    jobs = {job.id: job for job in schedule.scheduler.get_jobs()}
    assert set(jobs) == {
        "compose:morning-en",
        "send:morning-en",
        "compose:seoul",
        "send:seoul",
        "sweep",
        "heartbeat",
    }
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == sched.MISFIRE_GRACE
    assert str(jobs["send:seoul"].trigger.timezone) == "Asia/Seoul"
    after = dt.datetime(2026, 11, 24, 0, tzinfo=dt.UTC)  # 09:00 in Seoul: tomorrow's six
    assert jobs["send:seoul"].trigger.get_next_fire_time(None, after) == dt.datetime(
        2026, 11, 25, 6, tzinfo=ZoneInfo("Asia/Seoul")
    )


def test_a_second_scheduler_refuses_to_start_and_says_why():
    h = Harness()
    h.clock.current = local(dt.date(2026, 11, 24), 4)
    first = h.schedule(holder="other-host:4242")
    lease.acquire_lock(first.holder, h.clock.now())
    second = h.schedule(holder="test-host:2")
    with pytest.raises(lease.LockHeld, match="other-host:4242"):
        second.start(announce=lambda line: None)
    # The real command (this process as holder) refuses too, naming the running one.
    Lock.objects.filter(name=lease.LOCK_NAME).update(
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    )
    with pytest.raises(CommandError, match=r"another scheduler is running.*other-host:4242"):
        call_command("schedule", stdout=io.StringIO())
    with pytest.raises(CommandError, match="other-host:4242"):
        call_command("schedule", "--once", stdout=io.StringIO())
    # The heartbeat keeps the first one's lease; an expired lease is taken over.
    assert lease.renew_lock(first.holder, h.clock.now())
    h.clock.advance(lease.LOCK_TTL.total_seconds() + 1)
    lease.acquire_lock(second.holder, h.clock.now())
    assert not lease.renew_lock(first.holder, h.clock.now())


def test_a_dead_process_on_this_machine_does_not_hold_the_lock(monkeypatch):
    now = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
    dead = f"{socket.gethostname()}:999999999"
    Lock.objects.create(name=lease.LOCK_NAME, holder=dead, expires_at=now + lease.LOCK_TTL)
    assert lease.acquire_lock("me:1", now).holder == "me:1"


def test_editors_are_emailed_through_the_configured_sender(settings):
    editors = Group.objects.get(name="editors")
    editor = User.objects.create_user("ed", "ed@news.example.com", "pw")
    editor.groups.add(editors)
    User.objects.create_superuser("boss", "boss@news.example.com", "pw")
    User.objects.create_user("reader", "nobody@news.example.com", "pw")
    assert notices.email_editors("Draft ready", "See the desk.") == 2
    files = sorted(p.name for p in settings.DIGEST_OUTBOX_DIR.rglob("*.eml"))
    assert len(files) == 2 and any("ed@news" in f for f in files)
    assert not any("nobody" in f for f in files)


def test_notices_are_remembered_in_the_edit_log():
    h = Harness()
    day = dt.date(2026, 11, 24)
    h.articles(day)
    h.run(h.schedule(), local(day, 4), local(day, 5, 30))
    edition = Edition.objects.get()
    assert not notices.notify_once(edition, "ready", "again", "", h.notify)
    assert EditLog.objects.filter(edition=edition, action="notified ready").count() == 1


def test_a_morning_with_nothing_to_compose_is_reported_once():
    h = Harness()
    day = dt.date(2026, 11, 24)  # no articles at all
    h.run(h.schedule(), local(day, 4), local(day, 7))
    schedule = h.schedule()
    for minute in (5, 10, 15):
        h.clock.current = local(day, 7, minute)
        assert schedule.run_list(h.list.pk).startswith("not composed")
    assert [kind for kind, _ in h.told] == ["not-composed"]  # once, across processes
    assert not Edition.objects.exists()


def test_a_second_scheduler_process_refuses_to_start(tmp_path):
    """Real processes: the first holds the lock; the second exits at once saying who has it;
    a stopped (SIGTERM) first one lets the next start."""
    site = Site(tmp_path, PYTHONUNBUFFERED="1")
    assert site.run("migrate", "-v", "0").returncode == 0
    first = site.start("schedule")
    try:
        for line in first.stdout:  # "job: ..." lines come once the lock is held
            if line.startswith("job:"):
                break
        else:
            pytest.fail(f"the first scheduler did not start: {first.stderr.read()}")
        second = site.run("schedule")
        assert second.returncode == 1
        assert f"another scheduler is running ({socket.gethostname()}:{first.pid}" in (
            second.stderr
        )
        assert site.query("SELECT holder FROM digest_lock") == [
            (f"{socket.gethostname()}:{first.pid}",)
        ]
    finally:
        first.terminate()
        first.communicate(timeout=60)
    assert site.query("SELECT holder FROM digest_lock") == []  # released on the way out
    assert site.run("schedule", "--once").returncode == 0


def test_digest_run_keeps_the_same_rules_as_the_scheduler():
    """`digest run` (system cron) goes through the same gate: no unapproved `require`
    edition, nothing past its send_before."""
    h = Harness(MailingList.Approval.REQUIRE)
    day = dt.date(2026, 11, 24)
    h.articles(day)
    h.clock.current = local(day, 6)
    with pytest.raises(DispatchError, match="not approved"):
        run_list(h.list, day, h.sender)
    Edition.objects.filter(date=day).update(status="approved")
    assert run_list(h.list, day, h.sender).sent.sent == 2
    late = dt.date(2026, 11, 25)
    h.articles(late)
    edition = compose(h.list, late, now=local(late, 5)).edition
    assert edition.send_before == local(late, 9)
    Edition.objects.filter(pk=edition.pk).update(status="approved")
    with pytest.raises(DispatchError, match="too late"):
        send_edition(edition, h.sender, clock=FakeClock(local(late, 12)))


def test_the_edition_is_rendered_at_the_compose_time_and_the_send_only_reads_it(monkeypatch):
    from digest.delivery import dispatch
    from digest.models import EditionRender

    h = Harness()
    day = dt.date(2026, 10, 29)
    h.articles(day)
    h.at(local(day, 5, 1))
    edition = Edition.objects.get()
    assert EditionRender.objects.filter(edition=edition).count() == 1  # both readers: all

    def no_rendering(*args, **kwargs):
        raise AssertionError("the send rendered what the compose time kept")

    monkeypatch.setattr(dispatch, "render_variant", no_rendering)
    assert h.at(local(day, 6, 1)) == {"morning-en": "sent 2"}


def test_a_template_that_fails_is_told_to_the_editors_at_the_compose_time(settings, tmp_path):
    from digest.models import EditionRender

    (tmp_path / "digest.mjml").write_text("<mjml><mj-body>{{ no_such_value }}</mj-body></mjml>")
    settings.DIGEST_TEMPLATE_DIR = str(tmp_path)
    h = Harness()
    day = dt.date(2026, 10, 29)
    h.articles(day)
    told = []
    h.notify = lambda edition, kind, subject, text: told.append((kind, text))
    h.at(local(day, 5, 1))
    ((kind, text),) = told
    assert kind == "ready" and "WARNING: the email cannot be rendered" in text
    assert "no_such_value" in text and not EditionRender.objects.exists()


def test_a_story_without_a_summary_is_named_in_the_draft_notice():
    h = Harness()
    day = dt.date(2026, 10, 29)
    h.articles(day)
    Article.objects.filter(title=f"Trade story 1 of {day}").update(summary="")
    told = []
    h.notify = lambda edition, kind, subject, text: told.append((kind, text))
    h.at(local(day, 5, 1))
    ((kind, text),) = told
    assert kind == "ready"
    assert "WARNING: 1 story needs a summary" in text
    assert f"“Trade story 1 of {day}”" in text and "Trade story 0" not in text


def test_renderings_that_cannot_be_kept_at_the_compose_time_still_leave_the_notice(monkeypatch):
    from django.db import OperationalError

    from digest import kept_renderings

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(kept_renderings, "keep", locked)
    h = Harness()
    day = dt.date(2026, 10, 29)
    h.articles(day)
    h.at(local(day, 5, 1))
    assert [kind for kind, _ in h.told] == ["ready"]
    assert h.at(local(day, 6, 1)) == {"morning-en": "sent 2"}
