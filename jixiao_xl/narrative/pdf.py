"""A PDF report's text layer read into paragraphs (pdfminer.six, imported only when a PDF is read).

A PDF knows lines, not paragraphs.  The lines of each page are put back into paragraphs the way a reader
sees them: a line that stops short of the right margin ends its paragraph, so does a wider gap to the next
line than the usual line pitch, a next line that is indented (首行缩进), or a sentence end followed by a
numbered heading (“二、”, “（三）”, “4.”).  Lines broken by the layout are joined without a space (Chinese)
or with one (between two Latin words).  Page headers, footers and page numbers — short lines at the top or
bottom of the page that repeat from page to page, or that are only a page number — are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

from ..problems import Refused, cause


class UnreadableReport(Refused):
    """Why the PDF cannot be read; ``str()`` is for people (document.py passes it on as its own kind)."""


_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*(?:/\s*\d+)?|"
                          r"page\s*\d+(?:\s*of\s*\d+)?|[ivxlc]+)[-—–\s]*$", re.IGNORECASE)
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d))")
_SENTENCE_END = ("。", "！", "？", "；", "：", ":", ";", "!", "?")
_GAP = "\x00"
_CJK_GAP = re.compile("(?<=[^\x00-\x7f])\x00|\x00(?=[^\x00-\x7f])")
MAX_PAGES = 500  # a self-evaluation report has 5–30; a PDF of thousands of pages is something else
BAND = 0.09  # the top and bottom 9 % of a page hold its header and footer


@dataclass
class _Row:
    page: int
    x0: float
    x1: float
    top: float  # distance from the top of the page
    height: float
    text: str


def _rows_of(layout, page: int, page_height: float) -> tuple[list[_Row], int]:
    """The page's text lines (one per baseline, cells of a row joined with a space) and its number of images."""
    from pdfminer.layout import LTChar, LTFigure, LTImage, LTTextBox, LTTextLine

    lines, images = [], 0
    stack = list(layout)
    while stack:
        item = stack.pop()
        if isinstance(item, LTTextBox):
            stack.extend(item)
        elif isinstance(item, LTTextLine):
            text = item.get_text().strip()
            if text:
                lines.append(item)
        elif isinstance(item, LTImage):
            images += 1
        elif isinstance(item, LTFigure):
            stack.extend(item)
    # one row per baseline: pieces whose vertical extents mostly overlap (a quote mark or a digit in another
    # font is a line of its own for pdfminer), read left to right
    lines.sort(key=lambda ln: -(ln.y0 + ln.y1))
    clusters: list[list] = []
    for line in lines:
        if clusters:
            last = clusters[-1]
            low, high = min(x.y0 for x in last), max(x.y1 for x in last)
            overlap = min(high, line.y1) - max(low, line.y0)
            if overlap > 0.5 * min(high - low, line.y1 - line.y0):
                last.append(line)
                continue
        clusters.append([line])
    rows: list[_Row] = []
    for cluster in clusters:
        # characters in the order they stand on the line: a PDF may draw them in any order (quote marks
        # and digits in another font are often drawn after the rest of the line)
        chars = sorted((c for piece in cluster for c in piece if isinstance(c, LTChar)), key=lambda c: c.x0)
        text, end = "", None
        for c in chars:
            if text and end is not None and c.x0 - end > 0.25 * c.size and not text.endswith((" ", _GAP)):
                text += _GAP  # a visible gap: a space between words, another cell, or Western text's autospace
            text += c.get_text()
            end = max(end or c.x1, c.x1)
        # a gap next to Chinese text is the layout's spacing between Chinese and Western text, not a space;
        # a space the document holds is kept (as one space)
        text = " ".join(_CJK_GAP.sub("", text).replace(_GAP, " ").split())
        if not text:
            continue
        y1 = max(x.y1 for x in cluster)
        rows.append(_Row(page, min(x.x0 for x in cluster), max(x.x1 for x in cluster), page_height - y1,
                         y1 - min(x.y0 for x in cluster), text))
    return rows, images


def _drop_headers_and_footers(pages: list[tuple[list[_Row], float]]) -> list[_Row]:
    """The rows of all pages without running heads, running feet and page numbers."""
    def in_band(row: _Row, height: float) -> bool:
        return row.top < BAND * height or row.top + row.height > (1 - BAND) * height

    def key(row: _Row) -> str:
        return re.sub(r"\d+", "#", row.text)

    seen = Counter()
    for rows, height in pages:
        seen.update({key(r) for r in rows if in_band(r, height)})
    repeated = {k for k, n in seen.items() if len(pages) >= 2 and n >= max(2, len(pages) // 2)}
    out = []
    for rows, height in pages:
        out += [r for r in rows if not (in_band(r, height) and (key(r) in repeated or _PAGE_NUMBER.match(r.text)))]
    return out


def _join(before: str, after: str) -> str:
    if before[-1:].isascii() and before[-1:].isalnum() and after[:1].isascii() and after[:1].isalnum():
        return before + " " + after
    return before + after


_OPEN, _CLOSE = "〔（(《“‘\\[【「", "〕）)》”’\\]】」，。、；：,.;:!?！？%"
_LEAD = re.compile(f"[{_OPEN}]*(?:[0-9A-Za-z.,%/+\\-]+|.)[{_CLOSE}]*[0-9A-Za-z.%/+\\-]*(?:[{_OPEN}]+.)?")


def _lead_width(text: str, char: float) -> float:
    """About how wide the start of a line is that could not have been put at the end of the line before:
    a number or Latin word, or one Chinese character, with the punctuation that may not be split from it
    (opening brackets and quotes before it, closing ones after it, and an opening one with its next character)."""
    lead = _LEAD.match(text).group(0)
    return sum(0.55 * char if c.isascii() else char for c in lead)


def paragraphs_of(rows: list[_Row]) -> list[str]:
    """Rows put back into paragraphs (see the module's docstring)."""
    if not rows:
        return []
    char = median(r.height for r in rows)
    left = Counter(round(r.x0) for r in rows).most_common(1)[0][0]
    widths = sorted(r.x1 for r in rows)
    right = widths[int(0.9 * (len(widths) - 1))]
    gaps = [b.top - a.top for a, b in zip(rows, rows[1:]) if a.page == b.page and b.top > a.top]
    pitch = median(gaps) if gaps else 0.0
    out: list[str] = [rows[0].text]
    for before, row in zip(rows, rows[1:]):
        short = right - before.x1 > _lead_width(row.text, char) + char
        gap = before.page == row.page and pitch and row.top - before.top > 1.35 * pitch
        indented = row.x0 > left + 0.8 * char and row.x0 > before.x0 + 0.8 * char
        heading = before.text.endswith(_SENTENCE_END) and _HEADING.match(row.text)
        if short or gap or indented or heading:
            out.append(row.text)
        else:
            out[-1] = _join(out[-1], row.text)
    return out


def read_pdf(path: str, max_chars: int) -> tuple[list[str], int, int]:
    """The PDF's paragraphs, its number of pages and of images; UnreadableReport with a reason otherwise."""
    try:
        from pdfminer.layout import LAParams
        from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
        from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import resolve1
        from pdfminer.converter import PDFPageAggregator
    except ImportError:
        raise UnreadableReport("U011", text="这是 PDF 文件，读取 PDF 需要 pdfminer.six（pip install pdfminer.six）；"
                               "或提交报告的 Word 文档（.docx）") from None
    import logging

    quiet = logging.getLogger("pdfminer")  # its warnings about odd files are not for the user's terminal
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    pages: list[tuple[list[_Row], float]] = []
    images = chars = 0
    try:
        with open(path, "rb") as handle:
            document = PDFDocument(PDFParser(handle), password="")
            try:
                count = int(resolve1(resolve1(document.catalog["Pages"])["Count"]))
            except Exception:  # noqa: BLE001 - a damaged page tree: the pages are found one by one below
                count = 0
            if count > MAX_PAGES:
                raise UnreadableReport("U102", text=f"PDF 共 {count} 页，远超自评报告的篇幅（通常 5–30 页），未校验；"
                                       "请只提交自评报告本身")
            manager = PDFResourceManager(caching=True)
            device = PDFPageAggregator(manager, laparams=LAParams(boxes_flow=None))
            interpreter = PDFPageInterpreter(manager, device)
            for number, page in enumerate(PDFPage.create_pages(document), 1):
                if number > MAX_PAGES:
                    raise UnreadableReport("U102", text=f"PDF 超过 {MAX_PAGES} 页，远超自评报告的篇幅（通常 5–30 页），未校验；"
                                           "请只提交自评报告本身")
                interpreter.process_page(page)
                layout = device.get_result()
                height = layout.height or 842.0
                rows, found = _rows_of(layout, number, height)
                images += found
                chars += sum(len(r.text) for r in rows)
                if chars > max_chars:
                    raise UnreadableReport("U102", text=f"PDF 超过 {max_chars // 10000} 万字，远超自评报告的篇幅（通常 5–30 页），"
                                           "未校验；请只提交自评报告本身")
                pages.append((rows, height))
    except UnreadableReport:
        raise
    except MemoryError:  # a stream that unpacks beyond the memory a batch worker may use: said as such
        raise UnreadableReport("U014", text="PDF 中的内容解压后超出内存限制（文件可能异常），未校验；请重新导出后再提交") from None
    except PDFPasswordIncorrect:
        raise UnreadableReport("U001", text="PDF 设置了打开密码，无法读取；请取消密码后再提交") from None
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds (and bare ones) for a broken file
        name = type(exc).__name__
        if "Encrypt" in name or "Password" in name or "crypt" in str(exc).lower():
            raise UnreadableReport("U001", text="PDF 已加密，无法读取其中的文字；请提交未加密的 PDF 或 Word 文档（.docx）") from None
        raise UnreadableReport("U002", text=f"PDF 文件已损坏或不完整，无法读取（{cause(exc)}）；请重新导出后再提交") from None
    if not pages:
        raise UnreadableReport("U002", text="PDF 文件已损坏或不完整：没有任何页面；请重新导出后再提交")
    return paragraphs_of(_drop_headers_and_footers(pages)), len(pages), images
