"""The classic .xlam: its VBA project written by jixiao_xl.excel.vba, read back three ways, run where possible.

Real files throughout: the .xlam is built from xlwings' own template, read back with olefile, with
oletools' olevba and with jixiao_xl.excel.vba's reader, opened in LibreOffice (its VBA importer), and the
wrappers are compared with what xlwings' own code generates. Excel itself is not here: see README.
"""

from __future__ import annotations

import ast
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import openpyxl
import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' conversion engines (see call_udf)

from jixiao_xl.excel import addin
from jixiao_xl.excel import udf
from jixiao_xl.excel import vba
from jixiao_xl.excel import functions as xl_functions

from .libreoffice import soffice
from .test_seed import EXAMPLE
from .vba import dir_records, modules

NEW_MODULES = ["ThisWorkbook", "Dictionary", "Sheet2", "xlwings", "JixiaoAddin", "xlwings_udfs"]


@pytest.fixture(scope="module")
def xlam(tmp_path_factory) -> Path:
    (path,) = addin.build_xlam(tmp_path_factory.mktemp("xlam") / "jixiao_addin.xlam")
    return path


# ------------------------------------------------------------------ the formats


def test_compression_round_trips_and_oletools_reads_it():
    from oletools.olevba import decompress_stream

    template = vba.read_project(zipfile.ZipFile(addin.ribbon_template()).read("xl/vbaProject.bin"))
    rnd = random.Random(11)
    samples = [m.source.encode("cp1252") for m in template.modules] + [
        b"", b"a", b"abc" * 5000, bytes(rnd.choice(b"ab ") for _ in range(9000)),
        bytes(rnd.randrange(256) for _ in range(3500))]  # incompressible, but under a chunk
    for data in samples:
        packed = vba.compress(data)
        assert vba.decompress(packed) == data
        assert decompress_stream(bytearray(packed)) == data  # an independent decompressor
    assert len(vba.compress(samples[4])) < len(samples[4]) // 2  # the xlwings module really compresses
    with pytest.raises(ValueError):
        vba.compress(bytes(rnd.randrange(256) for _ in range(4096)))  # would need a raw chunk


def test_compound_file_writer_is_read_by_olefile():
    import olefile

    rnd = random.Random(5)
    streams = {"PROJECT": b"ID=\"{x}\"\r\n", "PROJECTwm": b"", "VBA/dir": bytes(rnd.randrange(256) for _ in range(700)),
               "VBA/big": bytes(rnd.randrange(256) for _ in range(70000)), "VBA/edge": b"x" * 4096,
               "VBA/Sub/deep": b"deep"}
    streams.update({f"VBA/m{k:02d}": bytes([k]) * (k * 97) for k in range(40)})
    data = vba.write_cfb(streams)
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, blob in streams.items():
        assert ole.openstream(path).read() == blob, path
    assert vba.read_cfb(data) == streams


def test_the_recorded_python_is_the_console_python_xlwings_waits_for(tmp_path, monkeypatch):
    """Interpreter_Win is python.exe even when pythonw.exe sits beside it (cmd.exe /C does not wait for a GUI
    program, so RunPython would return before the check ran); xlwings' config create records the same."""
    folder = tmp_path / "Python312"
    folder.mkdir()
    for name in ("python.exe", "pythonw.exe"):
        (folder / name).write_bytes(b"MZ")
    monkeypatch.setattr(sys, "executable", str(folder / "python.exe"))
    assert addin.default_interpreter() == str(folder / "python.exe")
    (built,) = addin.build_xlam(tmp_path / "jixiao_addin.xlam")
    assert addin.interpreter_of(built) == str(folder / "python.exe")


def test_a_module_is_written_to_the_stream_its_dir_record_names(tmp_path):
    """MODULESTREAMNAME (MS-OVBA 2.3.4.2.3.2.3) names a module's stream; it need not be the module's name
    (Office keeps the old stream name when a module is renamed). The writer must use it."""
    import olefile

    template = zipfile.ZipFile(addin.ribbon_template()).read("xl/vbaProject.bin")
    project = vba.read_project(template)
    sheet = next(m for m in project.modules if m.name == "Sheet2")
    sheet.records = [(r, b"Blatt2" if r == 0x001A else "Blatt2".encode("utf-16-le") if r == 0x0032 else b)
                     for r, b in sheet.records]
    data = vba.write_project(project)
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert ole.exists("VBA/Blatt2") and not ole.exists("VBA/Sheet2")
    assert vba.decompress(ole.openstream("VBA/Blatt2").read()).decode("cp1252") == sheet.source
    assert [m.source for m in vba.read_project(data).modules] == [m.source for m in project.modules]


def _red_black_ok(entries, node) -> int:
    """Black height of the subtree, asserting the red-black rules and the MS-CFB 2.6.4 order."""
    if node == 0xFFFFFFFF:
        return 1
    name, color, left, right = entries[node]
    for child, side in ((left, -1), (right, 1)):
        if child != 0xFFFFFFFF:
            key = (len(entries[child][0]), entries[child][0].upper())
            assert (key > (len(name), name.upper())) == (side == 1)
            if color == 0:
                assert entries[child][1] == 1, "red node with a red child"
    heights = {_red_black_ok(entries, left), _red_black_ok(entries, right)}
    assert len(heights) == 1, "unequal black heights"
    return heights.pop() + color


def test_directory_is_a_red_black_tree(xlam):
    data = zipfile.ZipFile(xlam).read("xl/vbaProject.bin")
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    fat = []
    for number in struct.unpack_from("<109I", data, 0x4C)[:n_fat]:
        fat += struct.unpack_from("<128I", data, (number + 1) * 512)
    raw, sector = b"", first_dir
    while sector != 0xFFFFFFFE:
        raw += data[(sector + 1) * 512:(sector + 2) * 512]
        sector = fat[sector]
    entries = []
    for start in range(0, len(raw), 128):
        entry = raw[start:start + 128]
        length = struct.unpack_from("<H", entry, 0x40)[0]
        left, right, child = struct.unpack_from("<III", entry, 0x44)
        entries.append((entry[:max(length - 2, 0)].decode("utf-16-le"), entry[0x43], left, right, child))
    assert entries[0][0] == "Root Entry"
    tree = [(name, color, left, right) for name, color, left, right, _ in entries]
    for name, _color, _l, _r, child in entries:
        if child != 0xFFFFFFFF and name in ("Root Entry", "VBA"):
            assert tree[child][1] == 1  # the root of each tree is black
            _red_black_ok(tree, child)


# ------------------------------------------------------------------ the built add-in


def test_build_writes_one_xlam_with_the_tab_and_settings(tmp_path, xlam):
    files = addin.build_xlam(tmp_path / "jixiao_addin.xlam")
    assert [f.name for f in files] == ["jixiao_addin.xlam"] and sorted(p.name for p in tmp_path.iterdir()) == [
        "jixiao_addin.xlam"]
    ns = "{http://schemas.microsoft.com/office/2006/01/customui}"
    with zipfile.ZipFile(xlam) as archive:
        assert archive.testzip() is None
        ribbon = ElementTree.fromstring(archive.read("customUI/customUI.xml"))
        workbook = archive.read("xl/workbook.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        shared = archive.read("xl/sharedStrings.xml").decode()
    tab = next(ribbon.iter(f"{ns}tab"))
    assert tab.get("label") == "绩效自评"
    buttons = [(b.get("label"), b.get("onAction")) for b in ribbon.iter(f"{ns}button")]
    assert buttons == [("校验", "JixiaoValidate"), ("清除标记", "JixiaoClear"), ("问题列表", "JixiaoList")]
    code = modules(xlam)["JixiaoAddin"]
    for _label, callback in buttons:  # the signature Office calls a button's onAction with
        assert f"Public Sub {callback}(control As IRibbonControl)" in code
    # the settings xlwings' GetConfig reads: sheet PROJECT_NAME & ".conf" of the add-in itself
    assert 'Public Const PROJECT_NAME As String = "jixiao"' in modules(xlam)["xlwings"]
    assert '<sheet name="jixiao.conf"' in workbook
    assert "Interpreter_Win" in shared and f"<t>{addin.default_interpreter()}</t>" in sheet
    other = addin.build_xlam(tmp_path / "o" / "x.xlam", python=r"C:\Python312\pythonw.exe")[0]
    assert r"<t>C:\Python312\pythonw.exe</t>" in zipfile.ZipFile(other).read("xl/worksheets/sheet1.xml").decode()


def test_vba_project_reads_back_with_olefile_olevba_and_our_reader(xlam):
    import olefile
    from oletools.olevba import VBA_Parser

    # olefile: the streams, _VBA_PROJECT as the 7-byte "compile from source" header
    ole = olefile.OleFileIO(io.BytesIO(zipfile.ZipFile(xlam).read("xl/vbaProject.bin")))
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"] + [f"VBA/{m}" for m in NEW_MODULES])
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    project = ole.openstream("PROJECT").read().decode("cp1252").split("\r\n")
    assert 'Name="JixiaoXl"' in project and "Module=JixiaoAddin" in project and "Module=xlwings_udfs" in project
    assert "Module=RibbonMyAddin" not in project
    assert ole.openstream("PROJECTwm").read().endswith(b"x\0l\0w\0i\0n\0g\0s\0_\0u\0d\0f\0s\0\0\0\0\0")

    # the dir records (via olefile): module count, every module source-only, the new ones procedural
    records = dir_records(xlam)
    assert struct.unpack("<H", next(b for r, b in records if r == 0x000F))[0] == len(NEW_MODULES)
    names = [b.decode() for r, b in records if r == 0x0019]
    assert names == NEW_MODULES
    assert [struct.unpack("<I", b)[0] for r, b in records if r == 0x0031] == [0] * len(NEW_MODULES)
    # PROJECTCOOKIE and every MODULECOOKIE as MS-OVBA says a writer writes them (2.3.4.2.3.1, 2.3.4.2.3.2.7)
    assert [b for r, b in records if r in (0x0013, 0x002C)] == [b"\xff\xff"] * (1 + len(NEW_MODULES))
    types = [r for r, _ in records if r in (0x0021, 0x0022)]
    assert types == [0x0022, 0x0022, 0x0022, 0x0021, 0x0021, 0x0021]
    assert next(b for r, b in records if r == 0x0004) == b"JixiaoXl"

    # three readers agree on every module's text
    ours = {m.name: m.source for m in vba.read_project(zipfile.ZipFile(xlam).read("xl/vbaProject.bin")).modules}
    via_olefile = modules(xlam)
    parser = VBA_Parser(str(xlam))
    via_olevba = {name.rsplit(".", 1)[0]: code for _f, _s, name, code in parser.extract_macros()}
    parser.close()
    assert list(ours) == list(via_olefile) == NEW_MODULES and set(via_olevba) == set(NEW_MODULES)
    for name in NEW_MODULES:
        assert ours[name] == via_olefile[name]
        assert via_olevba[name].replace("\r\n", "\n").strip() == ours[name].replace("\r\n", "\n").strip()
    assert all(text.isascii() for text in ours.values())
    template = vba.read_project(zipfile.ZipFile(addin.ribbon_template()).read("xl/vbaProject.bin"))
    assert ours["ThisWorkbook"] == next(m.source for m in template.modules if m.name == "ThisWorkbook")  # no events
    assert "\r\n" not in ours["xlwings"]  # xlwings' module keeps its own LF line ends
    assert all(len(line) <= 1023 for text in ours.values() for line in text.splitlines())
    for name in udf.FUNCTIONS:
        assert f"Function {name}(" in ours["xlwings_udfs"] and f"'!{name}\", _" in ours["JixiaoAddin"]


# ------------------------------------------------------------------ no auto-exec: what scanners see


def _mraptor(path: Path):
    """oletools' MacroRaptor on a file, as its command line does (all modules' code, then scan)."""
    from oletools.mraptor import MacroRaptor, Result_MacroOK, Result_Suspicious
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        raptor = MacroRaptor(parser.get_vba_code_all_modules())
    finally:
        parser.close()
    raptor.scan()
    return raptor, (Result_Suspicious if raptor.suspicious else Result_MacroOK).name


def _with_this_workbook(xlam: Path, out: Path, code: str) -> Path:
    """A copy of the add-in whose ThisWorkbook module ends with ``code``."""
    with zipfile.ZipFile(xlam) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/vbaProject.bin":
                project = vba.read_project(data)
                this = next(m.source for m in project.modules if m.name == "ThisWorkbook")
                data = vba.write_project(project, sources={"ThisWorkbook": this + code})
            dst.writestr(info, data)
    return out


def test_mraptor_rates_the_add_in_macro_ok_like_the_xlwings_template(xlam, tmp_path):
    """Endpoint security on government PCs quarantines what oletools' mraptor calls SUSPICIOUS: an auto-exec
    macro (Workbook_Open, Auto_Open, a control's _Click, ...) in a project that also writes files or runs
    programs. xlwings' RunPython needs Shell-like calls (flags W and X), so the add-in must have no auto-exec."""
    raptor, result = _mraptor(xlam)
    assert result == "Macro OK" and not raptor.autoexec and raptor.get_flags() == "-WX", raptor.matches
    assert _mraptor(addin.ribbon_template())[1] == "Macro OK"  # xlwings' own template, for comparison
    cli = subprocess.run([sys.executable, "-m", "oletools.mraptor", "-m", str(xlam)], capture_output=True, text=True)
    assert cli.returncode == 2 and "Macro OK" in cli.stdout and "SUSPICIOUS" not in cli.stdout  # 2: Macro OK

    # the check has teeth: the add-in as it was (descriptions registered from Workbook_Open) is SUSPICIOUS
    old = _with_this_workbook(xlam, tmp_path / "old.xlam",
                              "Private Sub Workbook_Open()\r\n    JixiaoRegisterFunctions\r\nEnd Sub\r\n")
    raptor, result = _mraptor(old)
    assert result == "SUSPICIOUS" and raptor.autoexec_match == "Workbook_Open" and raptor.get_flags() == "AWX"
    cli = subprocess.run([sys.executable, "-m", "oletools.mraptor", str(old)], capture_output=True, text=True)
    assert cli.returncode == 20 and "SUSPICIOUS" in cli.stdout


def test_the_ribbon_onload_callback_registers_the_descriptions(xlam):
    """customUI's onLoad names a public Sub taking the IRibbonUI (the signature Office calls it with); it and
    a button's first click register the descriptions; no name in the project matches mraptor's AutoExec."""
    from oletools.mraptor import re_autoexec

    ns = "{http://schemas.microsoft.com/office/2006/01/customui}"
    ribbon = ElementTree.fromstring(zipfile.ZipFile(xlam).read("customUI/customUI.xml"))
    assert ribbon.tag == f"{ns}customUI" and ribbon.get("onLoad") == addin.ON_LOAD == "JixiaoRibbonLoaded"
    code = modules(xlam)["JixiaoAddin"]
    assert _procedure(code, "Public Sub JixiaoRibbonLoaded(") == [
        "Public Sub JixiaoRibbonLoaded(ribbon As IRibbonUI)", "JixiaoRegisterFunctions", "End Sub"]
    run = _procedure(code, "Private Sub JixiaoRun(")
    assert "If Not jixiaoRegistered Then JixiaoRegisterFunctions" in run
    assert run.index("If Not jixiaoRegistered Then JixiaoRegisterFunctions") < run.index("RunPython pythonCode")
    register = _procedure(code, "Public Sub JixiaoRegisterFunctions(")
    assert register[1] == "jixiaoRegistered = True" and sum("Application.MacroOptions" in line
                                                              for line in register) == len(udf.FUNCTIONS)
    assert "Private jixiaoRegistered As Boolean" in code.split("\r\n")
    for name, text in modules(xlam).items():
        assert re_autoexec.search(text) is None, (name, re_autoexec.search(text))


# ------------------------------------------------------------------ xlwings' own code, run from its source


def _xlwings_udfs() -> dict:
    """xlwings' classic UDF decorators and its VBA wrapper generator, executed from xlwings/udfs.py.

    That module imports pythoncom at the top (Windows only); the functions used here are pure
    Python, so they are taken from its source as they are and run against xlwings' own VBAWriter.
    """
    import datetime as dt
    import inspect
    import typing

    import xlwings
    from xlwings.utils import VBAWriter

    path = Path(xlwings.__file__).with_name("udfs.py")
    wanted = {"func_sig", "get_category", "get_async_mode", "check_bool", "extract_type_and_annotations", "xlfunc",
              "xlarg", "xlret", "generate_vba_wrapper"}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in wanted]
    assert {node.name for node in body} == wanted
    namespace = {"dt": dt, "inspect": inspect, "VBAWriter": VBAWriter, "_F": typing.TypeVar("_F"),
                 **{n: getattr(typing, n) for n in ("Annotated", "Any", "Callable", "get_args", "get_origin",
                                                    "get_type_hints")}}
    exec(compile(ast.Module(body=body, type_ignores=[]), str(path), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def registered():
    code = _xlwings_udfs()
    udf.register(code["xlfunc"], code["xlarg"])
    return code


def test_wrappers_are_what_xlwings_import_functions_writes(xlam, registered):
    out = io.StringIO()
    writer = registered["VBAWriter"](out)  # import_udfs' header, then generate_vba_wrapper
    writer.writeln('Attribute VB_Name = "xlwings_udfs"')
    writer.writeln("'Autogenerated code by xlwings - changes will be lost with next import!")
    writer.writeln("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""")
    registered["generate_vba_wrapper"]("jixiao_xl.excel.udf", udf, out, SimpleNamespace(Name="jixiao_addin.xlam"))
    assert modules(xlam)["xlwings_udfs"].replace("\r\n", "\n") == out.getvalue()


def test_functions_have_xlwings_metadata_and_chinese_help(registered):
    for name, core in udf.FUNCTIONS.items():
        info = getattr(udf, name).__xlfunc__
        assert info["name"] == name and info["category"] == "绩效自评" and info["ret"]["doc"] == core.__doc__
        assert [(a["name"], a["doc"]) for a in info["args"]] == list(xl_functions.FUNCTION_ARGS[core.__name__])
        assert [a.get("optional") for a in info["args"]] == [
            None if p.default is p.empty else p.default
            for p in __import__("inspect").signature(core).parameters.values()]
    assert udf.JIXIAO_INDICATOR_SCORES.__xlfunc__["args"][0]["options"] == {"ndim": 2}


MISSING = -2147352572  # what VBA passes for an omitted Optional argument (DISP_E_PARAMNOTFOUND)


def call_udf(name, *args):
    """xlwings.udfs.call_udf and com_server.CallUDF for arguments that are not Range objects.

    The COM server converts with the "excel" engine, whose value cleaning handles pywin32 types
    (Windows only); here xlwings' same conversion pipeline runs with its "remote" engine.
    """
    from xlwings import conversion

    f = getattr(udf, name)
    info = f.__xlfunc__
    args = list(args)
    for i, value in enumerate(args):
        arg_info = info["args"][min(i, len(info["args"]) - 1)]
        if isinstance(value, int) and value == MISSING:
            args[i] = arg_info.get("optional", None)
        else:
            args[i] = conversion.read(None, value, arg_info["options"], engine_name="remote")
    res = conversion.write(f(*args), None, info["ret"]["options"], engine_name="remote")
    if len(res) == 1 and len(res[0]) == 1:
        return res[0][0]
    if len(res) == 1 and len(res[0]) > 1:
        return res[0]
    return res


def test_functions_answer_as_through_the_com_server(registered):
    from jixiao_xl.compute.profiles import get_profile
    from jixiao_xl.compute.scoring import exec_score, grade, indicator_score

    assert call_udf("JIXIAO_EXEC_RATE", 100.0, 83.0) == 0.83
    assert call_udf("JIXIAO_EXEC_SCORE", 100.0, 83.0, MISSING, MISSING) == exec_score(0.83, 10) == 8.3
    assert call_udf("JIXIAO_EXEC_SCORE", 100.0, 83.0, 20.0, "江西") == exec_score(
        0.83, 20, get_profile("jiangxi").score_bands) == 14
    assert call_udf("JIXIAO_INDICATOR_SCORE", "≥95%", "98%", 10.0) == indicator_score("≥95%", "98%", 10) == 10
    table = ((("≥95%", "90%", 10.0), ("≤30天", "45天", 5.0)))  # a block of cells, as a tuple of rows
    assert call_udf("JIXIAO_INDICATOR_SCORES", table) == [[indicator_score("≥95%", "90%", 10)],
                                                          [indicator_score("≤30天", "45天", 5)]]
    assert call_udf("JIXIAO_CONTROL_RATE", 90.0, 100.0) == 0.9
    assert call_udf("JIXIAO_GRADE", 99.0) == grade(99) == "优"
    assert call_udf("JIXIAO_EXEC_RATE", None, 83.0) == ""  # blank budget: blank, as on Office.js


@pytest.mark.parametrize("name, args, message", [
    ("JIXIAO_EXEC_SCORE", (83.0, "abc", 10.0, MISSING), "全年执行数应为数字，收到的是“abc”"),
    ("JIXIAO_EXEC_SCORE", (100.0, 83.0, 10.0, "湖南"), "计分方式应为“比例”或“江西”，收到的是“湖南”"),
    ("JIXIAO_GRADE", (150.0,), "总分应在 0 到 100 之间"),
    ("JIXIAO_EXEC_RATE", ([100.0, 200.0], 83.0),
     "含 2 个单元格的区域；请只选一个单元格（整张指标表请用 JIXIAO_INDICATOR_SCORES）"),
    ("JIXIAO_INDICATOR_SCORES", ((("≥95%", "90%"),),), "指标表区域应为 3 列"),
])
def test_bad_arguments_give_the_chinese_reason(registered, name, args, message):
    """Without pywin32 the failure is the FunctionError; on Windows the same text is the COM exception's
    description, which the wrapper's ``failed:`` label puts into the cell (Err.Description)."""
    with pytest.raises(xl_functions.FunctionError) as caught:
        call_udf(name, *args)
    assert message in str(caught.value)
    assert not re.search(r"[A-Za-z]{4,}", re.sub(r"JIXIAO_[A-Z_]+", "", str(caught.value)))  # no English words


# ------------------------------------------------------------------ the buttons' Python side


def _commands(xlam) -> dict[str, str]:
    code = modules(xlam)["JixiaoAddin"]
    found = re.findall(r'Public Sub (\w+)\(control As IRibbonControl\)\r\n    JixiaoRun "((?:[^"]|"")*)", ', code)
    return {callback: text.replace('""', '"') for callback, text in found}


def test_button_commands_run_the_handlers_and_survive_cmd_exe(xlam, monkeypatch):
    import xlwings as xw

    from .officejs import payload

    commands = _commands(xlam)
    assert set(commands) == {"JixiaoValidate", "JixiaoClear", "JixiaoList"}
    for text in commands.values():
        assert text.isascii() and not set(text) & set('"%&^|<>!')  # passed through cmd.exe /C python -c "…"
    book = xw.Book(json=payload(openpyxl.load_workbook(EXAMPLE, data_only=True)))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    exec(commands["JixiaoValidate"], {})
    alerts = [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]
    assert alerts[0][0].startswith("发现 1 个错误、2 个警告")

    # the Python named in the settings has no jixiao-xl: a Chinese alert instead of a traceback
    import importlib.util

    missing = xw.Book(json=payload(openpyxl.load_workbook(EXAMPLE, data_only=True)))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: missing))
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "jixiao_xl" else real(name, *a))
    exec(commands["JixiaoList"], {})
    (message, *rest), = [a["args"] for a in missing.json()["actions"] if a["func"] == "alert"]
    assert message.startswith("加载项使用的 Python 中没有安装 jixiao-xl") and "问题列表未完成" in json.dumps(
        rest, ensure_ascii=False)


def test_jixiao_text_strings_decode_to_the_messages(xlam):
    """Every JixiaoText("…") in the module is UTF-16 hex of Chinese text (the MsgBox and help texts)."""
    code = modules(xlam)["JixiaoAddin"]
    texts = [bytes.fromhex(h).decode("utf-16-be") for h in re.findall(r'JixiaoText\("([0-9A-F]+)"\)', code)]
    assert "校验" in texts and "绩效自评" in texts
    assert any(t.startswith("找不到加载项设置的 Python：") for t in texts)
    assert xl_functions.exec_score.__doc__[:20] in "".join(texts)


def _procedure(code: str, header: str) -> list[str]:
    lines = code.split("\r\n")
    start = next(k for k, line in enumerate(lines) if line.startswith(header))
    end = next(k for k in range(start, len(lines)) if lines[k] == "End Sub")
    return [line.strip() for line in lines[start:end + 1]]


def _texts(line: str) -> str:
    return "".join(bytes.fromhex(h).decode("utf-16-be") for h in re.findall(r'JixiaoText\("([0-9A-F]+)"\)', line))


def test_buttons_explain_a_missing_workbook_and_vba_errors_in_chinese(xlam):
    """With no workbook in the active window (none open, or one in Protected View, where ActiveWorkbook is
    Nothing per Excel's documentation), xlwings' RunPython stops on ActiveWorkbook.FullName with VBA's
    English "Run-time error '91'" and its Debug button; a VBA error on the way to Python (WScript.Shell
    blocked) does the same. The callback checks first and traps the rest with a Chinese message."""
    body = _procedure(modules(xlam)["JixiaoAddin"], "Private Sub JixiaoRun(")
    run = body.index("RunPython pythonCode")
    guard = body.index("If ActiveWorkbook Is Nothing Then")
    code = [line for line in body[:guard] if not line.startswith("'")]
    assert guard < run and all("ActiveWorkbook" not in line and "GetConfig" not in line for line in code)
    assert body[guard + 1].startswith("MsgBox") and body[guard + 2] == "Exit Sub"
    assert "受保护的视图" in _texts(body[guard + 1]) and _texts(body[guard + 1]).startswith("没有可以")
    trap = body.index("On Error GoTo failed")
    assert guard < trap < body.index('interpreter = GetConfig("INTERPRETER_WIN", "")') < run
    assert body[run + 1:run + 3] == ["Exit Sub", "failed:"]
    handler = body[run + 3]
    assert handler.startswith("MsgBox") and "Err.Description" in handler and "vbCritical" in handler
    assert _texts(handler).startswith("Excel 未能启动 Python")


# ------------------------------------------------------------------ LibreOffice's VBA importer


def _as_xlsm(xlam: Path, out: Path) -> Path:
    """The same package as a visible macro workbook (LibreOffice opens .xlsm; the VBA part is untouched)."""
    with zipfile.ZipFile(xlam) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.ms-excel.addin.macroEnabled.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            elif info.filename == "xl/workbook.xml":
                data = data.replace(b'visibility="hidden" ', b"")
            dst.writestr(info, data)
    return out


def test_libreoffice_imports_the_project_and_runs_its_vba(xlam, tmp_path):
    if soffice() is None or subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode:
        pytest.skip("LibreOffice with python3-uno is not installed")
    book = _as_xlsm(xlam, tmp_path / "book.xlsm")
    assert zipfile.ZipFile(book).read("xl/vbaProject.bin") == zipfile.ZipFile(xlam).read("xl/vbaProject.bin")
    probe = tmp_path / "probe.bas"  # calls the ribbon's onLoad callback as Office would, reports how it ended
    probe.write_text(ONLOAD_PROBE, encoding="utf-8")
    run = subprocess.run(["/usr/bin/python3", str(Path(__file__).with_name("lo_vba.py")), str(book),
                          str(tmp_path / "profile"), f"JixiaoAddin,xlwings_udfs,Probe={probe}",
                          '=JIXIAOTEXT("68219A8C")', '=JIXIAOTEXT("7EE9654881EA8BC4")',
                          '=LEN(JIXIAOTEXT("6E05966468078BB0"))', "=PROBEONLOAD()"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert "JixiaoXl" in report["libraries"]  # the VBA project, under its name
    imported = report["modules"]["JixiaoXl"]
    assert sorted(imported) == sorted(NEW_MODULES)
    assert imported["JixiaoAddin"].startswith("Rem Attribute VBA_ModuleType=VBAModule\nOption VBASupport 1")
    for name in ("JixiaoValidate", "JixiaoClear", "JixiaoList", "JixiaoText", "JixiaoRegisterFunctions"):
        assert re.search(rf"Public (Sub|Function) {name}\(", imported["JixiaoAddin"])
    for name in udf.FUNCTIONS:
        assert f"Function {name}(" in imported["xlwings_udfs"]
    assert "Workbook_Open" not in imported["ThisWorkbook"]
    # our two modules as imported compile together in LibreOffice Basic's VBA mode; the helper runs in a cell,
    # and so does the onLoad callback (JixiaoRibbonLoaded, then JixiaoRegisterFunctions) to its end. The probe
    # tells a missing Sub (error 35) from a run; LibreOffice has no Application.MacroOptions (error 423), which
    # JixiaoRegisterFunctions' On Error Resume Next absorbs as it would any failure in Excel: that the
    # descriptions appear is for Excel to show (README)
    assert report["values"] == [{"string": "校验", "error": 0}, {"string": "绩效自评", "error": 0},
                                {"string": "4", "error": 0}, {"string": "ok", "error": 0}]


ONLOAD_PROBE = """Option VBASupport 1
Function ProbeOnLoad()
    On Error GoTo failed
    JixiaoRibbonLoaded Nothing
    ProbeOnLoad = "ok"
    Exit Function
failed:
    ProbeOnLoad = "error " & Err.Number & ": " & Err.Description
End Function
"""


# ------------------------------------------------------------------ install


def test_install_copies_the_one_file_or_explains(tmp_path, xlam, capsys):
    from jixiao_xl.cli import main

    assert main(["addin", "install", str(tmp_path / "missing.xlam")]) == 2
    assert "找不到加载项文件" in capsys.readouterr().err
    assert main(["addin", "build-xlam", "-o", str(tmp_path / "ok" / "jixiao_addin.xlam")]) == 0
    out = capsys.readouterr().out
    assert "jixiao_addin.xlam" in out and "_clear" not in out
    assert main(["addin", "install", str(tmp_path / "ok" / "jixiao_addin.xlam")]) == 0
    steps = capsys.readouterr().out
    if sys.platform != "win32":
        assert "XLSTART" in steps and "JIXIAO_EXEC_RATE" in steps and "pip install jixiao-xl" not in steps


def test_install_writes_the_python_of_this_computer(tmp_path):
    """An add-in from the offline bundle names the bundle machine's Python: install writes this one."""
    foreign = addin.build_xlam(tmp_path / "bundle" / "jixiao_addin.xlam", python=r"C:\elsewhere\pythonw.exe")[0]
    assert addin.interpreter_of(foreign) == r"C:\elsewhere\pythonw.exe"
    message = addin.install(str(foreign), xlstart=tmp_path / "XLSTART")
    installed = tmp_path / "XLSTART" / "jixiao_addin.xlam"
    assert addin.interpreter_of(installed) == addin.default_interpreter() and addin.default_interpreter() in message
    assert modules(installed)["JixiaoAddin"] == modules(foreign)["JixiaoAddin"]
    here = addin.build_xlam(tmp_path / "here" / "jixiao_addin.xlam", python=sys.executable)[0]
    addin.install(str(here), xlstart=tmp_path / "XLSTART")
    assert addin.interpreter_of(installed) == sys.executable  # an existing Python is kept
    (tmp_path / "broken.xlam").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="不是 jixiao-xl addin build-xlam 生成的加载项"):
        addin.install(str(tmp_path / "broken.xlam"), xlstart=tmp_path / "XLSTART")


def test_an_add_in_built_before_the_move_still_finds_its_python():
    """A classic add-in built by an earlier release runs ``__import__('jixiao_xl.xl').xl.main()`` from its buttons
    and ``XLPy.CallUDF("jixiao_xl.udf", "JIXIAO_…")`` from its functions: both still reach the same code."""
    code = ("import jixiao_xl.excel.udf as new, jixiao_xl.excel.xl as x; "
            "old = __import__('jixiao_xl.xl').xl; u = __import__('jixiao_xl.udf').udf; "
            "print(old.main is x.main and old.main_clear is x.main_clear and old.main_list is x.main_list, "
            "sorted(n for n in dir(u) if n.startswith('JIXIAO_')) == sorted(new.FUNCTIONS), "
            "all(getattr(u, n) is getattr(new, n) for n in new.FUNCTIONS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}).stdout.split()
    assert out == ["True", "True", "True"]
