"""Korean text marked into morphemes: particles and compound parts apart, words whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digest import korean_morphemes as korean
from digest.korean_morphemes import MARK, mark_morphemes


def pieces(text: str) -> str:
    return mark_morphemes(text).replace(MARK, "|")


def test_particles_come_off_words():
    assert pieces("한인회가 관세를 논의했다").startswith("한인회|가 관세|를 ")


def test_a_word_inside_another_is_not_cut_out():
    assert "미비|자" in pieces("서류미비자 단속에 가족들이 불안해한다")
    assert "북한|인권" in pieces("유엔이 북한인권 결의안을 채택했다")


def test_latin_letters_stay_whole_and_apart_from_hangul():
    marked = pieces("LA한인회는 K-pop 공연을 LA에서 열었다")
    assert marked.startswith("LA|")
    assert "K-pop" in marked
    assert "LA|에서" in marked


def test_text_keeps_its_characters_and_offsets_apart_from_the_marks():
    text = "한인타운 주민들이\n\n  모였다. 😀 LA에서"
    assert mark_morphemes(text).replace(MARK, "") == text


def test_english_text_never_loads_the_analyser(monkeypatch):
    class Refuses:
        def tokenize(self, text):
            raise AssertionError("the analyser was used for text without Hangul")

    monkeypatch.setattr(korean, "_analyser", Refuses())
    assert mark_morphemes("Tariffs rise in January.") == "Tariffs rise in January."


def test_one_analyser_per_process():
    assert korean.analyser() is korean.analyser()


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("한인회가 관세를 LA에서 K-pop 북한인권.\n!😀ab12"), max_size=80
    )
)
def test_marks_never_change_the_text(text):
    assert mark_morphemes(text).replace(MARK, "") == text
