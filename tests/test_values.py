"""The number parser and label normalisation, on the spellings departments type."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from jixiao_xl.read.forms import FUND_ROW, label_key
from jixiao_xl.read.values import (NotANumber, header_name, header_weight, is_blank, norm_label, split_inline,
                              to_number, to_rate)


@pytest.mark.parametrize("raw, value", [
    ("1,238.36", 1238.36),
    ("１２３８.３６", 1238.36),
    ("12.88万元", 12.88),
    (" 17 ", 17.0),
    (17, 17.0),
    (12.88, 12.88),
    ("100%", 1.0),
    ("１００％", 1.0),
    ("-5", -5.0),
    ("1e3", 1000.0),
])
def test_to_number_understands_typed_text(raw, value):
    assert to_number(raw) == pytest.approx(value)


@pytest.mark.parametrize("raw", [None, "", "  ", "—", "-", "/", "无", "－", "——"])
def test_empty_marks_are_blank(raw):
    assert is_blank(raw)
    assert to_number(raw) is None


@pytest.mark.parametrize("raw", ["约12万", "见附表", "12.3.4", "abc", True])
def test_words_are_not_numbers(raw):
    with pytest.raises(NotANumber):
        to_number(raw)


@pytest.mark.parametrize("raw, rate", [("100%", 1.0), (1.0, 1.0), (100, 1.0), ("126.73%", 1.2673),
                                       (1.2673, 1.2673), (126.73, 1.2673), ("75.76", 0.7576), (0.5, 0.5)])
def test_to_rate_takes_fractions_and_points(raw, rate):
    assert to_rate(raw) == pytest.approx(rate)


def test_split_inline_label_and_value():
    assert split_inline("其中：一般公共预算：1762.55") == ("其中:一般公共预算", "1762.55")
    assert split_inline("政府性基金拨款：") == ("政府性基金拨款", "")
    assert split_inline("年度资金总额") is None


def test_header_weight_is_read_not_assumed():
    assert header_weight("产出指标\n(30分)") == 30
    assert header_weight("成本指标\n（20分）") == 20
    assert header_weight("满意度指标( 10 分 )") == 10
    assert header_weight("产出指标") is None
    assert header_name("效益指标(30分)") == "效益指标"


@pytest.mark.parametrize("text", ["“三公”经费", "\"三公\"经费", "三公经费", " “三公” 经费 ", "‘三公’经费"])
def test_sangong_label_spellings(text):
    assert FUND_ROW["sangong"].matches(text)


@pytest.mark.parametrize("text", ["3、县级专项资金\n(一个专项一行)", "3.县级专项资金（一个专项一行）", "县级专项资金"])
def test_label_with_numbering_and_note(text):
    assert FUND_ROW["county_special"].matches(text)


def test_labels_do_not_collide():
    assert not FUND_ROW["project_operation"].matches("公车运行维护")
    assert not FUND_ROW["car_operation"].matches("2、运行维护经费")
    assert label_key("2023年实际\n在职人数") == "实际在职人数"
    assert norm_label("（一）") == "(一)"


# ------------------------------------------------------------ properties

amounts = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_property_plain_decimal_text_round_trips(value):
    assert to_number(str(value)) == pytest.approx(float(value))


@given(amounts)
def test_property_thousands_separators_are_ignored(value):
    text = f"{value:,}"
    assert to_number(text) == pytest.approx(float(value))


@given(st.decimals(min_value=0, max_value=10**7, places=2))
def test_property_full_width_digits_equal_ascii(value):
    ascii_text = str(value)
    full = ascii_text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert to_number(full) == to_number(ascii_text)


@given(st.decimals(min_value=0, max_value=1000, places=2))
def test_property_percent_text_is_a_fraction(value):
    assert to_rate(f"{value}%") == pytest.approx(float(value) / 100)


@given(st.text(max_size=20))
def test_property_parser_never_raises_anything_but_not_a_number(text):
    try:
        result = to_number(text)
    except NotANumber:
        return
    assert result is None or isinstance(result, float)


def test_fmt_number_of_an_overflowed_sum_is_said_in_chinese():
    """Hypothesis found a 附件1 cell of 1.797e308: its sum is inf, and `fill` printed it (OverflowError)."""
    from jixiao_xl.read.values import fmt_number

    assert fmt_number(1.7976931348623155e308 * 2) == "超出可表示范围的数"
    assert fmt_number(float("nan")) == "超出可表示范围的数"
    assert [fmt_number(v) for v in (17.0, 12.88, 1762.55)] == ["17", "12.88", "1762.55"]


@pytest.mark.parametrize("value, rounded, shown", [
    (7.63, 7.63, "7.63"), (1762.554, 1762.55, "1762.55"), (1.7e308, 1.7e308, "1.7e+308"),
    (-1e300, -1e300, "-1e+300"), (1e15, 1e15, "1e+15"), (123456789012.344, 123456789012.34, "123456789012.34"),
])
def test_round2_and_fmt_number_at_any_size(value, rounded, shown):
    from jixiao_xl.read.values import fmt_number, round2

    assert round2(value) == rounded
    assert fmt_number(value) == shown
    assert fmt_number(float("inf")) == "超出可表示范围的数"
