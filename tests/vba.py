"""Read the VBA source of an .xlam's vbaProject.bin (MS-OVBA) with olefile, independently of jixiao_xl.excel.vba's
compound-file reader: the template's VBA (what the build relies on) and the built add-in's."""

from __future__ import annotations

import io
import struct
import zipfile

from jixiao_xl.excel.vba import decompress  # MS-OVBA 2.4.1; oletools' decompress_stream checks it in test_addin_xlam


def dir_records(xlam) -> list[tuple[int, bytes]]:
    """The decompressed VBA/dir stream as (record id, body) pairs."""
    import olefile

    with zipfile.ZipFile(xlam) as archive:
        ole = olefile.OleFileIO(io.BytesIO(archive.read("xl/vbaProject.bin")))
    directory = decompress(ole.openstream("VBA/dir").read())
    out, i = [], 0
    while i < len(directory):
        record, size = struct.unpack("<HI", directory[i:i + 6])
        if record == 0x0009:  # PROJECTVERSION: its size field lies (MS-OVBA 2.3.4.2.1.11)
            size = 6
        out.append((record, directory[i + 6:i + 6 + size]))
        i += 6 + size
    return out


def modules(xlam) -> dict[str, str]:
    """Module name → VBA source text."""
    import olefile

    with zipfile.ZipFile(xlam) as archive:
        ole = olefile.OleFileIO(io.BytesIO(archive.read("xl/vbaProject.bin")))
    found, name = {}, None
    for record, body in dir_records(xlam):
        if record == 0x0019:
            name = body.decode("latin-1")
        elif record == 0x0031:
            offset = struct.unpack("<I", body)[0]
            found[name] = decompress(ole.openstream("VBA/" + name).read()[offset:]).decode("latin-1")
    return found
