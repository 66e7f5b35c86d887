"""``jixiao-xl bundle``: a real offline bundle, built from PyPI once per session and installed without network.

The bundle for this machine (manylinux_x86_64, Python 3.11) is installed by its own install.sh into a fresh
venv inside a network namespace with no network at all, then checks the bundled example. For win_amd64 and
manylinux_aarch64, pip's resolver (a dry run against the wheelhouse only, for that platform and its markers)
shows that every requirement is satisfied from the bundle.
"""

from __future__ import annotations

import dataclasses
import json
import re
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jixiao_xl.excel import bundle as B
from jixiao_xl.rules.check import check_path
from jixiao_xl.cli import main

PLATFORMS = ["manylinux_x86_64", "win_amd64", "manylinux_aarch64"]
EXAMPLE = "examples/miluo_sifaju_2023.xlsx"
CLOSED = "http://127.0.0.1:9/simple"  # nothing listens on the discard port


def _no_network_available() -> bool:
    """Whether commands can be run in a network namespace without any network (root with unshare)."""
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def _isolated_env(**extra) -> dict:
    """This process's environment without pip configuration (files or PIP_* variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


@pytest.fixture(scope="session")
def made(tmp_path_factory):
    """One bundle for the three platforms and Python 3.11, downloaded once for all the tests here: by default
    a .zip only."""
    out = tmp_path_factory.mktemp("bundle") / "离线安装包"
    try:
        return B.build(out, PLATFORMS, ["3.11"], log=lambda line: None)
    except B.BundleError as exc:
        if "无法连接软件包索引" in str(exc):
            pytest.skip(f"PyPI 不可达，无法生成安装包：{exc}")
        raise


@pytest.fixture(scope="session")
def built(made, tmp_path_factory):
    """The bundle as the user has it on the target machine: the .zip unpacked."""
    where = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(made.zip_path) as archive:
        archive.extractall(where)
    return dataclasses.replace(made, path=where / "离线安装包")


def _requirements(bundle_dir: Path, key: str) -> dict[str, str]:
    lines = (bundle_dir / "wheelhouse" / f"requirements-{key}.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.lower().replace("_", "-").split("==") for line in lines if not line.startswith("#"))


def _install(bundle_dir: Path, target: Path) -> subprocess.CompletedProcess:
    """Run the bundle's install.sh with the system Python, without any network."""
    env = _isolated_env(PATH="/usr/local/bin:/usr/bin:/bin", HOME=str(target.parent), PIP_INDEX_URL=CLOSED)
    command = ["sh", str(bundle_dir / "install.sh"), str(target)]
    if _no_network_available():
        command = ["unshare", "-n", *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


def _dev_check_output(path: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", str(path)])
    return code, capsys.readouterr().out


# ---------------------------------------------------------------------------------------------- contents


def test_bundle_holds_wheels_addins_workbooks_scripts_and_a_zip(made, built):
    root = built.path
    assert made.path is None and made.zip_path.name == "离线安装包.zip"
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    for needed in ["install.sh", "安装.bat", "install.py", "说明.txt", "README.md", "templates/绩效自评模板.xlsx",
                   EXAMPLE,
                   "addin/server/templates/manifest.xml", "addin/server/custom_scripts/__init__.py",
                   "addin/classic/jixiao_addin.xlam",
                   "wheelhouse/jixiao_xl-0.1.0-py3-none-any.whl"]:
        assert needed in files
    assert not any("__pycache__" in f or "certs/" in f for f in files)
    with zipfile.ZipFile(built.zip_path) as archive:
        names = sorted(n.split("/", 1)[1] for n in archive.namelist())
        assert names == files
        assert all(n.startswith("离线安装包/") for n in archive.namelist())
        assert (archive.getinfo("离线安装包/install.sh").external_attr >> 16) & 0o777 == 0o755
        with archive.open("离线安装包/" + EXAMPLE) as member:
            assert member.read() == (root / EXAMPLE).read_bytes()
    # The zip alone (not the same folder beside it, twice the space), and no leftovers of the build.
    assert sorted(p.name for p in made.zip_path.parent.iterdir()) == ["离线安装包.zip"]


def test_requirements_follow_each_platform(built):
    root = built.path
    wheels = {p.name for p in (root / "wheelhouse").glob("*.whl")}
    for target in built.targets:
        assert target.missing == {}
        assert set(target.wheels) <= wheels
        reqs = _requirements(root, target.key)
        assert reqs["jixiao-xl"] == "0.1.0"
        for name in ["openpyxl", "pandas", "numpy", "python-calamine", "defusedxml", "xlsxwriter", "xlwings",
                     "xlwings-server"]:
            assert name in reqs, (target.key, name)
    windows, linux = _requirements(root, "win_amd64-py3.11"), _requirements(root, "manylinux_aarch64-py3.11")
    # Markers of the target machine, not of this one: xlwings needs pywin32 on Windows; uvloop and gunicorn
    # (xlwings-server, sys_platform != "win32") have no place there.
    assert "pywin32" in windows and "uvloop" not in windows and "gunicorn" not in windows
    assert "pywin32" not in linux and "uvloop" in linux
    assert any(w.startswith("numpy-") and w.endswith("win_amd64.whl") for w in wheels)
    assert any(w.startswith("numpy-") and "aarch64" in w for w in wheels)


def test_readme_and_windows_script(built):
    root = built.path
    raw = (root / "说明.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Notepad shows UTF-8 with a BOM correctly
    text = raw.decode("utf-8-sig")
    for platform in PLATFORMS:
        assert f"{B.PLATFORMS[platform].label}：Python 3.11" in text
    assert "addin/wps/           WPS 加载项" in text and "尚未提供" not in text  # the WPS 加载项 travels too
    assert (root / "addin" / "wps" / "ribbon.xml").is_file() and not (root / "addin" / "wps" / "test").exists()
    assert "明年更新" in text and "注意" not in text
    # what check shows on the bundled example, as it shows it (checked when the bundle was made)
    report = check_path(str(root / EXAMPLE))
    shows = f"有 {report.count('error')} 个错误、{report.count('warning')} 个警告"
    assert built.example == shows and f"校验（示例：examples 文件夹，{shows}）" in text
    assert f"试一试（自带示例{shows}）" in (root / "install.py").read_text(encoding="utf-8")
    bat = (root / "安装.bat").read_bytes()
    assert b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    script = bat.decode("gbk")  # cmd.exe on Chinese Windows reads batch files in code page 936
    assert 'py -3.11-64 -c "" >nul 2>&1 && set "PY=py -3.11-64"' in script
    assert '%PY% "%HERE%install.py" %*' in script
    assert "没有找到本安装包适用的 Python（需要 64 位 Python 3.11）" in script
    assert script.count("(") == script.count(")")  # every block of the script is closed


# ---------------------------------------------------------------------------------------------- resolution


@pytest.mark.parametrize("platform", PLATFORMS)
def test_pip_resolves_everything_from_the_wheelhouse_alone(built, platform, tmp_path):
    """pip's own resolver, for that platform and its markers, with no index: jixiao-xl[server] is satisfied."""
    target = next(t for t in built.targets if t.platform.name == platform)
    wheelhouse = built.path / "wheelhouse"
    report = tmp_path / "report.json"
    args = ["install", "--dry-run", "--ignore-installed", "--no-index", "--find-links", str(wheelhouse),
            "--only-binary=:all:", "--implementation", "cp", "--python-version", "3.11",
            *[a for tag in target.platform.tags for a in ("--platform", tag)],
            "--target", str(tmp_path / "target"), "--report", str(report), "jixiao-xl[server]"]
    result = B.run_pip(args, target, env=_isolated_env(PIP_INDEX_URL=CLOSED))
    assert result.returncode == 0, result.stderr[-2000:]
    installed = {item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
                 for item in json.loads(report.read_text())["install"]}
    assert installed == _requirements(built.path, target.key)
    assert not (tmp_path / "target").exists()
    # The bundle's own check of every wheel's requirements, evaluated for that machine, agrees.
    top = B.requirements_for(B.wheel_metadata(wheelhouse / "jixiao_xl-0.1.0-py3-none-any.whl")[2],
                             target.markers(), B.EXTRAS)
    assert B.unsatisfied(wheelhouse, target.wheels, target, top) == []
    without_pywin32 = [w for w in target.wheels if not w.startswith("pywin32")]
    problems = B.unsatisfied(wheelhouse, without_pywin32, target, top)
    assert problems == (["pywin32>=224; platform_system == \"Windows\"（xlwings 需要）"]
                        if platform == "win_amd64" else [])


# ---------------------------------------------------------------------------------------------- install


@pytest.fixture(scope="session")
def local_index(built, tmp_path_factory):
    """A folder of wheels standing for an intranet mirror: the bundle's, without python-calamine, plus setuptools."""
    folder = tmp_path_factory.mktemp("mirror")
    for wheel in (built.path / "wheelhouse").glob("*.whl"):
        if not wheel.name.startswith(("python_calamine", "jixiao_xl")):
            shutil.copy2(wheel, folder / wheel.name)
    result = B.run_pip(["download", "--no-deps", "--only-binary=:all:", "--dest", str(folder), "setuptools>=68"])
    assert result.returncode == 0, result.stderr[-2000:]
    return folder


def _check(target: Path, example: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(target / "bin" / "jixiao-xl"), "check", str(example)], capture_output=True,
                          text=True, env=_isolated_env(), cwd=cwd)


def test_install_offline_check_then_update_to_a_bundle_without_calamine(built, local_index, tmp_path, capsys):
    target = tmp_path / "jixiao-xl"
    result = _install(built.path, target)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    assert f"用 Python 3.11 建立虚拟环境：{target}" in result.stdout
    assert f"jixiao-xl 已安装到 {target}。下一步：" in result.stdout
    assert "Downloading" not in result.stdout + result.stderr
    python = target / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import jixiao_xl, python_calamine; print(jixiao_xl.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.strip().startswith(str(target)), where.stderr  # the installed copy, not this checkout
    example = built.path / EXAMPLE
    check = _check(target, example, tmp_path)
    assert check.returncode == 1  # the example keeps the submission's two mistakes
    assert "共 1 个文件：1 个错误，2 个警告" in check.stdout
    errors, warnings = re.search(r"共 1 个文件：(\d+) 个错误，(\d+) 个警告", check.stdout).groups()
    assert f"试一试（自带示例有 {errors} 个错误、{warnings} 个警告）" in result.stdout  # what the check then shows
    assert "年中追加 (全年 1762.55 − 年初 1238.36) ÷ 年初 = 42.33%，超过 30.00%" in check.stdout
    assert (1, check.stdout) == _dev_check_output(example, capsys)

    # A dependency without a wheel for the platform (as python-calamine on a CPU it does not support):
    # the bundle, built from a local mirror that lacks it, says so and leaves it out ...
    env = _isolated_env(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(local_index))
    made = B.build(tmp_path / "包", ["manylinux_x86_64"], ["3.11"], log=lambda line: None, env=env, folder=True)
    assert made.zip_path is None and not (tmp_path / "包.zip").exists()  # --folder: the folder, not both
    (info,) = made.targets
    assert info.missing == {"python-calamine": B.OPTIONAL["python-calamine"]}
    assert "python-calamine" not in _requirements(made.path, "manylinux_x86_64-py3.11")
    readme = (made.path / "说明.txt").read_text(encoding="utf-8-sig")
    assert "注意：Python 3.11 上 python-calamine 没有可用的安装文件（wheel），已略过：读取工作簿改用 openpyxl" in readme
    # ... and installed over the first one (next year's update), the check still works, reading with openpyxl.
    again = _install(made.path, target)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"更新已有的安装：{target}" in again.stdout
    probe = subprocess.run([str(python), "-c", "import python_calamine"], capture_output=True, cwd=tmp_path)
    assert probe.returncode != 0  # removed: no longer part of what the bundle installs
    check = _check(target, made.path / EXAMPLE, tmp_path)
    assert (check.returncode, check.stdout) == _dev_check_output(made.path / EXAMPLE, capsys)
    assert "1 个错误" in check.stdout


def test_python_the_bundle_does_not_serve(built, tmp_path):
    """A machine whose Python has no wheels in the bundle: a Chinese explanation, nothing installed."""
    copy = tmp_path / "bundle"
    (copy / "wheelhouse").mkdir(parents=True)
    for name in ("install.py", "install.sh"):
        shutil.copy2(built.path / name, copy / name)
    (copy / "wheelhouse" / "requirements-manylinux_x86_64-py3.12.txt").write_text("# 3.12 only\n")
    env = _isolated_env(PATH="/usr/bin:/bin", HOME=str(tmp_path))
    direct = subprocess.run([sys.executable, str(copy / "install.py"), str(tmp_path / "venv")], capture_output=True,
                            text=True, env=env)
    assert direct.returncode == 3
    assert direct.stdout.splitlines()[0] == ("本安装包不适用于这台电脑的 Python（manylinux_x86_64，Python 3.11）。"
                                             "适用于：manylinux_x86_64 / Python 3.12。")
    script = subprocess.run(["sh", str(copy / "install.sh")], capture_output=True, text=True, env=env)
    assert script.returncode == 1
    assert script.stderr.splitlines()[0] == ("没有找到本安装包适用的 Python。本安装包适用于：aarch64 / Python 3.11、"
                                             "x86_64 / Python 3.11；本机 CPU 为 x86_64。")
    assert not (tmp_path / "venv").exists() and not (tmp_path / "jixiao-xl").exists()


# ---------------------------------------------------------------------------------------------- bad input


def _bundle_cli(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jixiao_xl", "bundle", *args], capture_output=True, text=True,
                          cwd=cwd, env=env or _isolated_env(PIP_INDEX_URL=CLOSED), timeout=300)


@pytest.mark.parametrize("args, message", [
    (["--platform", "manylinux_loongarch64"],
     "jixiao-xl：不支持的平台：manylinux_loongarch64（可选：win_amd64、manylinux_x86_64、manylinux_aarch64）"),
    (["--python", "3.9"], "jixiao-xl：不支持的 Python 版本：3.9（可选：3.10、3.11、3.12）"),
    (["--platform", "win_amd64", "--python", "3.11", "3.13"],
     "jixiao-xl：不支持的 Python 版本：3.13（可选：3.10、3.11、3.12）"),
])
def test_unknown_platform_or_python(tmp_path, args, message):
    result = _bundle_cli(["-o", "包", *args], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("existing", ["包", "包.zip"])
def test_existing_output_is_refused_and_left_alone(tmp_path, existing):
    (tmp_path / existing).mkdir() if existing == "包" else (tmp_path / existing).write_bytes(b"old")
    folder = ["--folder"] if existing == "包" else []  # what would be written: the zip, or with --folder the folder
    result = _bundle_cli(["-o", "包", "--platform", "win_amd64", "--python", "3.11", *folder], tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"jixiao-xl：{'输出文件夹' if existing == '包' else '压缩包'}已存在："
                                          f"{tmp_path / existing}（请换一个名字，或先删除它）"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]


def test_no_network_while_building(tmp_path):
    result = _bundle_cli(["-o", "包", "--platform", "manylinux_x86_64", "--python", "3.11"], tmp_path,
                         _isolated_env(PIP_INDEX_URL=CLOSED, PIP_RETRIES="0", PIP_TIMEOUT="5"))
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("jixiao-xl：无法连接软件包索引（PyPI 或本机 pip 配置的镜像），生成安装包需要联网")
    assert "Traceback" not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_failure_after_files_were_written_leaves_nothing(local_index, tmp_path):
    """The project wheel is built, then a required dependency has no wheel: the half-made bundle goes."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for wheel in local_index.glob("*.whl"):
        if not wheel.name.startswith("openpyxl"):
            shutil.copy2(wheel, mirror / wheel.name)
    out = tmp_path / "out"
    out.mkdir()
    result = _bundle_cli(["-o", "包", "--platform", "manylinux_x86_64", "--python", "3.11"], out,
                         _isolated_env(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(mirror)))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == ["jixiao-xl：manylinux_x86_64 / Python 3.11：必需的依赖 openpyxl "
                                          "没有可用的二进制 wheel，无法为这个平台生成安装包"]
    assert "构建 jixiao-xl 的 wheel" in result.stdout
    assert list(out.iterdir()) == []


def test_wps_addin_is_picked_up_when_the_source_has_one(tmp_path, monkeypatch):
    source = tmp_path / "source"
    shutil.copytree(B.server_project(), source / "addin" / "server")
    (source / "addin" / "wps").mkdir(parents=True)
    (source / "addin" / "wps" / "main.js").write_text("// WPS 加载项\n", encoding="utf-8")
    (source / "addin" / "server" / "certs").mkdir(exist_ok=True)
    (source / "addin" / "server" / "certs" / "localhost+2-key.pem").write_text("secret")
    monkeypatch.setattr(B, "REPO", source)
    out, notes = tmp_path / "out", []
    B.copy_addins(out, notes)
    assert (out / "addin" / "wps" / "main.js").read_text(encoding="utf-8") == "// WPS 加载项\n"
    assert (out / "addin" / "server" / "templates" / "manifest.xml").is_file()
    assert not (out / "addin" / "server" / "certs").exists()  # private keys never travel in a bundle
    text = B.readme([B.Target(B.PLATFORMS["win_amd64"], "3.11")], "jixiao-xl 0.1.0", notes, True, True)
    assert "addin/wps/           WPS 加载项" in text and "尚未提供" not in text
