"""The pre-scan's byte test for saved formula results, against the XML a writer may legally produce.

The pre-scan skips parsing a sheet part when a byte test shows every formula
followed by its result.  XML allows white space before the ">" of a tag
("</f >", "<f\\n>") and a ">" inside an attribute value; a formula written so,
without its result, must still be reported (S002), as the parse reports it.
"""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from jixiao_xl.rules.check import check_path

from .samples import write_seed_example


def _uncached_formula_book(path) -> None:
    """The seed with 附件2!C5 (年度资金总额 年初预算数) a formula saved without its result, as openpyxl saves it."""
    write_seed_example(path)
    book = openpyxl.load_workbook(path)
    book["附件2"]["C5"] = "=D5/1"
    book.save(path)


def _rewrite(path, old: bytes, new: bytes) -> None:
    """Replace bytes in 附件2's sheet part (the workbook stays valid XML)."""
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        data = {info.filename: source.read(info) for info in infos}
    part = "xl/worksheets/sheet2.xml"
    assert data[part].count(old) == 1, data[part][:200]
    data[part] = data[part].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            target.writestr(info, data[info.filename])


@pytest.mark.parametrize("old, new", [
    (b"", b""),  # as openpyxl writes it
    (b"<f>D5/1</f>", b"<f>D5/1</f >"),  # white space before the end tag's ">"
    (b"<f>D5/1</f>", b"<f>D5/1</f\n>"),
    (b"<f>D5/1</f>", b"<f\n>D5/1</f>"),  # ... and before the start tag's
    (b"<f>D5/1</f>", b'<f\tt="normal">D5/1</f>'),
    (b"<f>D5/1</f>", b'<f ca="1" x=">">D5/1</f>'),  # a ">" in an attribute value
    (b'<c r="C5"><f>D5/1</f><v></v></c>',
     b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="C5"><x:f>D5/1</x:f >'
     b'<x:v></x:v></x:c>'),  # with a namespace prefix
])
def test_formula_without_its_result_is_reported_however_its_tags_are_spaced(tmp_path, old, new):
    path = tmp_path / "自评.xlsx"
    _uncached_formula_book(path)
    if old:
        _rewrite(path, old, new)
    report = check_path(str(path))
    s002 = [f for f in report.all_findings() if f.code == "S002"]
    assert [(f.sheet, f.cell) for f in s002] == [("附件2", "C5")]
    assert "C5 是公式，但文件中没有保存计算结果" in s002[0].message


def test_byte_test_with_spaced_tags_never_skips_a_formula_without_its_result():
    """Random sheet parts (tests.test_throughput's) with their formula tags spaced as XML allows: whatever
    the byte test lets skip, the parse finds nothing in."""
    import random

    from jixiao_xl.xlsx.grid import _formulas_cached, _has_error_tokens, _has_formula_tokens, _sheet_issues

    from .test_throughput import _random_sheet

    rng = random.Random(11)
    spacings = [(b"</f>", b"</f >"), (b"</x:f>", b"</x:f\n>"), (b"<f>", b"<f\n>"), (b"<x:f>", b"<x:f\t>"),
                (b"<f ", b"<f\r\n"), (b"<x:f ", b"<x:f\n"), (b"<f/>", b"<f\n/>")]
    missed, skipped = [], 0
    for _ in range(5_000):
        data = _random_sheet(rng)
        for old, new in rng.sample(spacings, 2):
            data = data.replace(old, new, 1)
        if not _has_error_tokens(data) and (not _has_formula_tokens(data) or _formulas_cached(data)):
            skipped += 1
            if _sheet_issues(data)[0]:
                missed.append(data)
    assert not missed, missed[0]
    assert skipped > 500
