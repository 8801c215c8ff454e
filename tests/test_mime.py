"""The bytes of each email: parseable, both parts intact, headers encoded, lines short."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re

import pytest

from digest.delivery.mime import to_bytes
from digest.delivery.senders.base import OutgoingMessage

HTML = (
    '<!DOCTYPE html>\n<html><body><p style="color:red">관세 = tariff; 100% é</p>\n'
    + ("<p>" + "long line " * 80 + "</p>\n")
    + ".\n</body></html>\n"
)
TEXT = "한인타운 소식\n=3D is not decoded twice\n" + "word " * 60 + "\n.\n"


def message() -> OutgoingMessage:
    return OutgoingMessage(
        delivery_id=7,
        to="reader@example.com",
        from_addr="코리아데일리 아침 브리핑 <morning@koreadaily.com>",
        subject="K-푸드 대미 수출 사상 최대…라면·김·냉동김밥이 견인 외 8건",
        html=HTML,
        text=TEXT,
        headers={
            "List-Id": "코리아데일리 아침 브리핑 <morning-ko.koreadaily.com>",
            "List-Unsubscribe": "<https://news.example.com/unsubscribe/abc:def/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def test_round_trip_through_the_standard_parser():
    raw = to_bytes(message())
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed.defects == []
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.iter_parts()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content().replace("\r\n", "\n") == TEXT
    assert html.get_content().replace("\r\n", "\n") == HTML
    assert parsed["Subject"] == message().subject
    assert str(parsed["From"]) == message().from_addr
    assert parsed["List-Id"] == "코리아데일리 아침 브리핑 <morning-ko.koreadaily.com>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["MIME-Version"] == "1.0"


def test_wire_format_is_ascii_crlf_with_short_lines():
    raw = to_bytes(message())
    raw.decode("ascii")  # non-ASCII only as RFC 2047 words and quoted-printable
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 78
    assert raw.count(b"multipart/alternative") == 1


def test_each_message_gets_its_own_boundary():
    first, second = to_bytes(message()), to_bytes(message())
    boundary = first.split(b'boundary="', 1)[1].split(b'"', 1)[0]
    assert boundary not in second


def _unfolded(raw: bytes, name: str) -> str:
    """The header as a reader's client shows it: unfolded (RFC 5322: drop each CRLF), then
    RFC 2047 words decoded (whitespace between two encoded words is not shown)."""
    import email.header

    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    line = re.search(rf"^{name}: (.*?)\r\n(?![ \t])", head, re.M | re.S).group(1)
    return str(email.header.make_header(email.header.decode_header(line.replace("\r\n", ""))))


@pytest.mark.parametrize(
    "subject",
    [
        "Port of Long Beach braces for a rush of imports ahead of the January tariff "
        "increase … + 4 more",
        "Koreatown importers brace for a rush of shipments before the January "
        "tariff — brokers say + 4 more",
        "of Beach more for of imports Long for for of deadline for 외 4건",
        "미국 관세 인상 앞두고 롱비치항 수입 물량 급증, 1월 관세 인상 마감 앞두고 "
        "업체들 서둘러 외 4건",
    ],
)
def test_a_long_subject_unfolds_with_single_spaces(subject):
    raw = to_bytes(dataclasses.replace(message(), subject=subject))
    assert b" \r\n " not in raw.split(b"\r\n\r\n", 1)[0]
    assert _unfolded(raw, "Subject") == subject
