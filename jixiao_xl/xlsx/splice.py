"""Splicing a worksheet part without re-serialising it: expat finds the byte offsets of the elements a change
touches (``scan``), new markup is written for them (``cell_xml``, ``start_tag``, ``esc``) and spliced in
(``patched``).  Used by the direct xlsx writer (write/xlsxpatch.py); knows the file format, not the forms.
"""

from __future__ import annotations

import math
import pyexpat
import re
from dataclasses import dataclass, field

from .xlsxio import plain_utf8

class Unsupported(Exception):
    """A file the direct writer does not patch (the openpyxl writer does it instead)."""


class Refused(Exception):
    """A part that declares a DTD or entities."""


@dataclass
class Span:
    """One element: its qualified name, attributes in order and byte offsets in the part."""

    name: str
    attrs: list[tuple[str, str]]
    start: int
    inner: int | None = None  # end of the start tag (None: self-closing)
    close: int | None = None  # start of the end tag (None: self-closing)
    end: int = 0
    children: list["Span"] = field(default_factory=list)
    text: str = ""

    @property
    def local(self) -> str:
        return self.name.rpartition(":")[2]

    def get(self, key: str, default=None):
        for k, v in self.attrs:
            if k == key:
                return v
        return default

    def child(self, local: str) -> "Span | None":
        return next((c for c in self.children if c.local == local), None)


def scan(data: bytes, keep) -> Span:
    """The element tree of a part (only elements for which ``keep(path)`` holds get children), with offsets.

    ``keep`` receives the tuple of local names from the root; text is kept for kept elements.
    DTDs and entity declarations are refused; a part not in UTF-8 is not patched.
    """
    if not plain_utf8(data):
        raise Unsupported("encoding")
    parser = pyexpat.ParserCreate()
    parser.ordered_attributes = True
    parser.buffer_text = True
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    root_holder: list[Span] = []
    stack: list[tuple[Span | None, tuple]] = []  # (span or None when not kept, path)

    def refuse(*_):
        raise Refused("DTD")

    def touched():
        if stack:
            span = stack[-1][0]
            if span is not None and span.inner is None:
                span.inner = parser.CurrentByteIndex

    def start(name, attrs):
        touched()
        path = (stack[-1][1] if stack else ()) + (name.rpartition(":")[2],)
        parent = stack[-1][0] if stack else None
        span = None
        if not stack or (parent is not None and keep(path[:-1])):
            pairs = list(zip(attrs[::2], attrs[1::2]))
            span = Span(name, pairs, parser.CurrentByteIndex)
            if parent is not None:
                parent.children.append(span)
            else:
                root_holder.append(span)
        stack.append((span, path))

    def end(name):
        span, path = stack.pop()
        if span is None:
            return
        at = parser.CurrentByteIndex
        if span.inner is None and data[at - 2:at] == b"/>":
            span.end = at
            return
        if data[at:at + 2] != b"</":
            raise Unsupported("end tag")
        if span.inner is None:
            span.inner = at
        span.close = at
        span.end = data.index(b">", at) + 1

    def text(chars):
        touched()
        if stack and stack[-1][0] is not None and keep(stack[-1][1]):
            stack[-1][0].text += chars

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.CommentHandler = lambda _: touched()
    parser.ProcessingInstructionHandler = lambda *_: touched()
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError:
        raise Unsupported("xml") from None
    return root_holder[0]


# ------------------------------------------------------------------ markup


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # in text, not XML


def esc(text: str) -> str:
    """Text as XML character data; characters XML cannot hold are written as Excel does (_x0001_)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def attr(text: str) -> str:
    return esc(str(text)).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def start_tag(name: str, attrs, close: bool = False) -> str:
    inner = "".join(f' {k}="{attr(v)}"' for k, v in attrs)
    return f"<{name}{inner}{'/' if close else ''}>"


def number_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        raise Unsupported("number")
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def cell_xml(p: str, address: str, style: int | None, op, old: Span | None, data: bytes) -> str:
    """A <c> element for a plan's cell operation (``p``: the main namespace's prefix, "x:" or "")."""
    attrs = [(k, v) for k, v in (old.attrs if old else [("r", address)]) if k not in ("t", "s", "cm", "vm")]
    if style:
        attrs.insert(1, ("s", str(style)))
    if op.kind == "text":
        return (start_tag(f"{p}c", attrs + [("t", "inlineStr")]) + f'<{p}is><{p}t xml:space="preserve">'
                f"{esc(str(op.value))}</{p}t></{p}is></{p}c>")
    if op.kind == "number":
        return start_tag(f"{p}c", attrs) + f"<{p}v>{number_text(op.value)}</{p}v></{p}c>"
    # a formula (new, or ours kept with its result renewed)
    if op.kind == "result":
        f = old.child("f") if old is not None else None
        if f is None:
            raise Unsupported("result without formula")
        formula = data[f.start:f.end].decode("utf-8")
    else:
        formula = f"<{p}f>{esc(op.formula[1:] if op.formula.startswith('=') else op.formula)}</{p}f>"
    value = op.value
    if value is None:  # a result not known: none stored (an empty text is "")
        cached = ""
    elif isinstance(value, str):
        attrs.append(("t", "str"))
        cached = f"<{p}v>{esc(value)}</{p}v>"
    else:
        if isinstance(value, bool):
            attrs.append(("t", "b"))
        cached = f"<{p}v>{number_text(value)}</{p}v>"
    return start_tag(f"{p}c", attrs) + formula + cached + f"</{p}c>"


def prefix(span: Span) -> str:
    return span.name.rpartition(":")[0] + ":" if ":" in span.name else ""


def patched(data: bytes, patches: list[tuple[int, int, str]]) -> bytes:
    out, at = [], 0
    for start, end, text in sorted(patches, key=lambda p: (p[0], p[1])):
        if start < at:
            raise Unsupported("overlap")
        out.append(data[at:start])
        out.append(text.encode("utf-8"))
        at = end
    out.append(data[at:])
    return b"".join(out)
