"""Row heights for wrapped text.

A row written by a program keeps the height it was given: Excel, WPS and LibreOffice do not grow it to show a
wrapped cell's lines (on screen they sometimes do, in print they do not), so the end of a long text is cut off
or runs under the next row.  Every sheet this tool writes with wrapped text sizes its rows here, from the
texts' lengths and their columns' widths.

Widths are in Excel's column units (the width of a digit of the default font).  A Chinese character takes
about two (2.1 in Excel with Calibri, 1.7 in LibreOffice, whose unit is wider); a line holds a little less
than its column's width (the cell's padding, words and closing punctuation not split): ROOM.  A line of
11-point text takes 15 points in Excel and 16 in LibreOffice with a Chinese font: LINE.
"""

from __future__ import annotations

ROOM = 0.94  # of a column's width a line of text fills
LINE = 16.0  # points a wrapped line of 11-point text takes
ONE_LINE = 15.0  # a row of one line: Excel's default height
MAX_HEIGHT = 409.0  # Excel's largest row height (points)


def text_width(text: str) -> float:
    """Columns a text takes on one line: a Chinese character (or full-width sign) two, ASCII one.

    Counted from its UTF-8 length (C speed, for the batch's hot path): a character of three or four bytes
    (CJK, full-width punctuation, “ ” …) counts two, of two bytes (Latin letters with accents, ×) one and a half.
    """
    size = len(text)
    return size + (len(text.encode("utf-8", "surrogatepass")) - size) / 2


def text_lines(text: str, width: float) -> int:
    """Lines a text takes in a wrapped cell ``width`` columns wide; each line break of its own starts a line."""
    room = max(width * ROOM, 1.0)
    if "\n" not in text:
        if len(text) * 2 <= room:  # fits however wide its characters (most cells: no need to measure)
            return 1
        return max(1, -int(-text_width(text) // room))
    return sum(max(1, -int(-text_width(part) // room)) for part in text.split("\n"))


def lines_height(lines: int) -> float:
    """A row's height (points) showing ``lines`` wrapped lines."""
    if lines <= 1:
        return ONE_LINE
    return min(LINE * lines + 3, MAX_HEIGHT)


def row_height(cells, least: int = 1) -> float:
    """The height of a row whose wrapped cells are ``cells``, (value, column width) pairs; values that are not
    text take one line.  ``least``: the lines it shows at least."""
    lines = least
    for value, width in cells:
        if value.__class__ is str and value:
            lines = max(lines, text_lines(value, width))
    return lines_height(lines)
