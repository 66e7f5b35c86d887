"""The installable product: the wheel carries the add-in server; `jixiao-xl addin serve` from a fresh venv serves it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("xlwings_server")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a clean copy of the source tree (no caches, no build/ in the checkout)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "build", "dist", "*.egg-info", ".pytest_cache", ".hypothesis", "certs"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(work / "dist"), str(source)], check=True, capture_output=True)
    (found,) = (work / "dist").glob("jixiao_xl-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout with the wheel installed by pip.

    Its dependencies (xlwings, xlwings Server, ...) are borrowed from the test environment's
    site-packages through a .pth line (no package index needed); a .pth line does not run the
    checkout's editable-install hook, so jixiao_xl can only come from the wheel.
    """
    env_dir = tmp_path_factory.mktemp("venv") / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    return env_dir


def test_wheel_carries_the_add_in_server(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("templates/manifest.xml", "templates/taskpane.html", "templates/jixiao_help.html", "templates/jixiao_batch.html",
                 "custom_functions/__init__.py", "custom_scripts/__init__.py", "routers/custom.py",
                 "static/js/ribbon.js", "static/js/jixiao.js", "static/images/jixiao-32.png", "pyproject.toml"):
        assert f"jixiao_xl/addin_server/{name}" in names
    assert not any("__pycache__" in n for n in names)


def test_wheel_carries_every_subpackage(wheel):
    """pyproject.toml lists the packages by hand (to map addin/wps in): a new subpackage must be listed too."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (ROOT / "jixiao_xl").rglob("__init__.py"):
        relative = init.relative_to(ROOT).as_posix()
        if not relative.startswith("jixiao_xl/addin_server/"):
            assert relative in names, f"{relative.rsplit('/', 1)[0]} is missing from [tool.setuptools] packages"


def test_wheel_leaves_the_test_fixtures_out(wheel):
    """The seed submission and the LibreOffice driver serve tests, build scripts and benchmarks only."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "jixiao_xl/read/sheetspec.py" in names and "jixiao_xl/xlsx/a1.py" in names
    assert not {"jixiao_xl/samples.py", "jixiao_xl/libreoffice.py"} & names
    assert not any(n.startswith("tests/") for n in names)


def test_wheel_carries_the_wps_addin_without_its_tests(wheel):
    from jixiao_xl.excel.addin import WPS_FILES

    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"jixiao_xl/addin_wps/{name}" for name in WPS_FILES} <= names
    assert not any(n.startswith("jixiao_xl/addin_wps/test") for n in names)


def test_installed_wheel_builds_the_classic_xlam_for_its_own_python(venv, tmp_path):
    """build-xlam from the wheel: one .xlam naming the venv's Python, which imports what the VBA calls."""
    import zipfile

    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}  # as on a user's PC
    command = [str(bindir / "jixiao-xl"), "addin", "build-xlam", "-o", str(tmp_path / "jixiao_addin.xlam")]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jixiao_addin.xlam"]
    from jixiao_xl.excel.addin import interpreter_of

    own = subprocess.run([str(bindir / "python"), "-c", "import sys; print(sys.executable)"], capture_output=True,
                         text=True, check=True, env=env).stdout.strip()
    assert interpreter_of(tmp_path / "jixiao_addin.xlam") == own  # the settings sheet names the venv's Python
    assert zipfile.ZipFile(tmp_path / "jixiao_addin.xlam").testzip() is None
    probe = ("import jixiao_xl, jixiao_xl.excel.udf as u, jixiao_xl.excel.xl as x; "
             "print(jixiao_xl.__file__); print(sorted(u.FUNCTIONS)); print(callable(x.main) and callable(x.main_list))")
    where, names, handlers = subprocess.run([str(bindir / "python"), "-c", probe], capture_output=True, text=True,
                                            check=True, cwd=tmp_path, env=env).stdout.splitlines()
    assert str(ROOT) not in where and names.count("JIXIAO_") == 6 and handlers == "True"


def test_installed_wheel_builds_the_wps_addin(venv, tmp_path):
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    out = tmp_path / "wps"
    result = subprocess.run([str(bindir / "jixiao-xl"), "addin", "build-wps", "-o", str(out),
                             "--server", "http://10.1.2.3:8000"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (folder,) = out.glob("jixiao_wps_*")
    assert (folder / "ribbon.xml").read_bytes() == (ROOT / "addin" / "wps" / "ribbon.xml").read_bytes()
    assert "http://10.1.2.3:8000" in (folder / "js" / "config.js").read_text(encoding="utf-8")
    assert 'url="http://10.1.2.3:8000/wps/"' in (out / "publish.xml").read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_installed_wheel_serves_the_add_in(venv, tmp_path):
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    where = subprocess.run([str(bindir / "python"), "-c", "import jixiao_xl; print(jixiao_xl.__file__)"],
                           check=True, capture_output=True, text=True, cwd=tmp_path).stdout.strip()
    assert Path(where).resolve().is_relative_to(venv.resolve())  # the installed wheel, not the checkout

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_") and k != "PYTHONPATH"}
    server = subprocess.Popen([str(bindir / "jixiao-xl"), "addin", "serve", "--port", str(port)], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(base + "/manifest.xml")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.3)
        assert status == 200
        root = ElementTree.fromstring(body)
        strings = {e.get("id"): e.get("DefaultValue") for e in root.iter() if e.tag.endswith("}String")}
        assert strings["JixiaoTab.TabLabel"] == "绩效自评"
        assert strings["Functions.Namespace"] == "JIXIAO"
        urls = [e.get("DefaultValue") for e in root.iter() if e.get("DefaultValue", "").startswith("http")]
        assert urls and all(u.startswith(base) for u in urls)  # icons and links on our own server
        for url in urls:
            if url.endswith(".png") or url.endswith("/jixiao/help"):
                status, data = _get(url)
                assert status == 200 and (data.startswith(b"\x89PNG") or "使用说明" in data.decode("utf-8"))
        status, meta = _get(base + "/xlwings/custom-functions-meta.json")
        assert b"EXEC_RATE" in meta and b"GRADE" in meta
        status, ribbon = _get(base + "/static/js/ribbon.js")
        assert b"jixiao-validate" in ribbon and b"jixiaoMark" in ribbon
        status, wps_ribbon = _get(base + "/wps/ribbon.xml")  # the WPS add-in, served from the wheel
        assert status == 200 and "绩效自评" in wps_ribbon.decode("utf-8")
        status, publish = _get(base + "/wps/publish.xml")
        assert f'url="{base}/wps/"'.encode() in publish
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
