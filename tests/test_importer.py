"""CSV import and export: the report line by line, the database row by row, and the CLI."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from digest.demo import load_demo
from subscribers.addresses import InvalidAddress, address_hash, clean_address
from subscribers.importer import ImportFileError, ReportRow, export_csv, import_csv
from subscribers.models import ConsentEvent, ErasedAddress, MailingList, Subscriber, Subscription

pytestmark = pytest.mark.django_db

USER = "alice"
SOURCE = f"import members.csv by {USER}"

# Line numbers as in the file: the header is line 1; line 13 is blank, and the quoted name on
# line 16 runs over two lines, so the next row is line 18.
MEMBERS = (
    "Email,Name,LANGUAGE,Sections,Status,Phone\r\n"  # 1: names in any case, an extra column
    "new.reader@example.com,New Reader,en,trade;community,,555-0100\r\n"  # 2 created
    "NEW.Reader@Example.com,Second Spelling,en,,,\r\n"  # 3 duplicate of line 2
    "not-an-address,Nobody,,,,\r\n"  # 4 bad address
    "grace.kim@example.com,Grace Kim,,diplomacy,confirmed,\r\n"  # 5 updated: sections
    "daniel.cho@EXAMPLE.com,Daniel Cho,,,,\r\n"  # 6 unchanged (stored as Daniel.Cho@...)
    "bounced.reader@example.com,Former Reader,,,,\r\n"  # 7 blocked
    "james.yoon@example.com,James Yoon,,,,\r\n"  # 8 unsubscribed from morning-en
    "erased.person@example.com,Erased,,,,\r\n"  # 9 erased earlier
    "sports.fan@example.com,Fan,,sports;trade,,\r\n"  # 10 unknown section
    "french@example.com,Jean,fr,,,\r\n"  # 11 bad language
    "pending.one@example.com,,ko,,pending,\r\n"  # 12 created, pending, Korean
    "\r\n"  # 13 blank: ignored
    "left.before@example.com,Left,,,unsubscribed,\r\n"  # 14 created as unsubscribed
    "bad.status@example.com,,,,maybe,\r\n"  # 15 bad status
    'multi@example.com,"Two\r\nLines",,,,\r\n'  # 16-17 created
    "robert.han@example.org,Bob Han,,,,\r\n"  # 18 updated: name
    "minji.park@example.com,,,Community,Pending\r\n"  # 19 updated: sections (no downgrade)
    "hana.choi@example.org,최하나,ko,,,\r\n"  # 20 created (on morning-ko only before)
)


def bad_address_reason(value: str) -> str:
    with pytest.raises(InvalidAddress) as info:
        clean_address(value)
    return str(info.value)


EXPECTED_PROBLEMS = [
    ReportRow(3, "NEW.Reader@Example.com", "duplicate of line 2"),
    ReportRow(4, "not-an-address", "(address)"),
    ReportRow(7, "bounced.reader@example.com", "skipped: blocked"),
    ReportRow(8, "james.yoon@example.com", "skipped: unsubscribed"),
    ReportRow(9, "erased.person@example.com", "skipped: erased address"),
    ReportRow(
        10, "sports;trade", "unknown section 'sports' (known: trade, diplomacy, community, more)"
    ),
    ReportRow(11, "fr", "unknown language 'fr' (en, ko)"),
    ReportRow(15, "maybe", "unknown status 'maybe' (confirmed, pending, unsubscribed)"),
]


def expected_problems() -> list[ReportRow]:
    return [
        ReportRow(p.line, p.value, bad_address_reason(p.value)) if p.reason == "(address)" else p
        for p in EXPECTED_PROBLEMS
    ]


@pytest.fixture
def lists():
    load_demo()
    ErasedAddress.objects.create(email_hash=address_hash("Erased.Person@example.com"))
    return MailingList.objects.get(slug="morning-en"), MailingList.objects.get(slug="morning-ko")


@pytest.fixture
def members(tmp_path) -> Path:
    path = tmp_path / "members.csv"
    path.write_bytes(MEMBERS.encode("utf-8-sig"))  # with a BOM, as Excel saves "CSV UTF-8"
    return path


def snapshot() -> dict:
    """Everything an import may write, in a comparable form."""
    return {
        "subscribers": list(
            Subscriber.objects.order_by("pk").values_list(
                "email", "name", "language", "status", "source", "updated_at"
            )
        ),
        "subscriptions": list(
            Subscription.objects.order_by("pk").values_list(
                "subscriber__email",
                "mailing_list__slug",
                "status",
                "sections",
                "source",
                "confirmed_at",
                "unsubscribed_at",
            )
        ),
        "events": list(ConsentEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


def sub(email: str, slug: str = "morning-en") -> Subscription:
    return Subscription.objects.select_related("subscriber").get(
        subscriber__email__iexact=email, mailing_list__slug=slug
    )


def test_import_reports_every_line_and_stores_exactly_the_good_rows(lists, members):
    english, _ = lists
    before = snapshot()
    grace_confirmed_at = sub("grace.kim@example.com").confirmed_at

    report = import_csv(members, english, user=USER)

    assert report.filename == "members.csv"
    assert report.encoding == "utf-8-sig"
    assert report.source == SOURCE
    assert report.rows == 17
    assert report.counts() == {
        "created": 5,
        "updated": 3,
        "unchanged": 1,
        "skipped": 3,
        "rejected": 5,
    }
    assert report.problems == expected_problems()

    # Created: the reader, the subscription, the source and one import event each.
    new = sub("new.reader@example.com")
    assert (new.subscriber.name, new.subscriber.language, new.subscriber.source) == (
        "New Reader",
        "en",
        SOURCE,
    )
    assert (new.status, new.sections, new.source) == ("confirmed", ["trade", "community"], SOURCE)
    assert new.confirmed_at is not None
    pending = sub("pending.one@example.com")
    assert (pending.status, pending.subscriber.language, pending.confirmed_at) == (
        "pending",
        "ko",
        None,
    )
    left = sub("left.before@example.com")
    assert (left.status, left.unsubscribed_at is not None) == ("unsubscribed", True)
    assert sub("multi@example.com").subscriber.name == "Two\r\nLines"
    hana = sub("hana.choi@example.org")  # an existing reader, new to this list
    assert (hana.status, hana.source) == ("confirmed", SOURCE)
    assert Subscriber.objects.filter(email__iexact="hana.choi@example.org").count() == 1

    # Updated: only what the file gives; a pending row never downgrades a confirmation.
    grace = sub("grace.kim@example.com")
    assert (grace.sections, grace.status, grace.confirmed_at) == (
        ["diplomacy"],
        "confirmed",
        grace_confirmed_at,
    )
    assert sub("robert.han@example.org").subscriber.name == "Bob Han"
    assert sub("robert.han@example.org").sections == ["community", "more"]
    minji = sub("minji.park@example.com")
    assert (minji.sections, minji.status, minji.subscriber.name) == (
        ["community"],
        "confirmed",
        "박민지",
    )
    assert minji.subscriber.language == "ko"  # language is not changed for existing readers

    # Never stored: duplicates, rejected rows, blocked/unsubscribed/erased readers.
    for email in ("not-an-address", "sports.fan@example.com", "french@example.com"):
        assert not Subscriber.objects.filter(email__iexact=email).exists()
    assert not Subscriber.objects.filter(email__iexact="bad.status@example.com").exists()
    assert not Subscriber.objects.filter(email__icontains="erased.person").exists()
    assert sub("james.yoon@example.com").status == "unsubscribed"
    assert sub("bounced.reader@example.com").subscriber.status == "blocked"
    assert sub("daniel.cho@example.com").subscriber.name == "Daniel Cho"
    assert new.subscriber.name == "New Reader"  # the duplicate on line 3 changed nothing

    # One import event per created or changed subscription, with the line it came from.
    events = ConsentEvent.objects.exclude(pk__in=before["events"])
    assert set(events.values_list("kind", "how", "mailing_list__slug").distinct()) == {
        ("import", SOURCE, "morning-en")
    }
    assert sorted(e.detail["line"] for e in events) == [2, 5, 12, 14, 16, 18, 19, 20]
    grace_event = events.get(subscriber__email="grace.kim@example.com")
    assert grace_event.detail["changes"] == ["sections=diplomacy"]


def test_dry_run_reports_exactly_what_the_import_does_and_stores_nothing(lists, members):
    english, _ = lists
    before = snapshot()
    dry = import_csv(members, english, user=USER, dry_run=True)
    assert snapshot() == before
    assert dry.dry_run
    real = import_csv(members, english, user=USER)
    assert (dry.rows, dry.counts(), dry.problems) == (real.rows, real.counts(), real.problems)
    assert snapshot() != before


def test_importing_the_same_file_again_changes_nothing(lists, members):
    english, _ = lists
    import_csv(members, english, user=USER)
    after_first = snapshot()
    again = import_csv(members, english, user=USER)
    assert snapshot() == after_first
    assert again.counts() == {
        "created": 0,
        "updated": 0,
        "unchanged": 9,
        "skipped": 3,
        "rejected": 5,
    }
    assert again.problems == expected_problems()


def test_batches_of_one_row_give_the_same_report_and_database(lists, members):
    """Duplicates are found across batches (the seen-address index), not only within one."""
    english, _ = lists
    report = import_csv(members, english, user=USER, batch_size=1)
    assert report.problems == expected_problems()
    assert report.counts()["created"] == 5
    assert Subscriber.objects.filter(email__iexact="new.reader@example.com").count() == 1


def test_problems_beyond_keep_still_reach_on_problem(lists, members):
    english, _ = lists
    seen: list[ReportRow] = []
    report = import_csv(members, english, user=USER, keep=2, on_problem=seen.append)
    assert report.problems == expected_problems()[:2]
    assert report.problems_left_off == 6
    assert seen == expected_problems()


def test_a_cp949_korean_spreadsheet_is_read(lists, tmp_path):
    _, korean = lists
    path = tmp_path / "명단.csv"
    path.write_bytes(
        (
            "email,name,language,sections\r\n"
            'kim.younghee@example.com,김영희,ko,"community,trade"\r\n'
            "lee.chulsoo@example.com,이철수,,무역\r\n"
            "park.jisoo@example.com,박지수,한국어,\r\n"
        ).encode("cp949")
    )
    report = import_csv(path, korean, user=USER)
    assert report.encoding == "cp949"
    assert report.counts()["created"] == 2
    assert report.problems[0].line == 3
    assert report.problems[0].value == "무역"
    assert report.problems[0].reason.startswith("unknown section '무역'")
    kim = sub("kim.younghee@example.com", "morning-ko")
    assert (kim.subscriber.name, kim.sections) == ("김영희", ["community", "trade"])
    park = sub("park.jisoo@example.com", "morning-ko")
    assert (park.subscriber.name, park.subscriber.language) == ("박지수", "ko")
    assert park.source == f"import 명단.csv by {USER}"


def test_utf8_without_bom_and_a_file_given_as_bytes(lists):
    english, _ = lists
    data = io.BytesIO("EMAIL\n이메일.사용자@example.com\n".encode())
    report = import_csv(data, english, user=USER, filename="upload.csv")
    assert (report.encoding, report.created) == ("utf-8-sig", 1)
    assert not data.closed  # the caller's file is left open


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\r\n\r\n", "the file is empty"),
        (b"name,language\r\nGrace,en\r\n", "'email' column"),
        (b"email\r\nok@example.com\r\n\xff\xfe\xff\r\n", "not UTF-8 or CP949/EUC-KR"),
    ],
)
def test_a_file_that_cannot_be_imported_stores_nothing(lists, tmp_path, content, message):
    english, _ = lists
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    before = snapshot()
    with pytest.raises(ImportFileError, match=message):
        import_csv(path, english, user=USER)
    assert snapshot() == before


def test_export_then_import_into_another_list_gives_the_same_people_and_sections(lists, tmp_path):
    from subscribers import privacy, suppression

    _, korean = lists
    sujin = Subscriber.objects.get(email="sujin.lee@example.net")
    suppression.unsubscribe(sujin.pk, korean.pk, how="test")
    privacy.erase(Subscriber.objects.get(email="jaehoon.jung@example.net"), how="test")

    out = io.StringIO()
    assert export_csv(korean, out) == 3  # the erased reader is left out
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["email"] == "minji.park@example.com"
    assert {k: rows[0][k] for k in ("name", "language", "sections", "status", "list")} == {
        "name": "박민지",
        "language": "ko",
        "sections": "community",
        "status": "confirmed",
        "list": "morning-ko",
    }

    evening = MailingList.objects.create(
        name="저녁 브리핑", slug="evening-ko", language="ko", from_name="저녁",
        from_email="evening@example.com",
    )  # fmt: skip
    path = tmp_path / "morning-ko.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    report = import_csv(path, evening, user=USER)
    assert report.counts() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "rejected": 0,
    }

    def people(mailing_list):
        return {
            (person, status, tuple(sections))
            for person, status, sections in Subscription.objects.filter(
                mailing_list=mailing_list, subscriber__erased_at__isnull=True
            ).values_list("subscriber_id", "status", "sections")
        }

    assert people(evening) == people(korean)
    assert len(people(evening)) == 3


# --- the CLI -----------------------------------------------------------------------------


def test_cli_import_prints_a_summary_and_writes_the_report(lists, members, tmp_path):
    import getpass

    report_path = tmp_path / "rejected.csv"
    out = io.StringIO()
    call_command(
        "subscribers", "import", str(members), "--list", "morning-en",
        "--report", str(report_path), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    counts = [("read", 17), ("created", 5), ("updated", 3), ("unchanged", 1), ("skipped", 3),
              ("rejected", 5)]  # fmt: skip
    for outcome, n in counts:
        assert re.search(rf"│ {outcome}\s+│\s+{n} │", text), (outcome, text)
    assert "Imported members.csv into morning-en" in text
    assert "line 3: 'NEW.Reader@Example.com': duplicate of line 2" in text
    assert "line 7: 'bounced.reader@example.com': skipped: blocked" in text
    with open(report_path, encoding="utf-8-sig", newline="") as f:
        written = list(csv.reader(f))
    assert written[0] == ["line", "value", "reason"]
    assert [ReportRow(int(a), b, c) for a, b, c in written[1:]] == expected_problems()
    assert sub("new.reader@example.com").source == f"import members.csv by {getpass.getuser()}"


def test_cli_dry_run_stores_nothing(lists, members):
    before = snapshot()
    out = io.StringIO()
    call_command("subscribers", "import", str(members), "--list", "morning-en", "--dry-run",
                 stdout=out)  # fmt: skip
    assert snapshot() == before
    assert "Dry run: nothing was stored." in out.getvalue()
    assert "duplicate of line 2" in out.getvalue()


def test_cli_names_an_unknown_list_a_missing_file_and_an_unreadable_one(lists, members, tmp_path):
    with pytest.raises(CommandError, match=r"no list with the slug 'nope' \(known lists: "):
        call_command("subscribers", "import", str(members), "--list", "nope")
    with pytest.raises(CommandError, match=r"no such file: .*missing\.csv"):
        call_command("subscribers", "import", str(tmp_path / "missing.csv"), "--list", "morning-en")
    header_only = tmp_path / "names.csv"
    header_only.write_text("name\r\nGrace\r\n")
    with pytest.raises(CommandError, match="'email' column"):
        call_command("subscribers", "import", str(header_only), "--list", "morning-en")
    with pytest.raises(CommandError, match="no list with the slug 'nope'"):
        call_command("subscribers", "export", "--list", "nope")
    with pytest.raises(CommandError):
        call_command("subscribers", "import", str(members))  # --list is required


def test_cli_export_to_stdout_and_to_a_file(lists, tmp_path):
    out = io.StringIO()
    call_command("subscribers", "export", "--list", "morning-ko", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["email"] for r in rows] == [
        "minji.park@example.com",
        "sujin.lee@example.net",
        "jaehoon.jung@example.net",
        "hana.choi@example.org",
    ]
    assert rows[3]["status"] == "pending"
    target = tmp_path / "ko.csv"
    err = io.StringIO()
    call_command("subscribers", "export", "--list", "morning-ko", "--out", str(target), stderr=err)
    assert target.read_bytes().startswith("\ufeffemail,name,".encode())
    assert "4 subscription(s) of morning-ko written to" in err.getvalue()


def test_the_digest_command_exits_non_zero_with_the_reason(tmp_path, members, cli):
    """As an operator types it: a subprocess with its own database."""
    cli("shell", "-c", "from digest.demo import load_demo; load_demo()")
    ok = cli("subscribers", "import", str(members), "--list", "morning-en", check=False)
    assert ok.returncode == 0, ok.stderr
    assert "Imported members.csv into morning-en" in ok.stdout
    unknown = cli("subscribers", "import", str(members), "--list", "nope", check=False)
    assert unknown.returncode == 1
    assert "no list with the slug 'nope'" in unknown.stderr
    missing = cli(
        "subscribers", "import", str(tmp_path / "missing.csv"), "--list", "morning-en", check=False
    )
    assert missing.returncode == 1
    assert "no such file" in missing.stderr
