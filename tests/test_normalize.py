"""Normalisation undoes each evasion recruiters use, and spans map back to the original."""

from __future__ import annotations

import pytest

from bot.core.normalize import _NEEDS_FOLDING, _TABLE, _fold_char, fold, normalize, term_forms


def words(text: str) -> list[str]:
    return [view.words for view in normalize(text).views]


def compact(text: str) -> str:
    return normalize(text).views[0].compact


@pytest.mark.parametrize(
    ("evasion", "text"),
    [
        ("NFKC full-width", "ＰＯＩＰＥＴ"),
        ("mathematical bold", "𝐏𝐨𝐢𝐩𝐞𝐭"),
        ("circled letters", "Ⓟⓞⓘⓟⓔⓣ"),
        ("upper case", "POIPET"),
        ("Cyrillic homoglyphs", "Роіреt"),
        ("Greek homoglyphs", "Ροipετ"),
        ("zero-width space", "Poi\u200bpet"),
        ("zero-width joiner and BOM", "P\u200do\ufeffipet"),
        ("soft hyphen", "Poi\u00adpet"),
        ("spaced letters", "P o i p e t"),
        ("dotted letters", "P.o.i.p.e.t"),
        ("emoji separators", "P🔥o🔥i🔥p🔥e🔥t"),
        ("dashes", "P-o-i-p-e-t"),
    ],
)
def test_latin_evasions_fold_to_the_plain_word(evasion: str, text: str) -> None:
    assert "poipet" in words(text), evasion


@pytest.mark.parametrize("text", ["P01pet", "Po1pet", "p0ipet"])
def test_leetspeak_gets_a_view_of_its_own(text: str) -> None:
    assert "poipet" in words(text)


def test_leetspeak_leaves_plain_numbers_alone_in_the_main_view() -> None:
    assert normalize("Salary 1500 USD").views[0].words == "salary 1500 usd"


def test_leet_view_covers_only_the_neighbourhood() -> None:
    text = "intro " * 200 + "free fl1ght to p01pet now" + " outro" * 200
    extra = normalize(text).views[1:]
    assert extra and all(len(view.words) < 120 for view in extra)
    assert any("free flight to poipet" in view.words for view in extra)


def test_telegram_leet_with_one_as_l() -> None:
    assert "telegram" in words("te1egram")


def test_vietnamese_matches_with_and_without_diacritics() -> None:
    assert fold("Việc nhẹ lương cao, đi ngay") == fold("Viec nhe luong cao, di ngay")
    assert fold("ĐI NGAY") == "di ngay"


def test_decomposed_vietnamese_input_folds_like_precomposed() -> None:
    decomposed = "lu\u031bo\u031b\u0300ng"  # lường typed with combining marks
    assert fold(decomposed) == fold("lường") == "luong"


def test_thai_marks_survive() -> None:
    # rapidfuzz's default processor would turn these marks into spaces.
    text = "ทำงานต่างประเทศ รายได้ดี"
    assert normalize(text).views[0].words == text
    assert compact("ทำงาน ต่าง ประเทศ") == "ทำงานต่างประเทศ"


def test_korean_spacing_does_not_matter_in_compact_view() -> None:
    assert compact("고수익 알바") == compact("고수익알바") == "고수익알바"
    assert compact("고 수 익 알 바") == "고수익알바"


def test_term_forms_fold_like_messages() -> None:
    assert term_forms("Free  Flight!") == ("free flight", "freeflight")
    assert term_forms("고수익 알바") == ("고수익 알바", "고수익알바")


def test_spans_map_back_to_original_text_through_expansions() -> None:
    text = "ﬁne \u200bPoipet"  # a ligature expands, a zero-width char disappears
    norm = normalize(text)
    start = norm.folded.index("poipet")
    o_start, o_end = norm.original_span(start, start + len("poipet"))
    assert text[o_start:o_end] == "Poipet"


def test_newlines_stop_letter_joining() -> None:
    assert words("xx a b\nc d yy") == ["xx a b c d yy"]  # a line break: not one spaced word
    assert words("xx a b c d yy") == ["xx abcd yy"]
    assert normalize("I\nam\nok").views[0].words == "i am ok"


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII, Free Flight!",
        "ทำงานต่างประเทศ",
        "고수익 알바",
        "line\nbreak",
        "━━ 고수익 · 숙소 제공 → ✈️ 항공권 ■ ☎ 010",  # a few symbols: folded piece by piece
        "Lương cao 30 triệu/tháng, bao vé máy bay, đi Campuchia ngay",  # many: the table
        "İstanbul ﬁnance ẞ Ⓟoipet \u200b…",  # folding to none or to several characters
        "🔥" * 300 + "Poipet ÉCOLE",  # a plain head, then capitals to fold
    ],
)
def test_every_folding_path_folds_like_the_table(text: str) -> None:
    assert normalize(text).folded == text.translate(_TABLE)


def test_characters_treated_as_plain_fold_to_their_lower_case() -> None:
    """`str.lower` stands in for the table on these, so they must agree everywhere."""
    for code in range(0x30000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or _NEEDS_FOLDING.match(char):
            continue
        assert _fold_char(char) == char.lower(), hex(code)


def test_control_characters_are_dropped_and_tabs_become_spaces() -> None:
    assert fold("free\x00 fl\x07ight\tnow\r\n") == "free flight now \n"
