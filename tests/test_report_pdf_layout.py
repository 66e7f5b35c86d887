"""narrative/pdf.py's layout rules on made-up lines (no PDF, no LibreOffice needed): which line breaks are
paragraph breaks, and which lines are running heads, feet and page numbers."""

from __future__ import annotations

from jixiao_xl.narrative.pdf import _drop_headers_and_footers, _Row, paragraphs_of

FULL = 500.0  # the right margin; lines are 11 pt high, 14.7 pt apart


def page(number: int, lines: list[tuple[float, float, str]], head: str = "某局2023年度自评报告") -> tuple[list[_Row], float]:
    rows = [_Row(number, 90, 300, 40, 11, head)]
    rows += [_Row(number, x0, x1, 80 + 14.7 * i, 11, text) for i, (x0, x1, text) in enumerate(lines)]
    rows.append(_Row(number, 280, 300, 800, 11, f"- {number} -"))
    return rows, 842.0


def test_layout_breaks_are_joined_and_paragraph_breaks_kept():
    pages = [
        page(1, [(112, FULL, "一是加强预算管理，全年支出"), (90, FULL, "1322.23万元，"), (90, 300, "执行率100%。"),
                 (112, FULL, "二是规范"), (90, FULL, "资产管理。"), (112, 400, "三、存在的问题"),
                 (112, FULL, "跨页的段落")]),
        page(2, [(90, 200, "到此为止。"), (112, 480, "文号在下一行（汨法办"), (90, 150, "〔2022〕11号）。")]),
    ]
    rows = _drop_headers_and_footers(pages)
    assert not any(r.text.startswith(("某局", "- ")) for r in rows)  # running head and page numbers
    assert paragraphs_of(rows) == [
        "一是加强预算管理，全年支出1322.23万元，执行率100%。",  # lines ending at the margin are joined
        "二是规范资产管理。",  # a first-line indent starts a paragraph
        "三、存在的问题",  # a short line ends one
        "跨页的段落到此为止。",  # across the page break
        "文号在下一行（汨法办〔2022〕11号）。",  # “〔2022〕11” did not fit at the end of the line: not a break
    ]


def test_a_full_last_line_before_a_page_break_without_indent_is_joined():
    """The known limit: nothing on the page tells this paragraph end from a line broken by the layout."""
    pages = [page(1, [(90, FULL, "这一段的最后一行恰好写满。")]), page(2, [(90, 200, "下一段没有缩进。")])]
    assert paragraphs_of(_drop_headers_and_footers(pages)) == ["这一段的最后一行恰好写满。下一段没有缩进。"]


def test_a_sentence_end_then_a_numbered_heading_is_a_break_even_at_full_width():
    rows = [_Row(1, 90, FULL, 80, 11, "第一段到行尾正好结束。"), _Row(1, 90, FULL, 94.7, 11, "（二）项目支出情况"),
            _Row(1, 90, 200, 109.4, 11, "续。")]
    assert paragraphs_of(rows) == ["第一段到行尾正好结束。", "（二）项目支出情况续。"]


def test_latin_words_broken_by_the_layout_keep_their_space():
    rows = [_Row(1, 90, FULL, 80, 11, "the Performance"), _Row(1, 90, 200, 94.7, 11, "Evaluation")]
    assert paragraphs_of(rows) == ["the Performance Evaluation"]
