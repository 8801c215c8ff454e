"""The HTTP client every web source uses: timeouts, retries, caps, redirects, charsets."""

from __future__ import annotations

import pytest

from digest.http import USER_AGENT, FetchError, HttpClient, decode

KOREAN = "한인타운 시니어 아파트에 무료 건강검진"


@pytest.fixture
def client():
    with HttpClient(timeout=0.5, attempts=3, backoff=0) as c:
        yield c


def test_a_page_is_fetched_with_a_descriptive_user_agent(web, client):
    got = client.get(web.url("/partner/front.html"))
    assert got.status == 200
    assert "Pacific Partner News" in got.text
    request = web.hits("/partner/front.html")[-1]
    assert request["headers"]["user-agent"] == USER_AGENT
    assert "+https://" in USER_AGENT  # who to contact, as crawlers should say


def test_5xx_is_retried_then_named(web, client):
    before = len(web.hits("/error-500"))
    with pytest.raises(FetchError, match=r"^server error 500 after 3 tries$"):
        client.get(web.url("/error-500"))
    assert len(web.hits("/error-500")) - before == 3


def test_404_is_not_retried(web, client):
    before = len(web.hits("/nowhere"))
    with pytest.raises(FetchError, match=r"^HTTP 404 Not Found$"):
        client.get(web.url("/nowhere"))
    assert len(web.hits("/nowhere")) - before == 1


def test_slow_answer_times_out_and_is_retried(web):
    with HttpClient(timeout=0.3, attempts=2, backoff=0) as c:
        before = len(web.hits("/slow"))
        with pytest.raises(FetchError, match=r"^timed out after 2 tries$"):
            c.get(web.url("/slow"))
        assert len(web.hits("/slow")) - before == 2


def test_ten_megabytes_are_refused(web, client):
    with pytest.raises(FetchError, match="larger than 5 MB"):
        client.get(web.url("/huge"))


def test_ten_megabytes_without_a_length_are_cut_off_while_reading(web, client):
    with pytest.raises(FetchError, match="larger than 5 MB"):
        client.get(web.url("/huge-unsized"))


def test_a_response_over_a_small_cap_is_refused(web):
    with HttpClient(max_bytes=1000, attempts=1) as c, pytest.raises(FetchError, match="larger"):
        c.get(web.url("/partner/articles/memorial.html"))


def test_redirect_loop_is_cut_off(web, client):
    with pytest.raises(FetchError, match="too many redirects"):
        client.get(web.url("/loop-a"))


def test_redirect_is_followed_to_the_final_address(web, client):
    got = client.get(web.url("/moved"))
    assert got.url == web.url("/site/feed.xml")
    assert got.etag


def test_conditional_get_answers_304(web, client):
    first = client.get(web.url("/site/feed.xml"))
    again = client.get(web.url("/site/feed.xml"), etag=first.etag)
    assert again.not_modified and again.content == b""


def test_connection_refused_is_a_fetch_error():
    with HttpClient(timeout=0.5, attempts=1) as c, pytest.raises(FetchError, match="connect"):
        c.get("http://127.0.0.1:9/")


def test_not_a_web_address_is_a_fetch_error(client):
    with pytest.raises(FetchError, match="not a web address"):
        client.get("ftp://example.com/feed")


def test_euc_kr_page_declared_only_in_meta(web, client):
    got = client.get(web.url("/partner/articles/donation-drive.euc-kr.html"))
    assert "LA 한인회가 24일 연말 불우이웃 돕기 모금 운동을 시작했다." in got.text


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (KOREAN.encode("euc-kr"), "text/html; charset=EUC-KR"),
        (KOREAN.encode("cp949"), "text/html; charset=ks_c_5601-1987"),
        (f'<?xml version="1.0" encoding="euc-kr"?><t>{KOREAN}</t>'.encode("euc-kr"), ""),
        (f'<meta charset="euc-kr"><p>{KOREAN}</p>'.encode("euc-kr"), "text/html"),
        (KOREAN.encode("cp949"), ""),  # undeclared: not UTF-8, so CP949
        (b"\xef\xbb\xbf" + KOREAN.encode("utf-8"), "text/html; charset=euc-kr"),  # BOM wins
        (KOREAN.encode("utf-8"), "application/json"),
    ],
)
def test_charset_from_header_prolog_meta_or_guess(content, content_type):
    assert KOREAN in decode(content, content_type)


def test_unknown_charset_name_falls_back():
    assert decode("café".encode(), "text/html; charset=x-nonsense") == "café"


def test_two_requests_per_host_at_most(web):
    import threading
    import time

    active = {"now": 0, "peak": 0}
    lock = threading.Lock()

    def slowish(request):
        with lock:
            active["now"] += 1
            active["peak"] = max(active["peak"], active["now"])
        time.sleep(0.05)
        with lock:
            active["now"] -= 1
        return 200, {"Content-Type": "text/html"}, b"<p>ok</p>"

    for n in range(6):
        web.routes[f"/busy/{n}"] = slowish
    with HttpClient(attempts=1) as c:
        results = list(c.get_many([web.url(f"/busy/{n}") for n in range(6)], workers=6))
    assert [r.status for _, r in results] == [200] * 6
    assert active["peak"] == 2
