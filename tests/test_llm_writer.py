"""The optional LLM summary writer, against a local chat-completions endpoint: a good answer is
used, an unfaithful, slow or broken one leaves the extractive summary, one request per article
version, a daily cap shared through the database, the desk's label."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from django.urls import reverse

from digest import summarize
from digest.collect import collect
from digest.llm_writer import Length, LlmWriter, WriterConfig, WriterError, build_messages
from digest.machine_summary import write_pending
from digest.models import Article, LlmUsage
from digest.sources import RawArticle
from digest.testing.llm_api import LlmAPI, Reply

pytestmark = pytest.mark.django_db

ARTICLES = Path(__file__).parent / "fixtures" / "llm"
NOW = dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)  # Tuesday afternoon in Los Angeles
MODEL = "newsroom-small"
KEY = "sk-local-test"

GOOD_EN = (
    "Hanul Energy Solutions will build a $1.2 billion battery plant in Bartow County, Georgia, "
    "hiring 1,800 workers by 2028. Construction begins March 3, and the company's shares rose "
    "4.5 percent in Seoul."
)
GOOD_KO = (
    "LA한인회는 12월 13일 윌셔 커뮤니티센터에서 무료 건강검진 행사를 열어 보험이 없는 한인 "
    '주민 300명에게 혈압·당뇨 검사와 독감 예방접종을 제공한다. 정민호 회장은 "경제적 부담 '
    '때문에 검진을 미루는 어르신들이 많다"고 말했다.'
)


def raw(name: str, **changes) -> RawArticle:
    data = json.loads((ARTICLES / f"{name}.json").read_text(encoding="utf-8"))
    data["published_at"] = dt.datetime.fromisoformat(data["published_at"])
    return dataclasses.replace(RawArticle(**data), **changes)


class Articles:
    """A source that yields the given articles (collect reads any object with ``fetch``)."""

    def __init__(self, *items: RawArticle) -> None:
        self.items = items

    def fetch(self, since):
        yield from self.items


def run(*items: RawArticle, now: dt.datetime = NOW):
    return collect([("test", Articles(*items), None)], now=now)


def extractive(item: RawArticle) -> str:
    """The summary collection makes without the writer."""
    return summarize.summarize(item.body, item.language, item.title)


def by_url(item: RawArticle) -> Article:
    return Article.objects.get(url=item.url)


@pytest.fixture
def endpoint(settings):
    """The local endpoint, configured as the writer; ``api.script`` answers per test."""
    with LlmAPI(api_key=KEY, model=MODEL) as api:
        settings.DIGEST_LLM_URL = api.url
        settings.DIGEST_LLM_MODEL = MODEL
        settings.DIGEST_LLM_API_KEY = KEY
        settings.DIGEST_LLM_TIMEOUT = 5.0
        settings.DIGEST_LLM_DAILY_CAP = 100
        yield api


def answering(mapping: dict[str, Reply | str]):
    """A script answering by the article's headline."""

    def script(number, received):
        for headline, reply in mapping.items():
            if headline in received.article:
                return reply
        return None

    return script


# --- off by default ---------------------------------------------------------------------------


def test_without_a_url_nothing_is_asked_and_every_summary_is_extractive():
    item = raw("battery-plant")
    run(item)
    article = by_url(item)
    assert article.summary == extractive(item)
    assert article.summary_source == "extractive" and article.summary_llm_hash == ""
    assert not LlmUsage.objects.exists()


# --- good answers -----------------------------------------------------------------------------


def test_a_faithful_answer_becomes_the_summary(endpoint):
    endpoint.script = answering({"battery": GOOD_EN})
    item = raw("battery-plant")
    run(item)
    article = by_url(item)
    assert article.summary == GOOD_EN
    assert article.summary_source == "llm"
    assert article.summary_llm_hash == article.content_hash
    assert LlmUsage.objects.get().requests == 1
    # The request, as the endpoint saw it.
    assert not endpoint.rejected
    (request,) = endpoint.requests
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.body["model"] == MODEL and request.body["stream"] is False
    system, user = request.body["messages"]
    assert system["role"] == "system" and "English" in system["content"]
    assert "45 words" in system["content"]
    assert user["content"].startswith(f"Headline: {item.title}\n\n")
    assert "Dana Whitfield" in user["content"]


def test_a_faithful_korean_answer_becomes_the_summary(endpoint):
    endpoint.script = answering({"건강검진": GOOD_KO})
    item = raw("health-fair")
    run(item)
    article = by_url(item)
    assert (article.summary, article.summary_source) == (GOOD_KO, "llm")
    system, user = endpoint.requests[0].body["messages"]
    assert "한국어" in system["content"] and "130자" in system["content"]
    assert user["content"].startswith("제목: LA한인회")


def test_labels_and_wrapping_quotes_are_cleaned_from_the_answer(endpoint):
    endpoint.script = lambda n, r: f'Summary: "{GOOD_EN}"\n'
    item = raw("battery-plant")
    run(item)
    assert by_url(item).summary == GOOD_EN


def test_the_length_is_a_parameter_of_the_prompt():
    standard = Length(words=70, chars=200)
    en = build_messages("A headline", "A body.", "en", standard)[0]["content"]
    ko = build_messages("제목", "본문.", "ko", standard)[0]["content"]
    assert "70 words" in en and "45 words" not in en
    assert "200자" in ko
    with pytest.raises(ValueError):
        build_messages("x", "y", "fr")


# --- unfaithful answers -----------------------------------------------------------------------

UNFAITHFUL_EN = {
    "a number": (
        "Hanul Energy Solutions will build a $1.5 billion battery plant in Georgia.",
        "number '1.5 billion'",
    ),
    "a scale": (
        "Hanul Energy Solutions will build a $1.2 million battery plant in Georgia.",
        "number '1.2 million'",
    ),
    "a percentage": (
        "Hanul's shares rose 45 percent after it chose Bartow County, Georgia.",
        "number '45 percent'",
    ),
    "a date": ("Construction of the Georgia plant begins April 3.", "date 4/3"),
    "a name": (
        "Chief Executive Kim Dong-hyun said Georgia gave Hanul a clear path to hiring.",
        "name 'Chief Executive Kim Dong-hyun'",
    ),
    "a quote": (
        'Park Seon-woo called Georgia "the best partner for our future" as Hanul chose the state.',
        "quote 'the best partner for our future'",
    ),
}


@pytest.mark.parametrize("case", UNFAITHFUL_EN)
def test_an_unfaithful_answer_is_refused_and_the_extractive_summary_kept(endpoint, case, caplog):
    answer, problem = UNFAITHFUL_EN[case]
    endpoint.script = answering({"battery": answer})
    item = raw("battery-plant")
    with caplog.at_level(logging.WARNING, logger="digest.machine_summary"):
        run(item)
    article = by_url(item)
    assert article.summary == extractive(item)
    assert (article.summary_source, article.summary_llm_hash) == ("extractive", "")
    assert len(endpoint.requests) == 1
    assert "LLM summary refused for " + item.url in caplog.text
    assert problem in caplog.text


UNFAITHFUL_KO = {
    "an invented name": (
        "최영수 LA한인회 이사장은 12월 13일 윌셔 커뮤니티센터에서 무료 건강검진 행사를 "
        "연다고 밝혔다.",
        "'최영수'",
    ),
    "an invented titled name": (
        "LA한인회는 12월 13일 무료 건강검진 행사를 열며 김하은 간호사가 진행을 맡는다고 밝혔다.",
        "name '김하은'",
    ),
    "an invented number": (
        "LA한인회는 12월 13일 무료 건강검진 행사를 열고 선착순 500명까지 받는다.",
        "number '500'",
    ),
    "an invented date": ("LA한인회는 12월 20일 무료 건강검진 행사를 연다고 밝혔다.", "date 12/20"),
    "an invented quote": (
        '정민호 회장은 "올해가 마지막 행사"라고 말했다.',
        "quote '올해가 마지막 행사'",
    ),
}


@pytest.mark.parametrize("case", UNFAITHFUL_KO)
def test_an_unfaithful_korean_answer_is_refused(endpoint, case, caplog):
    answer, problem = UNFAITHFUL_KO[case]
    endpoint.script = answering({"건강검진": answer})
    item = raw("health-fair")
    with caplog.at_level(logging.WARNING, logger="digest.machine_summary"):
        run(item)
    article = by_url(item)
    assert article.summary == extractive(item)
    assert article.summary_source == "extractive"
    assert problem in caplog.text


def test_korean_amounts_are_compared_by_value(endpoint):
    faithful = (
        "한국무역협회는 내년 대미 수출이 1조2000억원 늘고 배터리 수출은 12% 증가할 것으로 내다봤다."
    )
    endpoint.script = answering({"수출": faithful})
    item = raw("export-outlook")
    run(item)
    assert by_url(item).summary == faithful


# --- slow and broken answers ------------------------------------------------------------------

BROKEN = {
    "a server error": (
        Reply(status=500, raw=b'{"error": {"message": "out of memory"}}'),
        "HTTP 500: out of memory",
    ),
    "a body that is not JSON": (
        Reply(raw=b"<html>Bad gateway</html>"),
        "malformed answer: not JSON",
    ),
    "JSON without choices": (Reply(raw=b'{"object": "chat.completion"}'), "malformed answer"),
    "an empty answer": (Reply(content=""), "empty answer"),
    "a null answer": (Reply(content=None), "empty answer"),
    "a cut-off answer": (Reply(content=GOOD_EN, finish_reason="length"), "cut off"),
    "an answer in the wrong language": (
        Reply(content="LA한인회는 무료 건강검진 행사를 연다."),
        "language",
    ),
    "an overlong answer": (Reply(content=" ".join([GOOD_EN] * 3)), "too long"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_answer_leaves_the_extractive_summary(endpoint, case, caplog):
    reply, reason = BROKEN[case]
    endpoint.script = lambda n, r: reply
    item = raw("battery-plant")
    with caplog.at_level(logging.WARNING, logger="digest.machine_summary"):
        report = run(item)
    assert report.total("problems") == 0  # a writer's failure is no collection error
    article = by_url(item)
    assert article.summary == extractive(item)
    assert article.summary_source == "extractive"
    assert f"LLM summary not used for {item.url}" in caplog.text and reason in caplog.text


def test_a_slow_answer_times_out_and_leaves_the_extractive_summary(endpoint, settings, caplog):
    settings.DIGEST_LLM_TIMEOUT = 0.3
    endpoint.script = lambda n, r: Reply(content=GOOD_EN, delay=3)
    item = raw("battery-plant")
    with caplog.at_level(logging.WARNING, logger="digest.machine_summary"):
        run(item)
    assert by_url(item).summary_source == "extractive"
    assert "no answer within 0.3 s" in caplog.text


def test_an_unreachable_endpoint_leaves_the_extractive_summary(settings, caplog):
    with LlmAPI() as api:
        url = api.url
    settings.DIGEST_LLM_URL, settings.DIGEST_LLM_MODEL = url, MODEL  # nobody listens there now
    item = raw("battery-plant")
    with caplog.at_level(logging.WARNING, logger="digest.machine_summary"):
        run(item)
    assert by_url(item).summary_source == "extractive"
    assert "could not reach" in caplog.text


def test_a_wrong_key_is_an_http_error_not_a_crash(endpoint, settings, caplog):
    settings.DIGEST_LLM_API_KEY = "sk-wrong"
    item = raw("battery-plant")
    with caplog.at_level(logging.WARNING, logger="digest.machine_summary"):
        run(item)
    assert by_url(item).summary_source == "extractive"
    assert "HTTP 401: invalid API key" in caplog.text


def test_the_writer_raises_only_writer_errors(endpoint):
    config = WriterConfig(url=endpoint.url, model="no-such-model", api_key=KEY)
    with LlmWriter(config) as writer, pytest.raises(WriterError, match="HTTP 400"):
        writer.write("A headline", "A body that says little.", "en")
    assert "does not exist" in endpoint.rejected[0][1][0]


# --- one request per article version, and the daily cap --------------------------------------


def test_an_unchanged_article_is_not_asked_again_and_a_changed_one_is(endpoint):
    endpoint.script = answering({"battery": GOOD_EN})
    item = raw("battery-plant")
    run(item)
    run(item)
    assert len(endpoint.requests) == 1
    assert by_url(item).summary == GOOD_EN
    changed = dataclasses.replace(item, body=item.body + "\n\nThe plant will use local steel.")
    run(changed)
    assert len(endpoint.requests) == 2
    article = by_url(item)
    assert article.summary_source == "llm" and article.summary_llm_hash == article.content_hash


def test_a_changed_article_whose_new_answer_fails_loses_the_old_machine_summary(endpoint):
    endpoint.script = answering({"battery": GOOD_EN})
    item = raw("battery-plant")
    run(item)
    endpoint.script = lambda n, r: Reply(status=503, raw=b"")
    changed = dataclasses.replace(item, body=item.body + "\n\nThe plant will use local steel.")
    run(changed)
    article = by_url(item)
    assert article.summary == extractive(changed)
    assert (article.summary_source, article.summary_llm_hash) == ("extractive", "")


def many(count: int) -> list[RawArticle]:
    """Short stories (too short to be taken for near-duplicates of each other)."""
    places = ["Koreatown", "Fullerton", "Torrance", "Irvine", "Cerritos", "Glendale", "Diamond Bar"]
    return [
        RawArticle(
            url=f"https://news.example.com/briefs/{n}",
            title=f"{place} opens a reading room",
            body=f"{place} opened a Korean reading room at its library on Monday. "
            f"It holds {n + 40} shelves.",
            language="en",
            published_at=NOW - dt.timedelta(hours=1),
        )
        for n, place in enumerate(places[:count])
    ]


def test_the_daily_cap_is_counted_in_the_database_and_logged_once(endpoint, settings, caplog):
    settings.DIGEST_LLM_DAILY_CAP = 2
    first, second = many(5)[:3], many(5)[3:]
    with caplog.at_level(logging.WARNING, logger="digest.machine_summary"):
        run(*first)
        run(*second)  # another run the same day (or another process: the count is shared)
    assert len(endpoint.requests) == 2
    sources = [by_url(item).summary_source for item in first + second]
    assert sources == ["llm", "llm", "extractive", "extractive", "extractive"]
    usage = LlmUsage.objects.get()
    assert (usage.day, usage.requests, usage.over_cap) == (dt.date(2026, 11, 24), 2, 3)
    assert caplog.text.count("LLM daily cap reached") == 1
    # The next day in Los Angeles, the count starts again.
    tomorrow = many(7)[5:]
    run(*tomorrow, now=NOW + dt.timedelta(days=1))
    assert len(endpoint.requests) == 4
    assert LlmUsage.objects.count() == 2


def test_a_cap_of_zero_asks_nothing(endpoint, settings):
    settings.DIGEST_LLM_DAILY_CAP = 0
    run(raw("battery-plant"))
    assert endpoint.requests == []
    assert by_url(raw("battery-plant")).summary_source == "extractive"


def test_a_pending_article_is_claimed_once(endpoint):
    """Two processes finishing batches at once never both ask for the same article."""
    item = raw("battery-plant")
    run(item)
    Article.objects.filter(url=item.url).update(summary_source="pending")
    counts = write_pending(now=NOW)
    assert counts["llm"] == 1 and write_pending(now=NOW)["llm"] == 0
    assert len(endpoint.requests) == 2


def test_pending_articles_turn_extractive_if_the_writer_is_turned_off(settings):
    item = raw("battery-plant")
    run(item)
    Article.objects.filter(url=item.url).update(summary_source="pending")
    settings.DIGEST_LLM_URL = ""
    write_pending(now=NOW)
    assert by_url(item).summary_source == "extractive"


# --- the desk and the admin -------------------------------------------------------------------


def test_the_desk_marks_machine_written_summaries_until_an_editor_changes_them(world, client):
    item = world.edition.items.select_related("article").first()
    article = item.article
    Article.objects.filter(id=article.id).update(summary_source="llm")
    client.force_login(world.editor)
    page = client.get(reverse("desk:edition", args=[world.edition.pk])).content.decode()
    assert page.count(">machine-written</span>") == 1
    this_item = page.split(f'id="item-{item.pk}"')[1].split('class="item"')[0]
    assert ">machine-written</span>" in this_item
    item.summary = "An editor's own words."
    item.save()
    page = client.get(reverse("desk:edition", args=[world.edition.pk])).content.decode()
    assert ">machine-written</span>" not in page


def test_the_admin_shows_and_filters_the_summary_source(admin_client, endpoint):
    endpoint.script = answering({"battery": GOOD_EN, "수출": Reply(status=500, raw=b"")})
    run(raw("battery-plant"), raw("export-outlook"))
    page = admin_client.get(reverse("admin:digest_article_changelist") + "?summary_source=llm")
    text = page.content.decode()
    assert "Machine-written (LLM)" in text
    assert "Korean battery maker" in text and "대미 수출" not in text
    article = by_url(raw("battery-plant"))
    change = reverse("admin:digest_article_change", args=[article.pk])
    assert "Machine-written (LLM)" in admin_client.get(change).content.decode()


def test_a_summary_changed_in_the_admin_is_marked_the_editors(endpoint, rf, admin_user):
    from django.contrib import admin

    endpoint.script = answering({"battery": GOOD_EN})
    run(raw("battery-plant"))
    article = by_url(raw("battery-plant"))
    article.summary = "An editor's own summary."

    class Form:
        changed_data = ["summary"]

    request = rf.post("/admin/")
    request.user = admin_user
    admin.site._registry[Article].save_model(request, article, Form(), change=True)
    article.refresh_from_db()
    assert (article.summary_source, article.summary_llm_hash) == ("editor", "")


# --- settings ---------------------------------------------------------------------------------


def test_settings_turn_the_writer_on_only_with_a_url_and_a_model(monkeypatch, tmp_path):
    from .settings_probe import load_settings

    def settings_from(**env: str) -> dict:
        return load_settings(monkeypatch, tmp_path, DJANGO_SECRET_KEY="k" * 50, **env)

    off = settings_from()
    assert off["DIGEST_LLM_URL"] == "" and off["DIGEST_LLM_DAILY_CAP"] == 200
    on = settings_from(
        DIGEST_LLM_URL="http://127.0.0.1:11434/v1/chat/completions",
        DIGEST_LLM_MODEL="qwen2.5:7b-instruct",
        DIGEST_LLM_TIMEOUT="45",
    )
    assert on["DIGEST_LLM_URL"] == "http://127.0.0.1:11434/v1"
    assert on["DIGEST_LLM_TIMEOUT"] == 45.0
    with pytest.raises(ValueError, match="DIGEST_LLM_MODEL"):
        settings_from(DIGEST_LLM_URL="http://127.0.0.1:8000/v1")
    with pytest.raises(ValueError, match="http"):
        settings_from(DIGEST_LLM_URL="127.0.0.1:8000/v1", DIGEST_LLM_MODEL="m")


def test_a_bug_in_the_writer_never_stops_collection(endpoint, monkeypatch, caplog):
    def broken(summary, article):
        raise RuntimeError("a bug in the gate")

    monkeypatch.setattr("digest.faithfulness.check", broken)
    item = raw("battery-plant")
    with caplog.at_level(logging.ERROR, logger="digest.machine_summary"):
        report = run(item, raw("health-fair"))
    assert report.total("new") == 2 and report.total("problems") == 0
    assert set(Article.objects.values_list("summary_source", flat=True)) == {"extractive"}
    assert caplog.text.count("RuntimeError: a bug in the gate") == 2
