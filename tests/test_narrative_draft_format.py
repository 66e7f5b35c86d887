"""report draft writes an official document (GB/T 9704-2012): A4, 仿宋 body, 黑体/楷体 heading styles, page
numbers, each project report on a new page; and never replaces an existing file unless --force (issue 24.7)."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from jixiao_xl.cli import main

from .libreoffice import convert, soffice
from .test_seed import EXAMPLE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    out = tmp_path_factory.mktemp("draftfmt") / "初稿.docx"
    assert main(["report", "draft", str(EXAMPLE), "-o", str(out)]) == 0
    return out


def _fonts(style) -> dict[str, str]:
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return {k.split("}")[1]: v for k, v in fonts.attrib.items()}


def _size(style) -> float:
    return int(style.element.rPr.find(qn("w:sz")).get(qn("w:val"))) / 2


def _outline(style):
    level = style.element.pPr.find(qn("w:outlineLvl"))
    return None if level is None else int(level.get(qn("w:val")))


def test_page_styles_and_fonts(draft):
    document = docx.Document(str(draft))
    (section,) = document.sections
    size = section._sectPr.find(qn("w:pgSz"))
    assert (size.get(qn("w:w")), size.get(qn("w:h"))) == ("11906", "16838")  # A4 in twips, as Word writes it
    assert (round(section.page_width.cm, 2), round(section.page_height.cm, 2)) == (21.0, 29.7)
    assert [round(m.cm, 2) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [3.7, 3.5, 2.8, 2.6]
    styles = document.styles
    expected = {"Normal": ("仿宋_GB2312", 16, None), "Title": ("方正小标宋简体", 22, None),
                "Heading 1": ("黑体", 16, 0), "Heading 2": ("楷体_GB2312", 16, 1)}
    for name, (font, size, level) in expected.items():
        fonts = _fonts(styles[name])
        assert fonts["eastAsia"] == fonts["ascii"] == font, name
        assert not any(k.endswith("Theme") or k == "cstheme" for k in fonts), name  # a theme font would win
        assert _size(styles[name]) == size and _outline(styles[name]) == level, name
        assert styles[name].element.rPr.find(qn("w:color")) is None  # black, not the default blue
    assert styles["Title"].paragraph_format.alignment == 1  # centred
    assert styles["Normal"].paragraph_format.first_line_indent == docx.shared.Pt(32)  # two characters
    # where a GB2312 font is not installed, Word takes the Windows one the font table names
    with zipfile.ZipFile(draft) as archive:
        table = archive.read("word/fontTable.xml").decode()
        settings = archive.read("word/settings.xml").decode()
    assert re.search(r'w:name="仿宋_GB2312">\s*<w:altName w:val="仿宋"/>', table)
    assert re.search(r'w:name="方正小标宋简体">\s*<w:altName w:val="宋体"/>', table)
    assert "w:evenAndOddHeaders" in settings


def test_headings_are_word_headings_and_projects_start_a_page(draft):
    paragraphs = docx.Document(str(draft)).paragraphs
    by_style = {}
    for p in paragraphs:
        by_style.setdefault(p.style.name, []).append(p)
    assert [p.text for p in by_style["Title"]][0] == "2023年度汨罗市司法局部门整体支出绩效自评报告"
    assert len(by_style["Title"]) == 2 and by_style["Title"][1].text.endswith("项目支出绩效评价报告")
    assert by_style["Title"][0].paragraph_format.page_break_before is None
    assert by_style["Title"][1].paragraph_format.page_break_before is True
    assert all(re.match("[一二三四五六七八九十]+、", p.text) for p in by_style["Heading 1"])
    assert len(by_style["Heading 1"]) == 16  # 一 to 十, then 一 to 六 of the project report
    assert {"（一）基本支出情况", "（二）项目支出情况"} <= {p.text for p in by_style["Heading 2"]}
    assert by_style["Normal"][0].text.startswith("【请填写：")


def test_footer_page_numbers(draft):
    section = docx.Document(str(draft)).sections[0]
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):  # odd right, even left
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == align
        xml = paragraph._p.xml
        assert [c.get(qn("w:fldCharType")) for c in paragraph._p.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
        assert "".join(t.text for t in paragraph._p.iter(qn("w:instrText"))).strip() == "PAGE"
        assert paragraph.text == "— 1 —"
        assert 'w:eastAsia="宋体"' in xml and '<w:sz w:val="28"/>' in xml  # 四号 宋体


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_rendered_by_libreoffice(draft, tmp_path):
    """Printed: A4 pages, — n — on each, the project report at the top of its own page."""
    [pdf] = convert([draft], tmp_path, "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    texts = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout for n in range(1, pages + 1)]
    for n, text in enumerate(texts, 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert re.fullmatch(rf"—\s*{n}\s*—", lines[-1]), (n, lines[-1])
        odd = text.rstrip().splitlines()[-1]
        indent = len(odd) - len(odd.lstrip())
        assert (indent > 15) == (n % 2 == 1), (n, odd)  # odd pages on the right, even on the left
    starts = [n for n, text in enumerate(texts, 1) if "项目支出绩效评价报告" in "".join(text.split())]
    (page,) = starts
    first = next(line.strip() for line in texts[page - 1].splitlines() if line.strip())
    assert "".join(first.split()).startswith("2023年度司法专项")  # the project report's title opens its page
    assert "十、其他需要说明的情况" in texts[page - 2]  # the department report ends on the page before


def test_existing_output_is_refused_without_force(tmp_path, capsys):
    out = tmp_path / "报告.docx"
    out.write_bytes(b"my finished report")
    os.chmod(out, 0o640)
    before = os.stat(out)
    assert main(["report", "draft", str(EXAMPLE), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "已存在，未覆盖" in err and "--force" in err and "Traceback" not in err
    assert out.read_bytes() == b"my finished report" and os.stat(out).st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告.docx"]  # no temporary file left
    assert main(["report", "draft", str(EXAMPLE), "-o", str(out), "--force"]) == 0
    printed = capsys.readouterr().out
    (backup,) = [p for p in tmp_path.iterdir() if p.name != "报告.docx"]
    assert re.fullmatch(r"报告\.\d{8}-\d{6}\.bak\.docx", backup.name) and backup.name in printed
    assert backup.read_bytes() == b"my finished report"
    assert docx.Document(str(out)).paragraphs[0].text == "2023年度汨罗市司法局部门整体支出绩效自评报告"
    assert os.stat(out).st_mode & 0o777 == 0o640  # the file keeps its permissions
