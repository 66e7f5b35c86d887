"""A small VBA project writer: add standard modules to an existing vbaProject.bin.

Two Microsoft formats, both read and written here without third-party code:

* [MS-CFB] Compound File Binary (the OLE container ``vbaProject.bin`` is): ``read_cfb`` reads
  its streams (header 2.2, FAT and DIFAT 2.3/2.5, mini FAT and mini stream 2.4/2.6.3, directory
  2.6); ``write_cfb`` writes a version 3 file (512-byte sectors): header, the regular streams,
  the mini stream (streams under the 4096-byte cutoff, in 64-byte mini sectors), the mini FAT,
  the directory (each storage's children as a red-black tree ordered as 2.6.4 says: shorter
  names first, then by upper-cased UTF-16 code points) and the FAT, listed in the header's DIFAT.
* [MS-OVBA] VBA project storage: ``compress``/``decompress`` are the CompressedContainer
  algorithms of 2.4.1 (4096-byte chunks, copy tokens whose offset/length split depends on the
  position in the chunk, 2.4.1.3.19.1).  ``add_modules`` parses the ``VBA/dir`` stream's records
  (2.3.4.2), rewrites every module as source only (MODULEOFFSET 0, the module stream holding just
  the compressed source, 2.3.4.3), appends new MODULE records (2.3.4.2.3.2: name, stream name,
  doc string, offset, help context, cookie, type, terminator) and their ``Module=`` lines in the
  PROJECT stream (2.3.1) and names in PROJECTwm (2.3.3), and writes ``VBA/_VBA_PROJECT`` as the
  7-byte header with Version 0xFFFF and no PerformanceCache (2.3.4.1), so Office compiles the
  project from source when it opens the file.

The module source is text in the project's code page (PROJECTCODEPAGE); the sources this
package writes are ASCII, so they read the same on every Windows code page.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# ------------------------------------------------------------------ MS-OVBA 2.4.1 compression

CHUNK = 4096


def decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1.3.1 Decompression of a CompressedContainer."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed VBA container (signature byte is not 0x01)")
    out, pos = bytearray(), 1
    while pos < len(data):
        header = struct.unpack("<H", data[pos:pos + 2])[0]
        size, compressed = (header & 0x0FFF) + 3, header & 0x8000
        if (header >> 12) & 0b111 != 0b011:
            raise ValueError(f"bad chunk signature at byte {pos}")
        chunk, pos = data[pos + 2:pos + size], pos + size
        if not compressed:
            out += chunk
            continue
        start, i = len(out), 0
        while i < len(chunk):
            flags, i = chunk[i], i + 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if not flags & (1 << bit):
                    out.append(chunk[i])
                    i += 1
                    continue
                token, i = struct.unpack("<H", chunk[i:i + 2])[0], i + 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                length, offset = (token & (0xFFFF >> bits)) + 3, (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _compress_chunk(data: bytes) -> bytes:
    """One DecompressedChunk (at most 4096 bytes) as a CompressedChunk (2.4.1.3.7), header included.

    Matches are searched within the chunk only (2.4.1.3.19.4), longest first, through a table of
    the positions where each 3-byte sequence occurred.
    """
    out = bytearray()
    positions: dict[bytes, list[int]] = {}
    i, n = 0, len(data)
    while i < n:
        flag_at, flags = len(out), 0
        out.append(0)
        for bit in range(8):
            if i >= n:
                break
            bits = max((i - 1).bit_length(), 4) if i else 4
            max_len = (0xFFFF >> bits) + 3
            best_len, best_off = 0, 0
            if i + 3 <= n:
                for j in reversed(positions.get(data[i:i + 3], ())[-256:]):
                    limit = min(max_len, n - i)
                    length = 3
                    while length < limit and data[j + length] == data[i + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, i - j
                        if length == limit:
                            break
            step = best_len if best_len >= 3 else 1
            for k in range(i, min(i + step, n - 2)):
                positions.setdefault(data[k:k + 3], []).append(k)
            if best_len >= 3:
                out += struct.pack("<H", ((best_off - 1) << (16 - bits)) | (best_len - 3))
                flags |= 1 << bit
            else:
                out.append(data[i])
            i += step
        out[flag_at] = flags
    if len(out) > CHUNK:
        # A raw chunk (flag 0) is legal but Office is reported to drop modules stored that way;
        # VBA source never comes near this (it is text full of repeats).
        raise ValueError("VBA 模块源码无法压缩（一个 4096 字节的块中几乎没有重复）")
    return struct.pack("<H", 0x8000 | 0x3000 | (len(out) - 1)) + bytes(out)


def compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1.3.6 Compression: signature byte 0x01, then one CompressedChunk per 4096 bytes."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data[start:start + CHUNK])
    return bytes(out)


# ------------------------------------------------------------------ MS-CFB

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
MINI_CUTOFF = 4096


def read_cfb(data: bytes) -> dict[str, bytes]:
    """Every stream of a compound file, by its path ("VBA/dir"); storages are implied by the paths."""
    if data[:8] != SIGNATURE:
        raise ValueError("not a compound file (OLE) – vbaProject.bin is damaged")
    (sector_shift, mini_shift) = struct.unpack_from("<HH", data, 0x1E)
    n_fat, first_dir, _sig, cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from(
        "<IIIIIIII", data, 0x2C)
    size, mini = 1 << sector_shift, 1 << mini_shift

    def sector(number: int) -> bytes:
        return data[(number + 1) * size:(number + 2) * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    current = first_difat
    for _ in range(n_difat):
        block = struct.unpack(f"<{size // 4}I", sector(current))
        difat += block[:-1]
        current = block[-1]
    fat: list[int] = []
    for number in difat[:n_fat]:
        fat += struct.unpack(f"<{size // 4}I", sector(number))

    def chain(start: int, table: list[int]) -> list[int]:
        out, seen = [], set()
        while start not in (ENDOFCHAIN, FREESECT) and start not in seen and start < len(table):
            seen.add(start)
            out.append(start)
            start = table[start]
        return out

    def read(start: int) -> bytes:
        return b"".join(sector(s) for s in chain(start, fat))

    directory = read(first_dir)
    entries = [directory[k:k + 128] for k in range(0, len(directory), 128)]
    minifat: list[int] = []
    if n_minifat:
        raw = read(first_minifat)
        minifat = list(struct.unpack(f"<{len(raw) // 4}I", raw))
    root = entries[0]
    ministream = read(struct.unpack_from("<I", root, 0x74)[0])

    streams: dict[str, bytes] = {}

    def walk(index: int, prefix: str) -> None:
        if index == NOSTREAM or index >= len(entries):
            return
        entry = entries[index]
        name_len = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[:max(name_len - 2, 0)].decode("utf-16-le")
        kind = entry[0x42]
        left, right, child = struct.unpack_from("<III", entry, 0x44)
        start, length = struct.unpack_from("<IQ", entry, 0x74)
        length &= 0xFFFFFFFF if size == 512 else (1 << 64) - 1  # version 3: high part may hold junk
        walk(left, prefix)
        walk(right, prefix)
        if kind == 1:
            walk(child, prefix + name + "/")
        elif kind == 2:
            if length < cutoff:
                blob = b"".join(ministream[s * mini:(s + 1) * mini] for s in chain(start, minifat))
            else:
                blob = read(start)
            streams[prefix + name] = blob[:length]

    walk(struct.unpack_from("<I", root, 0x4C)[0], "")
    return streams


def _cfb_key(name: str) -> tuple[int, str]:
    """MS-CFB 2.6.4: shorter names sort first, then by upper-cased code points."""
    return len(name), name.upper()


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A version 3 compound file holding ``streams`` (paths such as "VBA/dir"; storages made as needed)."""
    size, mini = 512, 64

    # the tree: storage path -> child names; entry order = root, then breadth-first by path
    children: dict[str, dict[str, str]] = {"": {}}
    for path in streams:
        parts = path.split("/")
        for depth in range(len(parts)):
            parent, name = "/".join(parts[:depth]), parts[depth]
            full = "/".join(parts[:depth + 1])
            if len(name) > 31:
                raise ValueError(f"stream name too long for a compound file: {name}")
            children.setdefault(parent, {})[name] = full
            if depth < len(parts) - 1:
                children.setdefault(full, {})
    order = [""] + sorted({p for c in children.values() for p in c.values()},
                          key=lambda p: (p.count("/"), p))
    index = {path: k for k, path in enumerate(order)}

    # stream contents: small ones into the mini stream, the rest into regular sectors
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(blob: bytes) -> int:
        if not blob:
            return ENDOFCHAIN
        first = len(sectors)
        count = (len(blob) + size - 1) // size
        for k in range(count):
            sectors.append(blob[k * size:(k + 1) * size].ljust(size, b"\0"))
            fat.append(first + k + 1 if k < count - 1 else ENDOFCHAIN)
        return first

    ministream, minifat, starts = bytearray(), [], {}
    for path in order[1:]:
        blob = streams.get(path)
        if blob is None:
            continue
        if len(blob) < MINI_CUTOFF:
            if not blob:
                starts[path] = ENDOFCHAIN
                continue
            first = len(ministream) // mini
            count = (len(blob) + mini - 1) // mini
            ministream += blob.ljust(count * mini, b"\0")
            minifat += [first + k + 1 if k < count - 1 else ENDOFCHAIN for k in range(count)]
            starts[path] = first
        else:
            starts[path] = place(blob)
    root_start = place(bytes(ministream))
    minifat_raw = b"".join(struct.pack("<I", v) for v in minifat)
    minifat_raw += struct.pack("<I", FREESECT) * ((-len(minifat)) % (size // 4))
    first_minifat = place(minifat_raw) if minifat else ENDOFCHAIN
    n_minifat = len(minifat_raw) // size if minifat else 0

    # directory entries; each storage's children form a red-black tree (balanced, deepest level red)
    entries = [bytearray(128) for _ in order]
    left = [NOSTREAM] * len(order)
    right = [NOSTREAM] * len(order)
    color = [1] * len(order)  # 1 black
    child = [NOSTREAM] * len(order)

    def build(names: list[str], depth: int, deepest: list[int]) -> int:
        if not names:
            return NOSTREAM
        mid = len(names) // 2
        node = index[names[mid]]
        left[node] = build(names[:mid], depth + 1, deepest)
        right[node] = build(names[mid + 1:], depth + 1, deepest)
        deepest.append((node, depth))
        return node

    for parent, kids in children.items():
        ordered = [kids[name] for name in sorted(kids, key=_cfb_key)]
        placed: list = []
        child[index[parent]] = build(ordered, 0, placed)
        depth = max((d for _, d in placed), default=0)
        for node, d in placed:
            if d == depth and depth > 0:
                color[node] = 0  # red
    for path, k in index.items():
        name = "Root Entry" if not path else path.rsplit("/", 1)[-1]
        encoded = name.encode("utf-16-le")
        entry = entries[k]
        entry[:len(encoded)] = encoded
        kind = 5 if not path else (2 if path in streams else 1)
        if kind == 5:
            start, length = root_start, len(ministream)
        elif kind == 2:
            start, length = starts[path], len(streams[path])
        else:
            start, length = 0, 0
        struct.pack_into("<HBBIII", entry, 0x40, len(encoded) + 2, kind, color[k], left[k], right[k], child[k])
        struct.pack_into("<IQ", entry, 0x74, start, length)
    while len(entries) % 4:
        empty = bytearray(128)
        struct.pack_into("<III", empty, 0x44, NOSTREAM, NOSTREAM, NOSTREAM)
        entries.append(empty)
    first_dir = place(b"".join(entries))

    # the FAT itself: enough sectors to describe every sector, its own included
    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * (size // 4):
        n_fat += 1
    if n_fat > 109:
        raise ValueError("VBA project too large for this writer (more than 109 FAT sectors)")
    fat_sectors = list(range(len(sectors), len(sectors) + n_fat))
    fat += [FATSECT] * n_fat
    fat += [FREESECT] * (n_fat * (size // 4) - len(fat))
    fat_raw = struct.pack(f"<{len(fat)}I", *fat)

    header = bytearray(512)
    header[:8] = SIGNATURE
    struct.pack_into("<HHHHH", header, 0x18, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, n_fat, first_dir, 0, MINI_CUTOFF, first_minifat, n_minifat,
                     ENDOFCHAIN, 0)
    difat = fat_sectors + [FREESECT] * (109 - n_fat)
    struct.pack_into("<109I", header, 0x4C, *difat)
    return bytes(header) + b"".join(sectors) + fat_raw


# ------------------------------------------------------------------ MS-OVBA project


@dataclass
class Module:
    name: str
    source: str
    kind: str = "procedural"  # or "document" / "class" (MODULETYPE 0x0021 vs 0x0022)
    records: list = field(default_factory=list)  # the original dir records of an existing module


def _records(directory: bytes) -> list[tuple[int, bytes]]:
    out, i = [], 0
    while i < len(directory):
        record, size = struct.unpack_from("<HI", directory, i)
        if record == 0x0009:  # PROJECTVERSION: Reserved is 4, then 4 + 2 bytes follow (2.3.4.2.1.11)
            size = 6
        out.append((record, directory[i + 6:i + 6 + size]))
        i += 6 + size
    return out


def _pack(records) -> bytes:
    out = bytearray()
    for record, body in records:
        size = 4 if record == 0x0009 else len(body)
        out += struct.pack("<HI", record, size) + body
    return bytes(out)


@dataclass
class Project:
    """A VBA project read from vbaProject.bin: the dir records around the modules, and the modules."""
    streams: dict[str, bytes]
    head: list  # dir records up to PROJECTMODULES (excluded)
    modules: list[Module]
    codepage: str

    @property
    def name(self) -> str:
        return next(body for record, body in self.head if record == 0x0004).decode(self.codepage)


def read_project(vba_bin: bytes) -> Project:
    streams = read_cfb(vba_bin)
    records = _records(decompress(streams["VBA/dir"]))
    cut = next(k for k, (record, _) in enumerate(records) if record == 0x000F)
    head = records[:cut]
    codepage = "cp%d" % struct.unpack("<H", next(b for r, b in head if r == 0x0003))[0]
    modules, current = [], None
    for record, body in records[cut + 2:]:  # after PROJECTMODULES count and PROJECTCOOKIE
        if record == 0x0019:
            current = Module(body.decode(codepage), "", records=[])
        if current is None:
            continue
        current.records.append((record, body))
        if record == 0x0022:
            current.kind = "document"
        if record == 0x002B:
            stream = next(b for r, b in current.records if r == 0x001A).decode(codepage)
            offset = struct.unpack("<I", next(b for r, b in current.records if r == 0x0031))[0]
            current.source = decompress(streams["VBA/" + stream][offset:]).decode(codepage)
            modules.append(current)
            current = None
    return Project(streams, head, modules, codepage)


def _module_records(module: Module, codepage: str) -> list[tuple[int, bytes]]:
    """The MODULE record (2.3.4.2.3.2); an existing module keeps its records but gets MODULEOFFSET 0 and the
    MODULECOOKIE a writer must write, 0xFFFF (2.3.4.2.3.2.7; Office's own value belongs to the dropped cache)."""
    if module.records:
        fresh = {0x0031: struct.pack("<I", 0), 0x002C: struct.pack("<H", 0xFFFF)}
        return [(r, fresh.get(r, b)) for r, b in module.records]
    name, wide = module.name.encode(codepage), module.name.encode("utf-16-le")
    return [(0x0019, name), (0x0047, wide), (0x001A, name), (0x0032, wide), (0x001C, b""), (0x0048, b""),
            (0x0031, struct.pack("<I", 0)), (0x001E, struct.pack("<I", 0)), (0x002C, struct.pack("<H", 0xFFFF)),
            (0x0021 if module.kind == "procedural" else 0x0022, b""), (0x002B, b"")]


def _project_stream(text: str, keep: set[str], added: list[Module], name: str | None) -> str:
    """PROJECT (2.3.1): lines of modules not kept dropped, a Module= line per new module after the last
    module line, a [Workspace] line for each; Name= renamed if asked."""
    lines = text.split("\r\n")
    kinds = ("Module", "Document", "Class", "BaseClass", "Package")
    workspace = lines.index("[Workspace]") if "[Workspace]" in lines else len(lines)

    def kept(k: int, line: str) -> bool:
        key, _, value = line.partition("=")
        if k < workspace and key in kinds and key != "Package":
            return value.split("/", 1)[0] in keep
        if k > workspace and value:
            return key in keep
        return True

    lines = [line for k, line in enumerate(lines) if kept(k, line)]
    last = max(k for k, line in enumerate(lines) if line.split("=", 1)[0] in kinds)
    lines[last + 1:last + 1] = [f"Module={m.name}" for m in added]
    if name is not None:
        lines = [f'Name="{name}"' if line.startswith("Name=") else line for line in lines]
    if "[Workspace]" in lines:
        at = lines.index("[Workspace]") + 1
        while at < len(lines) and lines[at]:
            at += 1
        lines[at:at] = [f"{m.name}=0, 0, 0, 0, C" for m in added]
    return "\r\n".join(lines)


def write_project(project: Project, added: list[Module] = (), name: str | None = None,
                  sources: dict[str, str] | None = None) -> bytes:
    """vbaProject.bin with ``added`` standard modules, every module as source only.

    ``sources`` replaces the text of existing modules by name; ``name`` renames the project.
    """
    codepage = project.codepage
    for module in added:
        if not module.name.isidentifier() or not module.name.isascii() or len(module.name) > 31:
            raise ValueError(f"invalid VBA module name {module.name!r}")
    sources = sources or {}
    modules = project.modules + list(added)
    head = list(project.head)
    if name is not None:
        head = [(r, name.encode(codepage) if r == 0x0004 else b) for r, b in head]
    records = head + [(0x000F, struct.pack("<H", len(modules))), (0x0013, struct.pack("<H", 0xFFFF))]
    streams = {path: blob for path, blob in project.streams.items() if not path.startswith("VBA/")}
    for module in modules:
        records += _module_records(module, codepage)
        source = sources.get(module.name, module.source)
        # the stream is the one MODULESTREAMNAME names (2.3.4.2.3.2.3), which need not be the module's name
        stream = next((b for r, b in module.records if r == 0x001A), None)
        stream = stream.decode(codepage) if stream is not None else module.name
        streams["VBA/" + stream] = compress(source.encode(codepage))
    records += [(0x0010, b"")]
    streams["VBA/dir"] = compress(_pack(records))
    streams["VBA/_VBA_PROJECT"] = bytes.fromhex("CC61FFFF000100")  # Reserved1, Version 0xFFFF, 2 reserved
    text = project.streams["PROJECT"].decode(codepage)
    keep = {m.name for m in project.modules}
    streams["PROJECT"] = _project_stream(text, keep, list(added), name).encode(codepage)
    names = b"".join(m.name.encode(codepage) + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules)
    streams["PROJECTwm"] = names + b"\0\0"
    return write_cfb(streams)
