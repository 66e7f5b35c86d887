"""A report read into paragraphs (python-docx), or a Chinese reason why it cannot be."""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass

from ..problems import Refused, cause

MAX_CHARS = 400_000  # ~ 500 pages of text; a self-evaluation report is 5–30
MAX_XML = 60 << 20  # word/document.xml unpacked
LEGACY = {".doc": "Word 97-2003 文档（.doc）", ".wps": "WPS 文字文档（.wps）", ".wpt": "WPS 文字模板（.wpt）",
          ".dot": "Word 97-2003 模板（.dot）", ".rtf": "RTF 文档"}
SAVE_AS = "请用 Word 或 WPS 打开后“另存为” Word 文档（.docx）再校验"


class UnreadableReport(Refused):
    """A file that cannot be read as a report: a catalogued reason (problems.py), its text for people."""


@dataclass(frozen=True)
class Paragraph:
    index: int  # 1-based among the non-empty paragraphs, in document order
    text: str
    where: str  # "第12段" or "表1第2行第3列"
    style: str = ""


def _word_encrypted(head: bytes) -> bool:
    """A Word 97-2003/WPS document saved with an opening password: its FIB (at the start of the WordDocument
    stream, on a sector boundary) has fEncrypted (0x0100) set.  The stream usually comes first in the file."""
    for offset in range(512, min(len(head), 1 << 16) - 16, 512):
        if head[offset:offset + 2] == b"\xec\xa5" and 0x65 <= int.from_bytes(head[offset + 2:offset + 4], "little") <= 0x200:
            return bool(int.from_bytes(head[offset + 10:offset + 12], "little") & 0x0100)
    return False


def _check_file(path: str) -> str | None:
    """None for a .docx to read; "pdf" for a PDF; the kind of an old document that LibreOffice may convert."""
    suffix = os.path.splitext(path)[1].lower()
    from ..xlsx.files import OLE2, FileProblem, encrypted, head_of

    try:
        head = head_of(path, "报告文档")
    except FileProblem as exc:
        raise UnreadableReport.like(exc) from None
    if head.startswith(OLE2):
        if encrypted(head) or _word_encrypted(head):
            raise UnreadableReport("U001", text="文档已加密（设置了打开密码），请取消密码后再提交")
        return LEGACY.get(suffix, "旧版 Word/WPS 文档")
    if suffix in LEGACY and not head.startswith((b"PK", b"%PDF", b"{\\rtf")):  # a .docx renamed .doc is read as what it is
        raise UnreadableReport("U005", text=f"这是{LEGACY[suffix]}，但文件内容不是 Word/WPS 文档（可能已损坏），{SAVE_AS}")
    if head.startswith(b"{\\rtf"):
        return "RTF 文档"
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return "pdf"
    if not head.startswith(b"PK"):
        raise UnreadableReport("U005", text=f"不是 Word 文档（.docx），{SAVE_AS}")
    try:
        with zipfile.ZipFile(path) as archive:
            names = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, EOFError):
        raise UnreadableReport("U002", text="文档已损坏（压缩包不完整），请重新保存后再提交") from None
    body = names.get("word/document.xml")
    if body is None:
        if "xl/workbook.xml" in names:
            raise UnreadableReport("U105")
        raise UnreadableReport("U005", text="压缩包里没有文档正文，不是 Word 文档（.docx）")
    if body.file_size > MAX_XML:
        raise UnreadableReport("U102", text=f"文档正文解压后 {body.file_size >> 20} MB，远超自评报告的篇幅，疑似异常文件，未校验")
    return None


_UNIT = re.compile(r"单位[:：]\s*(亿元|万元|元)|[(（](亿元|万元|元)[)）]")
_BARE = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*[%％]?$")


def _unit(text: str) -> str | None:
    match = _UNIT.search(text)
    return (match.group(1) or match.group(2)) if match else None


def table_statements(grid: list[list[str]], before: str = "") -> list[tuple[int, int, str]]:
    """A table's cells as text to read, (row, column, text), 1-based.

    A bare number ("12.88") is read as "{row label}{column header}12.88{unit}" when the
    table's unit is known ("单位：万元" above it or in it, or "(万元)" in its column header):
    “三公”经费 2023年决算数 12.88 → "“三公”经费2023年决算数12.88万元".  Percentages need no unit.
    Other cells are read as written.
    """
    out = []
    table_unit = _unit(before[-40:]) or next((_unit(t) for row in grid[:2] for t in row if _unit(t)), None)
    header = grid[0] if grid else []
    for r, row in enumerate(grid, 1):
        label = next((t for t in row if t and not _BARE.match(t)), "")
        for c, text in enumerate(row, 1):
            if r > 1 and _BARE.match(text):
                column = header[c - 1] if c - 1 < len(header) else ""
                unit = "" if text.rstrip().endswith(("%", "％")) else (_unit(column) or table_unit)
                if unit is None:
                    out.append((r, c, text))
                    continue
                column = _UNIT.sub("", column).replace("\n", "")
                out.append((r, c, f"{label.replace(chr(10), '')}{column}{text.strip()}{unit}"))
            else:
                out.append((r, c, text))
    return out


def read_paragraphs(path: str) -> tuple[list[Paragraph], int]:
    """The report's non-empty paragraphs (body and table cells, in order) and its number of pictures.

    A .docx is read as it is; a PDF through its text layer (narrative/pdf.py); a .doc/.wps/.wpt/.dot/.rtf
    after LibreOffice converted it to .docx in a temporary folder (narrative/office.py).
    """
    kind = _check_file(path)
    if kind == "pdf":
        from . import pdf

        try:
            texts, pages, images = pdf.read_pdf(path, MAX_CHARS)
        except pdf.UnreadableReport as exc:
            raise UnreadableReport.like(exc) from None
        if not texts:
            if images:
                raise UnreadableReport("U101", text=f"这是扫描件，无法读取文字（PDF 共 {pages} 页，只有图片）；"
                                       "请提交可编辑的 Word 文档（.docx）或带文字层的 PDF")
            raise UnreadableReport("U103", text="PDF 中没有任何文字")
        return [Paragraph(i, text, f"第{i}段") for i, text in enumerate(texts, 1)], images
    if kind is not None:
        from .office import ConversionFailed, as_docx

        try:
            with as_docx(path, kind) as converted:
                if _check_file(converted) is not None:
                    raise UnreadableReport("U104", text=f"这是{kind}，LibreOffice 转换的结果无法读取；{SAVE_AS}")
                return _read_docx(converted)
        except ConversionFailed as exc:
            raise UnreadableReport.like(exc) from None
    return _read_docx(path)


def _read_docx(path: str) -> tuple[list[Paragraph], int]:
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(path)
    except MemoryError:  # a part that unpacks beyond the memory a batch worker may use
        raise UnreadableReport("U014", text="文档中的内容解压后超出内存限制（文件可能异常），未校验；请重新保存后再提交") from None
    except Exception as exc:  # python-docx/lxml raise many kinds for a broken package
        if "DOCTYPE" in str(exc) or "ENTITY" in str(exc).upper():
            raise UnreadableReport("U003", text="文档含有不允许的 XML 实体定义，疑似 XML 炸弹，已拒绝读取") from None
        raise UnreadableReport("U002", text=f"文档已损坏，无法读取（{cause(exc)}）") from None
    body = document.element.body
    p_tag, tbl_tag, t_tag, tab_tag, br_tag = qn("w:p"), qn("w:tbl"), qn("w:t"), qn("w:tab"), qn("w:br")
    tr_tag, tc_tag = qn("w:tr"), qn("w:tc")
    style_tag, val = qn("w:pStyle"), qn("w:val")
    out: list[Paragraph] = []
    chars = 0

    def text_of(p) -> str:
        parts = []
        for node in p.iter(t_tag, tab_tag, br_tag):
            parts.append(node.text or "" if node.tag == t_tag else " ")
        return "".join(parts).strip()

    def add(text: str, where: str | None, style: str = "") -> None:
        nonlocal chars
        if not text:
            return
        chars += len(text)
        if chars > MAX_CHARS:
            raise UnreadableReport("U102", text=f"文档超过 {MAX_CHARS // 10000} 万字，远超自评报告的篇幅（通常 5–30 页），未校验；"
                                   "请只提交自评报告本身")
        index = len(out) + 1
        out.append(Paragraph(index, text, where or f"第{index}段", style))

    tables = 0
    last_text = ""
    for child in body.iterchildren():
        if child.tag == p_tag:
            style = child.find(f"{qn('w:pPr')}/{style_tag}")
            text = text_of(child)
            add(text, None, style.get(val) if style is not None else "")
            last_text = text or last_text
        elif child.tag == tbl_tag:
            tables += 1
            grid = [["\n".join(filter(None, (text_of(p) for p in cell.iter(p_tag)))) for cell in row.iter(tc_tag)]
                    for row in child.iter(tr_tag)]
            for r, c, text in table_statements(grid, last_text):
                add(text, f"表{tables}第{r}行第{c}列")
    pictures = sum(1 for _ in body.iter(qn("w:drawing"), qn("w:pict")))
    return out, pictures


def read_report(path: str) -> list[Paragraph]:
    """The report's paragraphs; UnreadableReport when there is nothing to check: no text, or pictures with text
    that holds no figure at all (a scan under a typed title, or with a scanner's stamp as its only text layer)."""
    paragraphs, pictures = read_paragraphs(path)
    if not paragraphs:
        if pictures:
            raise UnreadableReport("U101", text=f"文档只有图片（{pictures} 张），没有可读的文字（可能是扫描件）；请提交可编辑的 Word 文档")
        raise UnreadableReport("U103")
    chars = sum(len(p.text.strip()) for p in paragraphs)
    if pictures and chars <= SCAN_TEXT and not _has_figures(paragraphs):  # longer words only: T304 says so
        kind = "PDF " if os.path.splitext(path)[1].lower() == ".pdf" else "文档"
        raise UnreadableReport("U101", text=f"{kind}的文字只有 {chars} 字，没有任何金额、比率或得分，其余是图片（{pictures} 张），"
                               "可能是扫描件；报告中的数字一个也没有核对；请提交可编辑的 Word 文档（.docx）或带文字层的 PDF")
    return paragraphs


SCAN_TEXT = 300  # characters a scan's text layer holds at most (a typed title, a stamp): more is a report in words


def _has_figures(paragraphs: list[Paragraph]) -> bool:
    """Whether any paragraph holds an amount, a percentage or a score (what report check compares)."""
    from .extract import normalise, quantities

    return any(q.kind in ("amount", "percent", "score") for p in paragraphs for q in quantities(normalise(p.text)))
