"""The four default sections, with keywords in English and Korean; admins edit them later."""

from django.db import migrations

SECTIONS = [
    {
        "key": "trade",
        "name_en": "Trade",
        "name_ko": "통상·경제",
        "max_items": 5,
        "category_hints": ["trade", "business", "economy", "무역", "경제", "통상"],
        "keywords": [
            "trade", "tariff", "tariffs", "export", "exports", "import", "imports",
            "investment", "supply chain", "semiconductor", "semiconductors", "shipping", "ports",
            "exchange rate", "commerce", "manufacturing", "automaker",
            "steel", "free trade",
            "무역", "관세", "수출", "수입", "투자", "통상", "공급망", "반도체", "환율",
            "항만", "물류", "기업", "경제",
        ],
    },
    {
        "key": "diplomacy",
        "name_en": "Diplomacy",
        "name_ko": "외교·안보",
        "max_items": 5,
        "category_hints": ["diplomacy", "politics", "world", "외교", "정치", "안보"],
        "keywords": [
            "diplomacy", "diplomatic", "summit", "foreign minister", "secretary of state",
            "embassy", "consulate", "consul", "alliance", "north korea", "pyongyang",
            "sanctions", "treaty", "bilateral", "visa", "state department", "ambassador",
            "nuclear", "defense", "security",
            "외교", "정상회담", "외교부", "대사관", "총영사관", "영사", "동맹", "북한",
            "비자", "제재", "국무부", "대사", "안보", "국방",
        ],
    },
    {
        "key": "community",
        "name_en": "Community",
        "name_ko": "한인 사회",
        "max_items": 5,
        "category_hints": ["community", "koreatown", "local", "커뮤니티", "한인사회", "la 한인사회"],
        "keywords": [
            "koreatown", "community", "korean american", "korean-american", "residents",
            "neighborhood", "council", "church", "seniors", "nonprofit", "volunteers",
            "festival", "small business", "school", "students",
            "한인타운", "한인회", "한인", "커뮤니티", "주민", "교회", "시니어", "노인",
            "비영리", "봉사", "축제", "학생", "동포",
        ],
    },
    {
        "key": "more",
        "name_en": "More news",
        "name_ko": "더 많은 소식",
        "max_items": 6,
        "category_hints": [],
        "keywords": [],
        "catch_all": True,
    },
]


def create(apps, schema_editor):
    Section = apps.get_model("digest", "Section")
    for position, data in enumerate(SECTIONS, start=1):
        Section.objects.get_or_create(key=data["key"], defaults={**data, "position": position})


def remove(apps, schema_editor):
    apps.get_model("digest", "Section").objects.filter(
        key__in=[s["key"] for s in SECTIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("digest", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
