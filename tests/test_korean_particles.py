"""Korean particles follow the sound that ends the word before them."""

from __future__ import annotations

import pytest

from digest.korean_particles import has_final_consonant, particle, with_particle


@pytest.mark.parametrize(
    ("word", "final"),
    [
        ("브리핑", True),
        ("코리아데일리", False),
        ("한인 사회", False),
        ("통상·경제", False),
        ("외교·안보", False),
        ("뉴스", False),
        ("소식", True),
        ("「아침 브리핑」", True),
        ("2", False),
        ("3", True),
        ("K-Daily", False),
        ("Morning", True),
        ("LA", False),
        ("L", True),
        ("KBS", False),
        ("CNN", True),
        ("...", None),
    ],
)
def test_final_consonant(word, final):
    assert has_final_consonant(word) is final


def test_each_pair_chooses_by_the_word_before():
    assert with_particle("코리아데일리 아침 브리핑", "을") == "코리아데일리 아침 브리핑을"
    assert with_particle("코리아데일리", "을") == "코리아데일리를"
    assert particle("뉴스", "이") == "가" and particle("소식", "이") == "이"
    assert particle("뉴스", "은") == "는" and particle("소식", "은") == "은"
    assert particle("뉴스", "과") == "와" and particle("소식", "과") == "과"
    assert particle("...", "을") == "을"


def test_an_unknown_particle_is_an_error():
    with pytest.raises(ValueError, match="unknown particle"):
        particle("뉴스", "로")
