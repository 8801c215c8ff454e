"""The default sections (migrations 0002 and 0013) on the kinds of story that used to go wrong.

Each story is invented for this test. Before morpheme matching, weights and signals for
"More news", each of these went to the wrong section or reached "More news" only by default.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from digest.classify import classify, score_sections
from digest.collect import section_rules, store
from digest.models import Article, Section
from digest.sources import RawArticle

pytestmark = pytest.mark.django_db

weights = importlib.import_module("digest.migrations.0013_section_keyword_weights")
defaults = importlib.import_module("digest.migrations.0002_default_sections")


def verdict(title: str, body: str):
    return classify(title, body, [], section_rules())


def hits(title: str, body: str, key: str) -> set[str]:
    [section] = [s for s in score_sections(title, body, section_rules()) if s.key == key]
    return {hit.word for hit in section.hits}


# --- Korean words, not substrings ---------------------------------------------------------------

UNDOCUMENTED = (
    "서류미비자 단속 확대에 한인 가정들 불안",
    "연방 이민당국이 LA 일대에서 서류미비자 단속을 확대하면서 한인 가정들의 불안이 커지고 있다.\n\n"
    "한인타운의 한 이민법 변호사는 이번 주에만 서류미비자 가족의 상담 전화가 40통 넘게 "
    "걸려 왔다고 말했다. 서류미비자 자녀를 둔 부모들은 학교 앞 단속 소문에 아이들을 등교시키지 "
    "못하고 있다.\n\n한인회는 다음 주 교회에서 무료 법률 설명회를 열고 서류미비자의 권리를 "
    "안내할 예정이다. 서류미비자 지원 단체들은 연락처를 미리 적어 두라고 당부했다.",
)


def test_visa_is_not_found_inside_undocumented():
    # Substring rules counted "비자" in every "서류미비자" and sent this story to diplomacy.
    result = verdict(*UNDOCUMENTED)
    assert result.key == "community"
    assert "비자" not in hits(*UNDOCUMENTED, "diplomacy")


HUMAN_RIGHTS = (
    "유엔 총회, 북한인권 결의안 20년 연속 채택",
    "유엔 총회 제3위원회가 북한인권 결의안을 표결 없이 채택했다.\n\n"
    "결의안은 북한인권 상황에 대한 우려를 표명하고 강제 송환 중단을 촉구했다. "
    "북한인권 단체들은 환영 성명을 냈다. 북한인권 문제를 다루는 특별보고관의 활동 기간도 "
    "연장됐다. 북한인권 전문가들은 실질적인 후속 조치가 필요하다고 지적했다.\n\n"
    "LA 지역 한인 교회와 동포 단체들도 북한인권 결의안 채택을 환영했다.",
)


def test_korean_american_is_not_found_inside_north_korean_human_rights():
    # Substring rules counted "한인" in every "북한인권" and sent this story to community.
    result = verdict(*HUMAN_RIGHTS)
    assert result.key == "diplomacy"
    assert hits(*HUMAN_RIGHTS, "community") == {"한인", "교회", "동포"}  # the real mentions


def test_particles_still_attach_to_korean_keywords():
    community = verdict("LA한인회가 연말 경로잔치 연다", "LA한인회는 한인타운 노인들을 초대했다.")
    assert community.key == "community"
    trade = verdict("대미 관세를 피하려는 수출 밀어내기", "관세를 앞둔 수출이 늘었다.")
    assert trade.key == "trade"


# --- furniture -------------------------------------------------------------------------------

ROBBERY = (
    "가든그로브 편의점 강도 용의자 체포",
    "가든그로브 경찰국은 지난 주말 시내의 한 편의점에서 총기로 직원을 위협하고 현금을 빼앗은 "
    "혐의로 20대 용의자를 체포했다고 밝혔다.\n\n"
    "경찰에 따르면 용의자는 범행 후 도주했으나 인근 CCTV에 찍힌 차량 번호로 검거됐다. "
    "다친 사람은 없었다.",
)
FOOTER = "\n\n미주경제 기사제보 | 미주경제 구독 신청 | ⓒ 미주경제신문 무단전재 금지"


def test_a_site_name_in_a_footer_cannot_carry_a_story():
    # The cleaned story and the story with a newspaper's footer ("...경제") left in go to the
    # same place: "경제" is a generic word, and the crime words are signals for "More news".
    # (Removing footers is the cleaner's work; this is the classifier holding when one slips.)
    title, body = ROBBERY
    assert verdict(title, body).key == "more"
    assert verdict(title, body + FOOTER).key == "more"
    assert not verdict(title, body + FOOTER).thin


WILDFIRE = (
    "Brush fire forces evacuations in the Verdugo Hills",
    "TRENDING: New tariffs on Korean steel · Trade talks resume in Seoul · Dodgers parade route\n\n"
    "A brush fire driven by gusty winds burned more than 300 acres above Tujunga on Monday, "
    "forcing evacuations of about 200 homes.\n\n"
    "Firefighters from Los Angeles and Glendale attacked the flames from the air, and a red "
    "flag warning stays in effect through Wednesday.",
)


def test_a_ticker_line_of_headlines_does_not_carry_a_story():
    result = verdict(*WILDFIRE)
    assert result.key == "more"
    assert not result.thin


# --- generic words ---------------------------------------------------------------------------


def test_residents_and_neighborhood_alone_do_not_make_community():
    title = "Residents of a hillside neighborhood clean up after a storm"
    body = (
        "Residents spent Sunday clearing mud and fallen branches after a storm dropped two "
        "inches of rain on the neighborhood overnight.\n\n"
        "Neighborhood volunteers said the power outage lasted nine hours for some residents."
    )
    result = verdict(title, body)
    assert result.key == "more"
    assert result.runner_up is None or result.runner_up == "community"


def test_summit_alone_does_not_make_diplomacy():
    title = "Hikers reach the summit of Mount Baldy before the first snow"
    body = "Two hikers reached the summit on Sunday.\n\nThey said the summit trail was icy."
    result = verdict(title, body)
    assert result.key == "more"
    assert hits(title, body, "diplomacy") == {"summit"}
    [diplomacy] = [s for s in score_sections(title, body, section_rules()) if s.key == "diplomacy"]
    assert diplomacy.score == 0


def test_defense_and_summit_lose_to_a_story_of_sports():
    title = "Lakers' defense holds off the Clippers in a summit of Los Angeles rivals"
    body = (
        "The Lakers leaned on their defense in the fourth quarter to beat the Clippers 112-104 "
        "on Sunday.\n\nThe coach called the defense the best of the season."
    )
    result = verdict(title, body)
    assert result.key == "more"
    assert not result.thin


def test_residents_in_korean_alone_do_not_make_community():
    title = "산불 번지자 주민들 대피…주택 12채 불타"
    body = (
        "남가주 샌버나디노 카운티에서 발생한 산불이 강풍을 타고 번지면서 주민 3천여 명에게 "
        "대피령이 내려졌다.\n\n소방 당국은 주민들에게 대피 경로를 미리 확인하라고 당부했다."
    )
    result = verdict(title, body)
    assert result.key == "more"
    assert "주민" in hits(title, body, "community")


# --- "More news" has signals of its own ------------------------------------------------------

MORE = {
    "sports": (
        "Dodgers rookie shines as the playoff push begins",
        "The Dodgers' rookie pitcher struck out nine on Friday.\n\nThe team plays Arizona next.",
    ),
    "sports, Korean": (
        "LA 다저스, 연장 끝에 월드시리즈 우승",
        "LA 다저스가 연장 11회 끝내기 홈런으로 우승을 차지했다.\n\n투수진의 호투가 빛났다.",
    ),
    "weather": (
        "Cold snap to bring frost to inland valleys",
        "The National Weather Service expects temperatures near freezing tonight.\n\n"
        "Rain returns on Friday, forecasters said.",
    ),
    "weather, Korean": (
        "이번 주말 남가주 기온 뚝…일부 지역 강풍",
        "기상청은 주말 동안 남가주 내륙의 기온이 영하 가까이 떨어질 것으로 내다봤다.",
    ),
    "disaster": (
        "Magnitude 4.6 earthquake rattles the Inland Empire",
        "The earthquake struck at 3:12 a.m. near Fontana.\n\nNo damage was reported.",
    ),
    "entertainment": (
        "K-pop group announces a second night at the Hollywood Bowl",
        "The group's concert tour adds a show after the first night sold out.\n\n"
        "Its new album arrives in March.",
    ),
    "entertainment, Korean": (
        "한국 영화 ‘바다의 끝’ LA 개봉…첫 주 흥행 순조",
        "한국 영화 ‘바다의 끝’이 LA 극장 10곳에서 개봉했다.\n\n감독은 관객과의 대화에 나선다.",
    ),
    "national politics": (
        "Senate passes stopgap bill hours before a shutdown",
        "The Senate voted 68-31 late Friday to keep the government open.\n\n"
        "Republicans and Democrats traded blame as Congress left for the holidays.",
    ),
    "crime": (
        "LAPD arrests suspect in Wilshire jewelry store robbery",
        "Police arrested a 31-year-old suspect on Thursday.\n\nThe robbery happened in October.",
    ),
    "crime, Korean": ROBBERY,
}


@pytest.mark.parametrize("story", MORE.values(), ids=MORE.keys())
def test_more_news_is_chosen_by_its_own_signals(story):
    result = verdict(*story)
    assert result.key == "more"
    assert result.reason.startswith("keywords: ")
    assert not result.thin


# --- the defaults, and how collection keeps the verdict --------------------------------------


def test_the_defaults_carry_weights():
    trade = Section.objects.get(key="trade")
    assert ["tariff", 2] in trade.keywords
    assert ["summit", 0.5] in Section.objects.get(key="diplomacy").keywords
    assert ["주민", 0.5] in Section.objects.get(key="community").keywords
    assert Section.objects.get(key="more").keywords  # no longer empty
    for section in Section.objects.all():
        section.full_clean()  # every entry is valid as the admin sees it


def test_the_migration_weighs_an_editors_list_without_replacing_it():
    trade = Section.objects.get(key="trade")
    trade.keywords = ["tariff", "tariffs", "garment district", ["관세", 3]]
    trade.save()
    community = Section.objects.get(key="community")
    community.keywords = defaults.SECTIONS[2]["keywords"]  # untouched since 0002
    community.save()
    Section.objects.filter(key="more").delete()

    weights.weigh(apps, None)
    trade.refresh_from_db()
    assert trade.keywords == [["tariff", 2], "tariffs", "garment district", ["관세", 3]]
    community.refresh_from_db()
    assert community.keywords == weights.KEYWORDS["community"]
    assert not Section.objects.filter(key="more").exists()  # an editor's removal stands

    weights.unweigh(apps, None)
    trade.refresh_from_db()
    community.refresh_from_db()
    assert trade.keywords == ["tariff", "tariffs", "garment district", "관세"]
    assert community.keywords == defaults.SECTIONS[2]["keywords"]


def test_a_bad_keyword_entry_is_left_out_of_a_run_with_a_warning(caplog):
    Section.objects.filter(key="trade").update(keywords=["tariff", ["steel", "heavy"]])
    [trade] = [rule for rule in section_rules() if rule.key == "trade"]
    assert [k.word for k in trade.keywords] == ["tariff"]
    assert "section trade: keyword entry 2" in caplog.text


def test_collection_keeps_the_runner_up_and_the_thin_margin():
    sections = {s.key: s for s in Section.objects.all()}
    tied = RawArticle(
        url="https://news.example.com/tie",
        title="Consulate opens a Koreatown help desk",
        body="The consulate and Koreatown groups spoke.",
        language="en",
        published_at=None,
    )
    assert store(tied, section_rules(), sections) == "new"
    article = Article.objects.get(url="https://news.example.com/tie")
    verdict_now = classify(tied.title, tied.body, [], section_rules())
    assert verdict_now.thin
    assert article.section.key == verdict_now.key
    assert article.section_runner_up.key == verdict_now.runner_up
    assert article.section_thin_margin is True

    clear = RawArticle(
        url="https://news.example.com/clear",
        title="Tariff on Korean steel doubles",
        body="Exporters of steel face the new tariff in January.",
        language="en",
        published_at=None,
    )
    store(clear, section_rules(), sections)
    article = Article.objects.get(url="https://news.example.com/clear")
    assert (article.section.key, article.section_runner_up, article.section_thin_margin) == (
        "trade",
        None,
        False,
    )
