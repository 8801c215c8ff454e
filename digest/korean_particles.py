"""Korean particles chosen by the sound that ends the word before them.

A Korean sentence that names something (a list, a site) must choose 을 or 를, 이 or 가, 은 or
는, 과 or 와 by whether that name ends in a final consonant (받침): "브리핑을", "데일리를".
Writing "을(를)" is the mechanical form readers notice. Names may end in Latin letters or
digits ("K-Daily", "2"), read aloud the Korean way.
"""

from __future__ import annotations

HANGUL_FIRST, HANGUL_LAST = 0xAC00, 0xD7A3
# Digits as read in Korean: 일 삼 육 칠 팔 십 영 end in a consonant; 이 사 오 구 do not.
_DIGITS_WITH_FINAL = set("013678")
# Letters said by their names (an acronym, "KBS") end in a consonant only for L M N (엘 엠
# 엔); a word ending in a consonant letter is read with one (Book 북; Times 타임스 is the
# exception we accept).
_VOWEL_ENDINGS = set("aeiouyrwh")
PAIRS = {"을": "를", "이": "가", "은": "는", "과": "와"}


def has_final_consonant(word: str) -> bool | None:
    """Whether ``word`` ends in a final consonant as read in Korean; None when nothing in it
    can be read (punctuation only)."""
    for char in reversed(word.strip()):
        code = ord(char)
        if HANGUL_FIRST <= code <= HANGUL_LAST:
            return (code - HANGUL_FIRST) % 28 != 0
        if char.isdigit():
            return char in _DIGITS_WITH_FINAL
        if char.isascii() and char.isalpha():
            run = _latin_run(word.strip())
            if len(run) == 1 or run.isupper():
                return char.lower() in "lmn"  # letters said by their names: 엘, 엠, 엔
            return char.lower() not in _VOWEL_ENDINGS
        # closing quotes, brackets, dots: look at what they close
    return None


def _latin_run(word: str) -> str:
    """The Latin letters that end ``word`` ("Daily" in "K-Daily", "KBS" in "KBS")."""
    end = len(word)
    while end and not (word[end - 1].isascii() and word[end - 1].isalpha()):
        end -= 1
    start = end
    while start and word[start - 1].isascii() and word[start - 1].isalpha():
        start -= 1
    return word[start:end]


def particle(word: str, with_final: str) -> str:
    """The particle that follows ``word``: ``with_final`` (을, 이, 은, 과) after a final
    consonant, its partner (를, 가, 는, 와) after a vowel. Unreadable words get the form
    with a final consonant, the more common written default."""
    if with_final not in PAIRS:
        raise ValueError(f"unknown particle {with_final!r}: one of {', '.join(PAIRS)}")
    return PAIRS[with_final] if has_final_consonant(word) is False else with_final


def with_particle(word: str, with_final: str) -> str:
    """``word`` followed by its particle: "코리아데일리 아침 브리핑을", "데일리를"."""
    return word + particle(word, with_final)
