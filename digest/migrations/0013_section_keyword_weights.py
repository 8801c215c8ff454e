"""Weighted keywords for the default sections, and signals of its own for "More news".

A weight says how specific a word is: 2 nearly decides a section ("tariff", "총영사관"), 1 is
ordinary, 0.5 is generic ("residents", "summit", "주민"): it adds to a section's score but
never makes one alone. A section whose keywords are still the defaults of 0002 gets the new list; a
section an editor changed keeps its words, and those that appear below get their weight.
"More news" gets positive signals: sports, weather, fires and disasters, entertainment,
crime, health and national politics, in English and Korean.
"""

from django.db import migrations, models

import digest.keywords

KEYWORDS = {
    "trade": [
        ["tariff", 2],
        ["export", 2],
        ["exporter", 2],
        ["trade deal", 2],
        ["trade war", 2],
        ["trade deficit", 2],
        ["free trade", 2],
        ["supply chain", 2],
        ["semiconductor", 2],
        ["shipbuilding", 2],
        ["shipbuilder", 2],
        ["exchange rate", 2],
        "trade",
        "import",
        "importer",
        "investment",
        "shipping",
        "freight",
        "port",
        "manufacturing",
        "manufacturer",
        "automaker",
        "steel",
        "shipyard",
        ["duty", 0.5],
        ["customs", 0.5],
        ["commerce", 0.5],
        ["economy", 0.5],
        ["무역", 2],
        ["관세", 2],
        ["수출", 2],
        ["통상", 2],
        ["공급망", 2],
        ["반도체", 2],
        ["환율", 2],
        "수입",
        "투자",
        "항만",
        "물류",
        "통관",
        ["조선업", 2],
        "수주",
        ["기업", 0.5],
        ["경제", 0.5],
    ],
    "diplomacy": [
        ["diplomacy", 2],
        ["diplomatic", 2],
        ["diplomat", 2],
        ["foreign minister", 2],
        ["foreign ministry", 2],
        ["secretary of state", 2],
        ["state department", 2],
        ["embassy", 2],
        ["consulate", 2],
        ["consul general", 2],
        ["ambassador", 2],
        ["north korea", 2],
        ["north korean", 2],
        ["pyongyang", 2],
        ["USFK", 2],
        ["sanction", 2],
        ["denuclearization", 2],
        ["cost-sharing", 2],
        "consul",
        "alliance",
        "ally",
        "treaty",
        "bilateral",
        "visa",
        "nuclear",
        "missile",
        "united nations",
        "UN",
        "unification",
        ["summit", 0.5],
        ["defense", 0.5],
        ["security", 0.5],
        ["외교", 2],
        ["외교부", 2],
        ["정상회담", 2],
        ["대사관", 2],
        ["총영사관", 2],
        ["영사관", 2],
        ["북한", 2],
        ["제재", 2],
        ["국무부", 2],
        ["주한미군", 2],
        ["방위비", 2],
        "영사",
        "대사",
        "동맹",
        "비자",
        "미사일",
        "회담",
        "통일",
        "유엔",
        ["안보", 0.5],
        ["국방", 0.5],
    ],
    "community": [
        ["koreatown", 2],
        ["k-town", 2],
        "korean american",
        ["korean community", 2],
        ["neighborhood council", 2],
        "city council",
        "church",
        "senior",
        "nonprofit",
        "volunteer",
        "small business",
        "undocumented",
        ["community", 0.5],
        ["resident", 0.5],
        ["neighborhood", 0.5],
        ["council", 0.5],
        ["festival", 0.5],
        ["school", 0.5],
        ["student", 0.5],
        ["한인타운", 2],
        ["한인회", 2],
        ["한인 사회", 2],
        "한인",
        "동포",
        "교회",
        "시니어",
        "노인",
        "비영리",
        "봉사",
        "한국학교",
        "서류미비자",
        ["커뮤니티", 0.5],
        ["주민", 0.5],
        ["축제", 0.5],
        ["학생", 0.5],
    ],
    "more": [
        # sports
        "sports",
        ["baseball", 2],
        ["basketball", 2],
        ["football", 2],
        ["soccer", 2],
        ["golf", 2],
        ["tennis", 2],
        ["hockey", 2],
        ["olympic", 0.5],
        ["world cup", 2],
        ["playoff", 2],
        ["home run", 2],
        ["pitcher", 2],
        ["quarterback", 2],
        ["dodgers", 2],
        ["lakers", 2],
        ["clippers", 2],
        ["LAFC", 2],
        ["LPGA", 2],
        ["MLB", 2],
        ["NBA", 2],
        ["NFL", 2],
        ["KBO", 2],
        "championship",
        "tournament",
        "coach",
        "rookie",
        ["season", 0.5],
        ["야구", 2],
        ["축구", 2],
        ["농구", 2],
        ["골프", 2],
        ["올림픽", 0.5],
        ["월드컵", 2],
        ["다저스", 2],
        ["메이저리그", 2],
        ["홈런", 2],
        ["투수", 2],
        "우승",
        "선수",
        "시즌",
        ["감독", 0.5],
        # weather
        ["weather", 2],
        ["heat wave", 2],
        ["santa ana wind", 2],
        ["national weather service", 2],
        "forecast",
        "rain",
        "storm",
        "snow",
        "temperature",
        ["날씨", 2],
        ["기온", 2],
        ["폭우", 2],
        ["폭염", 2],
        ["강풍", 2],
        ["기상청", 2],
        ["일기예보", 2],
        # fires and disasters
        ["wildfire", 2],
        ["brush fire", 2],
        ["firefighter", 2],
        ["earthquake", 2],
        ["mudslide", 2],
        ["red flag warning", 2],
        "blaze",
        "evacuation",
        "flood",
        "power outage",
        ["산불", 2],
        ["화재", 2],
        ["지진", 2],
        ["홍수", 2],
        "대피",
        "대피령",
        "소방",
        "소방관",
        "정전",
        # entertainment
        ["k-pop", 2],
        ["k-drama", 2],
        ["concert", 2],
        ["album", 2],
        ["movie", 2],
        ["box office", 2],
        ["actor", 2],
        ["actress", 2],
        ["singer", 2],
        ["netflix", 2],
        ["grammy", 2],
        "film",
        "drama",
        "premiere",
        "celebrity",
        "entertainment",
        ["영화", 2],
        ["드라마", 2],
        ["콘서트", 2],
        ["가수", 2],
        ["앨범", 2],
        ["케이팝", 2],
        ["K팝", 2],
        ["아이돌", 2],
        ["넷플릭스", 2],
        ["개봉", 2],
        ["박스오피스", 2],
        "공연",
        "흥행",
        "연예",
        # crime
        ["LAPD", 2],
        ["shooting", 2],
        ["robbery", 2],
        ["homicide", 2],
        ["burglary", 2],
        ["stabbing", 2],
        ["murder", 2],
        "police",
        "arrest",
        "suspect",
        "theft",
        "sheriff",
        "fraud",
        ["총격", 2],
        ["살인", 2],
        ["용의자", 2],
        ["절도", 2],
        "강도",
        "경찰",
        "체포",
        "검거",
        "범죄",
        "사기",
        # health
        ["flu", 2],
        "vaccine",
        "vaccination",
        ["health", 0.5],
        ["hospital", 0.5],
        ["독감", 2],
        "백신",
        "예방접종",
        ["건강", 0.5],
        # national politics
        ["midterm", 2],
        ["house speaker", 2],
        "congress",
        "senate",
        "senator",
        "republican",
        "democrat",
        "governor",
        "supreme court",
        ["white house", 0.5],
        ["election", 0.5],
        ["campaign", 0.5],
        ["중간선거", 2],
        "연방의회",
        "상원",
        "하원",
        "공화당",
        "주지사",
        ["민주당", 0.5],
        ["백악관", 0.5],
        ["대법원", 0.5],
    ],
}

HELP = (
    'Words that place an article here: "word" (weight 1) or ["word", weight], e.g. '
    '["tariff", 2], "관세", ["summit", 0.5]. Weight 2 for a word that nearly decides the '
    "section, 1 for an ordinary one, under 1 for a generic word, which adds to a score but "
    "never makes one alone. A word counts three times in the headline, twice in the lead."
)


def _old_defaults(apps):
    from importlib import import_module

    old = import_module("digest.migrations.0002_default_sections").SECTIONS
    return {s["key"]: s["keywords"] for s in old}


def _word(entry):
    return entry[0] if isinstance(entry, list) else entry


def weigh(apps, schema_editor):
    Section = apps.get_model("digest", "Section")
    old = _old_defaults(apps)
    for key, new in KEYWORDS.items():
        section = Section.objects.filter(key=key).first()
        if section is None:
            continue  # removed by an editor: not brought back
        if section.keywords == old.get(key):
            section.keywords = new
        else:  # an editor's list: their words, with the weights given here
            weights = {_word(e).casefold(): e[1] for e in new if isinstance(e, list)}
            section.keywords = [
                [_word(e), weights[_word(e).casefold()]]
                if isinstance(e, str) and e.casefold() in weights
                else e
                for e in section.keywords or []
            ]
        section.save(update_fields=["keywords"])


def unweigh(apps, schema_editor):
    Section = apps.get_model("digest", "Section")
    old = _old_defaults(apps)
    for section in Section.objects.all():
        if section.key in old and section.keywords == KEYWORDS.get(section.key):
            section.keywords = old[section.key]
        else:  # the code before this migration reads words only
            section.keywords = [_word(e) for e in section.keywords or []]
        section.save(update_fields=["keywords"])


class Migration(migrations.Migration):
    dependencies = [("digest", "0012_article_date_source_file")]
    operations = [
        migrations.AlterField(
            model_name="section",
            name="keywords",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text=HELP,
                validators=[digest.keywords.validate_keywords],
            ),
        ),
        migrations.RunPython(weigh, unweigh),
    ]
