"""Text measurement for the PowerPoint deck: widths fixed by huoye (1 em CJK, Liberation Sans), Chinese wrapping rules,
fitting and splitting over continuation boxes."""

from __future__ import annotations

import functools
import unicodedata

import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st

from huoye.render.deck.measure import (
    ASIAN_WESTERN_GAP_EM,
    LATIN_SAFETY,
    NO_LINE_END,
    NO_LINE_START,
    FontSpec,
    FrameSpec,
    Para,
    TextDoesNotFitError,
    _PerChar,
    fits,
    has_east_asian,
    is_east_asian_char,
    split_to_fit,
    text_width,
    wrap,
)

FONT = FontSpec()  # Arial + Microsoft YaHei, measured with huoye's own metrics
NOTO = FontSpec(latin="Noto Sans CJK SC", east_asian="Noto Sans CJK SC")

POLICY = (
    "今年以来，财政部会同有关部门实施更加积极的财政政策（含超长期特别国债1万亿元），"
    "GDP同比增长5.2%，“十四五”规划目标稳步推进。《预算法》规定：各级预算应当遵循统筹兼顾、"
    "勤俭节约、量力而行、讲求绩效和收支平衡的原则！COVID-19 related spending was phased out…"
)


# ------------------------------------------------------------------------------ widths


def test_a_cjk_ideograph_is_one_em():
    assert text_width("中", FONT, 20) == pytest.approx(20.0)
    assert text_width("财政政策", FONT, 10) == pytest.approx(40.0)
    assert text_width("财政政策", FONT.with_bold(), 18) == pytest.approx(72.0)


def test_fullwidth_chinese_punctuation_is_one_em():
    assert text_width("，。、；：？！（）《》", FONT, 10) == pytest.approx(110.0)  # 11 marks


LIBERATION = "/usr/share/fonts/truetype/liberation/LiberationSans-{}.ttf"


@functools.lru_cache(maxsize=2)
def _liberation(bold: bool) -> tuple[dict[int, str], dict, int]:
    with TTFont(LIBERATION.format("Bold" if bold else "Regular"), lazy=True) as f:
        return dict(f.getBestCmap()), dict(f["hmtx"].metrics), f["head"].unitsPerEm


def font_file_width(text: str, bold: bool, size: float) -> float:
    """The width the module doc defines, computed without the module: each character's
    advance read from the Liberation Sans file (fontTools) with the safety margin; CJK and
    the marks either face may draw (quotes, dashes, ellipsis, bullets) 1 em, as is a
    character Liberation lacks; combining and format characters nothing; a tab 2 em; and
    LibreOffice's autospace at each Asian/Western boundary."""
    cmap, hmtx, upem = _liberation(bold)
    em = 0.0
    for ch in text:
        if ch == "\t":
            em += 2.0
        elif unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        elif is_east_asian_char(ch) or ch in "“”‘’…—–·•※°" or ord(ch) not in cmap:
            em += 1.0
        else:
            em += hmtx[cmap[ord(ch)]][0] / upem * (1 + LATIN_SAFETY)
    return (em + ASIAN_WESTERN_GAP_EM * _plain_script_changes(text)) * size


@pytest.mark.parametrize("bold", [False, True])
def test_latin_width_is_liberation_sans_with_the_safety_margin(bold):
    # the oracle is the font file itself (fonts-liberation, installed by scripts/setup.sh test)
    with TTFont(LIBERATION.format("Bold" if bold else "Regular"), lazy=True) as f:
        cmap, upem = f.getBestCmap(), f["head"].unitsPerEm
        em = sum(f["hmtx"][cmap[ord(c)]][0] for c in "GDP 2024, Wi-Fi.") / upem
    font = FONT.with_bold(bold)
    assert text_width("GDP 2024, Wi-Fi.", font, 12) == pytest.approx(em * 12 * (1 + LATIN_SAFETY))


def test_measurement_ignores_the_fonts_the_machine_has():
    # the faces a run names, installed or not, change nothing: the metrics are huoye's own
    for other in (NOTO, FontSpec("DejaVu Sans", "Noto Serif CJK SC", "LXGW WenKai"),
                  FontSpec("No Such Face", "None Either", "Nor This")):
        assert text_width(POLICY, other, 20) == text_width(POLICY, FONT, 20)


def test_a_character_liberation_sans_lacks_is_one_em():
    assert text_width("\u2460", FONT, 20) == pytest.approx(20.0)  # ① is not in Liberation Sans


def test_width_scales_with_size_and_is_zero_for_empty_text():
    assert text_width("", FONT, 20) == 0
    assert text_width("预算abc", FONT, 40) == pytest.approx(2 * text_width("预算abc", FONT, 20))


def test_asian_western_boundaries_add_libreoffice_autospace():
    plain = text_width("年", FONT, 20) + text_width("2024", FONT, 20)
    assert text_width("2024年", FONT, 20) == pytest.approx(plain + 0.25 * 20)


def _plain_script_changes(text: str) -> int:
    """Asian/Western boundaries, counted character by character as the module doc says."""
    changes, prev = 0, None
    for ch in text:
        if ch.isspace():
            prev = None
            continue
        cur = True if is_east_asian_char(ch) else False if ch.isalnum() or prev is None else prev
        changes += prev is not None and cur != prev
        prev = cur
    return changes


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="中年。，（）“”…—·ABc12 .%-\t\u3000\u0301\u200bｶ가é", max_size=40),
       st.sampled_from([FONT, FONT.with_bold(), NOTO]))
def test_a_width_is_its_characters_widths_plus_the_autospace(text, font):
    # the module's lookup tables (a width table shipped with huoye, per-character memos)
    # against the definition computed from the font file itself
    assert text_width(text, font, 20) == pytest.approx(font_file_width(text, font.bold, 20))


def test_east_asian_characters_are_exactly_the_listed_blocks():
    blocks = [(0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3100, 0x31FF), (0x3200, 0x4DBF),
              (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
              (0xFF00, 0xFFEF), (0x20000, 0x3FFFF)]
    edges = {cp for lo, hi in blocks for cp in (lo - 1, lo, hi, hi + 1)}
    for cp in sorted(edges):
        listed = any(lo <= cp <= hi for lo, hi in blocks)
        assert is_east_asian_char(chr(cp)) == listed, hex(cp)
    assert has_east_asian("GDP增长") and not has_east_asian("GDP 5.2%")


def test_the_per_character_memo_stays_bounded(monkeypatch):
    monkeypatch.setattr(_PerChar, "LIMIT", 8)
    memo, letters = _PerChar(ord), "abcdefghijklmnopqrstuvwxyz"
    assert [memo[c] for c in letters] == [ord(c) for c in letters]
    assert len(memo) <= 8


# ---------------------------------------------------------------------------- wrapping


@pytest.mark.parametrize("width", [100, 110, 127, 150, 175, 200, 260, 333, 480])
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(width):
    lines = wrap(POLICY, FONT, 20, width)
    assert len(lines) > 1
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, (width, line)
    for line in lines:
        assert line[-1] not in NO_LINE_END, (width, line)


@pytest.mark.parametrize("width", [60, 90, 150, 333])
def test_wrapping_loses_no_text(width):
    lines = wrap(POLICY, FONT, 20, width)
    assert "".join(lines).replace(" ", "") == POLICY.replace(" ", "")


@pytest.mark.parametrize("width", [60, 90, 150, 333, 700])
def test_every_wrapped_line_fits_the_width(width):
    for line in wrap(POLICY, FONT, 20, width):  # measured from the font file, not the module
        assert font_file_width(line, False, 20) <= width + 1e-6, line


def test_chinese_breaks_between_any_characters():
    assert wrap("一二三四五六七八九十", FONT, 10, 30.5) == ["一二三", "四五六", "七八九", "十"]


def test_latin_words_and_numbers_stay_whole():
    text = "全年GDP同比增长5.2%，赤字率3.0%，COVID-19 related spending"
    for width in range(190, 600, 7):
        lines = wrap(text, FONT, 20, width)
        for token in ("GDP", "5.2%", "3.0%", "COVID-19", "related", "spending"):
            joined = "\n".join(lines)
            assert token in joined, (width, lines)


def test_closing_punctuation_pulls_the_previous_character_down():
    # 3 ideographs fit per line; "。" may not start line 2, so "三。" moves down together
    assert wrap("一二三。四五", FONT, 10, 30.5) == ["一二", "三。四", "五"]


def test_opening_punctuation_moves_to_the_next_line():
    assert wrap("一二（三四）", FONT, 10, 30.5) == ["一二", "（三", "四）"]


def test_newline_forces_a_break():
    assert wrap("第一行\n第二行", FONT, 20, 500) == ["第一行", "第二行"]


def test_an_overlong_word_is_broken_by_characters():
    url = "https://www.mof.gov.cn/zhengwuxinxi/caizhengxinwen/202401/t20240101_1234567.htm"
    lines = wrap(url, FONT, 20, 200)
    assert len(lines) > 1 and "".join(lines) == url
    assert all(text_width(x, FONT, 20) <= 200 for x in lines)


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("财政预算收入支出中央地方债务GDP2024abc .%，。、；：？！（）《》“”‘’…")
        ),
        min_size=1,
        max_size=80,
    ),
    st.integers(min_value=80, max_value=400),
)
def test_wrap_rules_hold_for_any_text(text, width):
    lines = wrap(text, FONT, 20, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for i, line in enumerate(lines):
        assert font_file_width(line, False, 20) <= width + 1e-6
        if not line:
            continue
        # a break may only be illegal when the line before it had no legal place to break
        if i and line[0] in NO_LINE_START:
            assert _no_legal_break(lines[i - 1]), lines
        if i < len(lines) - 1 and line[-1] in NO_LINE_END:
            assert _no_legal_break(line), lines


def _no_legal_break(line):
    return all(
        line[k] in NO_LINE_START or line[k - 1] in NO_LINE_END or line[k].isspace()
        for k in range(1, len(line))
    )


# ------------------------------------------------------------------- fitting the boxes


def test_fits_accounts_for_text_frame_insets():
    ten = ["中" * 10]  # 200 pt at 20 pt
    frame = FrameSpec(width_safety=0.0)
    one_line_h = 20 * 1.3 + 3.6 + 3.6
    assert fits(ten, FONT, 20, 200 + 14.4, one_line_h, 1.3, frame=frame)
    assert not fits(ten, FONT, 20, 200 + 10, one_line_h, 1.3, frame=frame)  # wraps: 2 lines
    assert not fits(ten, FONT, 20, 200 + 14.4, one_line_h - 1, 1.3, frame=frame)


def test_bullets_take_width_from_the_text():
    frame = FrameSpec(width_safety=0.0)
    w = 200 + 14.4
    assert fits(["中" * 10], FONT, 20, w, 40, 1.3, frame=frame)
    assert not fits(["中" * 10], FONT, 20, w, 40, 1.3, bullets=True, frame=frame)


def test_paragraph_spacing_is_counted():
    frame = FrameSpec(space_before_em=0.5)
    h_two = 2 * 26 + 10 + 7.2
    assert fits(["一", "二"], FONT, 20, 300, h_two, 1.3, frame=frame)
    assert not fits(["一", "二"], FONT, 20, 300, h_two - 2, 1.3, frame=frame)


def _bullets(n=14):
    return [f"第{i + 1}条：{POLICY[: 20 + 9 * i]}" for i in range(n)]


def test_split_to_fit_makes_boxes_that_each_fit():
    paras = _bullets()
    boxes = split_to_fit(paras, FONT, 20, 880, 360, 1.3, bullets=True)
    assert len(boxes) >= 3
    for box in boxes:
        assert box
        assert fits(box, FONT, 20, 880, 360, 1.3, bullets=True)


def test_split_to_fit_keeps_every_word_in_order():
    paras = _bullets()
    boxes = split_to_fit(paras, FONT, 20, 880, 360, 1.3, bullets=True)
    flat = [p for box in boxes for p in box]
    rebuilt, i = [], -1
    for p in flat:
        if p.continued:
            rebuilt[i] += p.text
        else:
            rebuilt.append(p.text)
            i += 1
    assert [r.replace(" ", "") for r in rebuilt] == [p.replace(" ", "") for p in paras]


def test_a_paragraph_taller_than_a_box_continues_without_a_bullet():
    long = POLICY * 6
    boxes = split_to_fit([long], FONT, 20, 500, 200, 1.3, bullets=True)
    assert len(boxes) > 1
    assert not boxes[0][0].continued
    assert all(box[0].continued for box in boxes[1:])
    assert all(fits(b, FONT, 20, 500, 200, 1.3, bullets=True) for b in boxes)


def test_split_to_fit_returns_one_box_when_everything_fits():
    boxes = split_to_fit(["一", Para("二", level=1)], FONT, 20, 500, 300, 1.3, bullets=True)
    assert boxes == [[Para("一"), Para("二", level=1)]]


def test_a_box_too_small_for_one_line_is_an_error():
    with pytest.raises(TextDoesNotFitError):
        split_to_fit(["一"], FONT, 20, 500, 20, 1.3)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="中国链，。、（）“”《》abXY 09.%-/：…‘’&;", min_size=1, max_size=12),
                min_size=1, max_size=12),
       st.booleans(), st.booleans())
def test_a_line_grown_unit_by_unit_is_as_wide_as_measured_whole(units, bold, spaced):
    """Wrapping tries each unit on the line by extending the line's width (measure._Run);
    that must be the width of the whole line measured afresh, to the last bit, or lines
    would break differently from what text_width says fits."""
    from huoye.render.deck import measure

    font = FontSpec(bold=bold)
    widths = measure._widths(font)
    token = measure.CJK_LATIN_SPACING.set(spaced)
    try:
        run = measure._Run()
        for unit in units:
            run = run.with_(unit, widths)
            assert run.width(20.0) == text_width(run.text, font, 20.0)
    finally:
        measure.CJK_LATIN_SPACING.reset(token)
