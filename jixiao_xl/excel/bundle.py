"""``jixiao-xl bundle``: an offline install bundle for machines without access to a package index.

The bundle is a .zip of a folder (or, with ``folder=True``, the folder itself: not both, which would take
twice the space of a bundle of several hundred MB) holding

- ``wheelhouse/``: the project's own wheel (built here from the source) and a binary wheel of every
  dependency for each chosen platform and Python version, downloaded by pip, plus one
  ``requirements-<platform>-py<version>.txt`` per target naming the exact wheels to install there;
- ``addin/``: the Office.js add-in server project, the classic .xlam (built here) and the WPS add-in
  when the source has one;
- ``templates/`` and ``examples/``: the template workbook and the example submission;
- ``安装.bat`` (Windows) and/or ``install.sh`` (Linux), which make a venv from the machine's Python and
  install from the wheelhouse only (``--no-index``), and ``说明.txt``.

pip evaluates environment markers (``sys_platform == "win32"``) against the machine it runs on, not
the ``--platform`` it downloads for: a Windows download made on Linux would miss pywin32 (needed by
xlwings on Windows) and ask for uvloop (which has no Windows wheel). So pip runs here with the markers
of the target machine, and every downloaded wheel's requirements are checked against the wheelhouse
before the bundle is kept.

Everything is built in a hidden folder beside the output and renamed into place at the end, so a
failure leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import os_cause

REPO = Path(__file__).resolve().parents[2]


def _manylinux(arch: str) -> list[str]:
    """Platform tags a glibc 2.28 machine accepts (统信 UOS 20, 银河麒麟 V10 and newer), newest first."""
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(28, 16, -1)] + [f"manylinux2014_{arch}"]
    if arch == "x86_64":
        tags += [f"manylinux2010_{arch}", f"manylinux1_{arch}"]
    return tags


@dataclass(frozen=True)
class Platform:
    name: str
    label: str
    tags: list[str]
    markers: dict[str, str]  # environment markers of a machine of this kind
    machine: str  # platform.machine() there


_LINUX = {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux"}
PLATFORMS = {
    "win_amd64": Platform("win_amd64", "Windows 64 位（x86_64）", ["win_amd64"],
                          {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
                           "platform_machine": "AMD64"}, "AMD64"),
    "manylinux_x86_64": Platform("manylinux_x86_64", "Linux x86_64（glibc 2.28 及以上，如统信 UOS、银河麒麟）",
                                 _manylinux("x86_64"), {**_LINUX, "platform_machine": "x86_64"}, "x86_64"),
    "manylinux_aarch64": Platform("manylinux_aarch64", "Linux aarch64（鲲鹏、飞腾等；glibc 2.28 及以上）",
                                  _manylinux("aarch64"), {**_LINUX, "platform_machine": "aarch64"}, "aarch64"),
}
PYTHONS = ("3.10", "3.11", "3.12")
EXTRAS = ("server",)  # the Office.js add-in server is part of what IT staff install

# Dependencies the product works without, and what is lost where they have no wheel.
OPTIONAL = {
    "python-calamine": "读取工作簿改用 openpyxl（结果相同，速度较慢）",
    "xlwings": "Excel 加载项（经典 .xlam 和 Office.js 服务）不能在这台电脑上运行；命令行的校验、填写、批量汇总不受影响",
    "xlwings-server": "Office.js 加载项服务不能在这台电脑上运行（可以装在局里的 Windows 或 x86_64 服务器上）；"
                      "命令行的校验、填写、批量汇总不受影响",
}

# Run pip with the environment markers of the target machine (see the module docstring).
_PIP = r"""
import json, sys
target = json.loads(sys.argv[1])
try:
    from pip._vendor.packaging import markers
    _host = markers.default_environment
    markers.default_environment = lambda: {**_host(), **target}
except Exception:
    pass
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""

_NETWORK = re.compile(r"NewConnectionError|Failed to establish a new connection|Name or service not known|"
                      r"Temporary failure in name resolution|Network is unreachable|Connection refused|"
                      r"ConnectTimeout|ReadTimeout|ProxyError|SSLError|Max retries exceeded|Could not fetch URL|"
                      r"connection broken", re.I)


class BundleError(Exception):
    """Why no bundle was made; the message is for people (one Chinese line)."""


@dataclass
class Target:
    platform: Platform
    python: str
    wheels: list[str] = field(default_factory=list)  # file names in wheelhouse/
    missing: dict[str, str] = field(default_factory=dict)  # optional dependency -> what is lost

    @property
    def key(self) -> str:
        return f"{self.platform.name}-py{self.python}"

    @property
    def requirements_name(self) -> str:
        return f"requirements-{self.key}.txt"

    def markers(self) -> dict[str, str]:
        return {**self.platform.markers, "python_version": self.python, "python_full_version": f"{self.python}.0",
                "implementation_name": "cpython", "platform_python_implementation": "CPython",
                "implementation_version": f"{self.python}.0"}


@dataclass
class Bundle:
    path: Path | None  # the folder, when it was asked for
    zip_path: Path | None  # the .zip of it, by default
    targets: list[Target]
    notes: list[str]
    example: str = ""  # what check shows on the bundled example ("有 1 个错误、2 个警告")


# ---------------------------------------------------------------------------------------------- checks


def check_args(output: str | os.PathLike, platforms: list[str] | None, pythons: list[str] | None,
               folder: bool = False) -> tuple[Path, list[Platform], list[str]]:
    """The output folder, platforms and Python versions asked for; BundleError if any is wrong."""
    names = list(dict.fromkeys(platforms or PLATFORMS))
    unknown = [n for n in names if n not in PLATFORMS]
    if unknown:
        raise BundleError(f"不支持的平台：{'、'.join(unknown)}（可选：{'、'.join(PLATFORMS)}）")
    versions = list(dict.fromkeys(pythons or PYTHONS))
    bad = [v for v in versions if v not in PYTHONS]
    if bad:
        raise BundleError(f"不支持的 Python 版本：{'、'.join(bad)}（可选：{'、'.join(PYTHONS)}）")
    out = Path(output).absolute()
    if folder and (out.exists() or out.is_symlink()):
        raise BundleError(f"输出文件夹已存在：{out}（请换一个名字，或先删除它）")
    if not folder and (_zip_path(out).exists() or _zip_path(out).is_symlink()):
        raise BundleError(f"压缩包已存在：{_zip_path(out)}（请换一个名字，或先删除它）")
    if not out.parent.is_dir():
        raise BundleError(f"输出位置不存在：{out.parent}")
    if not (REPO / "pyproject.toml").is_file() or not server_project().is_dir():
        raise BundleError("只能在 jixiao-xl 的源代码目录中生成安装包（找不到 pyproject.toml 和 addin/server）")
    return out, [PLATFORMS[n] for n in names], versions


def _zip_path(out: Path) -> Path:
    return out.with_name(out.name + ".zip")


# ---------------------------------------------------------------------------------------------- pip


def _requirement_tools():
    """packaging's Requirement and Version: the installed one, else the copy inside pip."""
    try:
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name
        from packaging.version import Version
    except ImportError:  # pragma: no cover - packaging comes with pip
        from pip._vendor.packaging.requirements import Requirement
        from pip._vendor.packaging.utils import canonicalize_name
        from pip._vendor.packaging.version import Version
    return Requirement, Version, canonicalize_name


def run_pip(args: list[str], target: Target | None = None, env: dict | None = None
            ) -> subprocess.CompletedProcess:
    """pip of this Python, with the markers of ``target``'s machine when given."""
    command = [sys.executable, "-c", _PIP, json.dumps(target.markers() if target else {}), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)


def _pip_failed(result: subprocess.CompletedProcess, what: str, offline: bool = False) -> BundleError:
    """The reason pip failed, for people; ``offline`` when the failure can only mean the index is unreachable."""
    text = result.stderr + result.stdout
    if offline or _NETWORK.search(text):
        return BundleError(f"无法连接软件包索引（PyPI 或本机 pip 配置的镜像），生成安装包需要联网（{what}）")
    last = [line.strip() for line in text.splitlines() if line.strip().startswith("ERROR")]
    detail = last[-1][:160] if last else f"pip 退出码 {result.returncode}"
    return BundleError(f"{what}失败：{detail}")


def wheel_metadata(path: Path) -> tuple[str, str, list[str]]:
    """(name, version, Requires-Dist lines) of a wheel."""
    with zipfile.ZipFile(path) as archive:
        member = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        text = archive.read(member).decode("utf-8")
    head = text.split("\n\n", 1)[0]
    fields = [line.split(":", 1) for line in head.splitlines() if ":" in line and not line.startswith(" ")]
    name = next(v.strip() for k, v in fields if k == "Name")
    version = next(v.strip() for k, v in fields if k == "Version")
    return name, version, [v.strip() for k, v in fields if k == "Requires-Dist"]


def requirements_for(requires: list[str], markers: dict[str, str], extras: tuple[str, ...] = ()) -> list:
    """The requirements (packaging Requirement) that apply on a machine with ``markers``."""
    Requirement, _, _ = _requirement_tools()
    out = []
    for line in requires:
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({**markers, "extra": extra}) for extra in ("", *extras)):
            out.append(req)
    return out


def unsatisfied(wheelhouse: Path, names: list[str], target: Target, top: list) -> list[str]:
    """Requirements of ``top`` and of every wheel in ``names`` that no wheel in ``names`` satisfies, on target."""
    _, Version, canonical = _requirement_tools()
    have = {}
    for name in names:
        dist, version, requires = wheel_metadata(wheelhouse / name)
        have[canonical(dist)] = (Version(version), requires)
    problems, queue, seen = [], [(req, "") for req in top], set()
    markers = target.markers()
    while queue:
        req, by = queue.pop()
        key = canonical(req.name)
        found = have.get(key)
        if found is None or not req.specifier.contains(found[0], prereleases=True):
            problems.append(f"{req}{f'（{by} 需要）' if by else ''}")
            continue
        extras = tuple(sorted(req.extras))
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        for sub in requirements_for(found[1], markers, extras):
            queue.append((sub, req.name))
    return problems


def _bare(req) -> str:
    """A requirement without its marker (already evaluated for the target), for pip's command line."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras}{req.specifier}"


def _download(reqs: list[str], target: Target, dest: Path, env: dict | None) -> subprocess.CompletedProcess:
    platform_args = [arg for tag in target.platform.tags for arg in ("--platform", tag)]
    return run_pip(["download", "--dest", str(dest), "--only-binary=:all:", "--implementation", "cp",
                    "--python-version", target.python, *platform_args, "--progress-bar", "off",
                    "--disable-pip-version-check", *reqs], target, env)


def fetch(target: Target, top: list, wheelhouse: Path, scratch: Path, env: dict | None = None) -> None:
    """Download the wheels of ``top`` for ``target`` into ``wheelhouse``; note optional ones without a wheel."""
    dest = scratch / target.key
    dest.mkdir(parents=True)
    wanted = [_bare(req) for req in top]
    result = _download(wanted, target, dest, env)
    if result.returncode != 0:
        if _NETWORK.search(result.stderr + result.stdout):
            raise _pip_failed(result, f"下载 {target.platform.name} / Python {target.python} 的依赖")
        # Find which requirements have no wheel there, one at a time.
        failed = []
        for req in top:
            probe = scratch / f"{target.key}-probe"
            alone = _download([_bare(req)], target, probe, env)
            shutil.rmtree(probe, ignore_errors=True)
            if alone.returncode != 0:
                failed.append(req)
        if len(failed) == len(top):  # not even pure-Python openpyxl: the index cannot be reached
            raise _pip_failed(result, f"下载 {target.platform.name} / Python {target.python} 的依赖", offline=True)
        for req in failed:
            name = req.name.lower()
            if name not in OPTIONAL:
                raise BundleError(f"{target.platform.name} / Python {target.python}：必需的依赖 {req.name} "
                                  f"没有可用的二进制 wheel，无法为这个平台生成安装包")
            target.missing[name] = OPTIONAL[name]
        # Whatever needs a missing requirement cannot be installed there either (xlwings-server needs xlwings).
        for name in list(OPTIONAL):
            if name == "xlwings-server" and "xlwings" in target.missing:
                target.missing.setdefault(name, OPTIONAL[name])
        wanted = [_bare(req) for req in top if req.name.lower() not in target.missing]
        shutil.rmtree(dest)
        dest.mkdir()
        result = _download(wanted, target, dest, env)
        if result.returncode != 0:
            raise _pip_failed(result, f"下载 {target.platform.name} / Python {target.python} 的依赖")
    names = sorted(p.name for p in dest.iterdir() if p.suffix == ".whl")
    for name in names:
        if not (wheelhouse / name).exists():
            shutil.move(str(dest / name), wheelhouse / name)
    target.wheels += names
    problems = unsatisfied(wheelhouse, target.wheels, target,
                           [req for req in top if req.name.lower() not in target.missing])
    if problems:
        raise BundleError(f"{target.platform.name} / Python {target.python} 的依赖不完整：{'；'.join(problems[:3])}")


def build_wheel(build: Path, wheelhouse: Path, env: dict | None) -> Path:
    """The project's own wheel, built from a clean copy of the source."""
    source = build / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "jixiao_xl", source / "jixiao_xl", ignore=ignore)
    # the add-ins ship in the wheel from addin/server and addin/wps (pyproject's package-dir), without tests
    shutil.copytree(REPO / "addin" / "server", source / "addin" / "server",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "certs"))
    shutil.copytree(REPO / "addin" / "wps", source / "addin" / "wps",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "test", "node_modules"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    result = run_pip(["wheel", "--no-deps", "--wheel-dir", str(wheelhouse), "--progress-bar", "off",
                      "--disable-pip-version-check", str(source)], env=env)
    if result.returncode != 0:  # setuptools, which every index has, not found: the index cannot be reached
        raise _pip_failed(result, "构建 jixiao-xl 的 wheel", offline="from versions: none" in result.stderr)
    return next(wheelhouse.glob("jixiao_xl-*.whl"))


# ---------------------------------------------------------------------------------------------- files


def server_project() -> Path:
    """The xlwings Server project (package data since the add-in installs from the wheel)."""
    return REPO / "addin" / "server"


def wps_addin() -> Path | None:
    return next((p for p in (REPO / "jixiao_xl" / "addin_wps", REPO / "addin" / "wps") if p.is_dir()), None)


def copy_addins(out: Path, notes: list[str]) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "certs", ".env")
    # the server project also ships inside the wheel; this copy is for the administrator (manifest.xml)
    shutil.copytree(server_project(), out / "addin" / "server", ignore=ignore)
    wps = wps_addin()
    if wps is not None:
        shutil.copytree(wps, out / "addin" / "wps",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "test", "node_modules"))
    try:
        from .addin import build_xlam

        build_xlam(out / "addin" / "classic" / "jixiao_addin.xlam")
    except (RuntimeError, ValueError, OSError):
        notes.append("本机没有安装 xlwings，安装包中没有经典加载项（.xlam）；"
                     "安装后可用 jixiao-xl addin build-xlam 生成")


def copy_workbooks(out: Path) -> None:
    shutil.copy2(REPO / "README.md", out / "README.md")  # the full manual, for the add-in set-up
    (out / "templates").mkdir()
    for path in sorted((REPO / "workbook_templates").glob("*.xlsx")):
        shutil.copy2(path, out / "templates" / path.name)
    (out / "examples").mkdir()
    for path in sorted((REPO / "workbook_templates" / "examples").glob("*.xlsx")):
        shutil.copy2(path, out / "examples" / path.name)


EXAMPLE = "examples/miluo_sifaju_2023.xlsx"


def write_requirements(wheelhouse: Path, target: Target) -> None:
    lines = [f"# {target.platform.label}，Python {target.python}：安装这些 wheel（已按该平台解析好依赖）"]
    for name in target.wheels:
        dist, version, _ = wheel_metadata(wheelhouse / name)
        lines.append(f"{dist}=={version}")
    (wheelhouse / target.requirements_name).write_text("\n".join(lines) + "\n", encoding="utf-8")


# The installer proper, run by the machine's own Python (3.10+, but it must also run on an older one to say
# so). install.sh and 安装.bat only find a Python the bundle serves and hand over to it.
INSTALL_PY = r"""# -*- coding: utf-8 -*-
# jixiao-xl 离线安装：在虚拟环境中只从 wheelhouse 安装（--no-index，不联网）。再次运行即更新。
# 用法：python install.py [安装位置]
import glob
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WHEELHOUSE = os.path.join(HERE, "wheelhouse")
EXAMPLE = os.path.join(HERE, *"__EXAMPLE__".split("/"))
KEEP = {"pip", "setuptools", "wheel"}


def canonical(name):
    return name.lower().replace("_", "-").replace(".", "-")


def this_machine():
    machine = platform.machine().lower()
    if sys.platform == "win32":
        return "win_amd64" if machine in ("amd64", "x86_64") and sys.maxsize > 2 ** 32 else "win_" + machine
    return "manylinux_" + {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def served():
    names = sorted(os.path.basename(p)[len("requirements-"):-len(".txt")]
                   for p in glob.glob(os.path.join(WHEELHOUSE, "requirements-*.txt")))
    return "、".join(n.replace("-py", " / Python ") for n in names)


def run(command, quiet=False):
    result = subprocess.call(command, stdout=subprocess.DEVNULL if quiet else None)
    if result != 0:
        print("安装失败（{}），请把上面的信息发给维护人员。".format(" ".join(command[:4])))
        sys.exit(1)


def main():
    version = "%d.%d" % sys.version_info[:2]
    key = "{}-py{}".format(this_machine(), version)
    requirements = os.path.join(WHEELHOUSE, "requirements-{}.txt".format(key))
    if not os.path.isfile(requirements):
        print("本安装包不适用于这台电脑的 Python（{}，{}）。适用于：{}。".format(
            this_machine(), "Python " + version, served()))
        print("请安装其中一个 Python 版本，或在联网电脑上为这台电脑的平台重新生成安装包。")
        return 3
    if len(sys.argv) > 1:
        target = os.path.abspath(sys.argv[1])
    elif sys.platform == "win32":
        target = os.path.join(os.environ.get("LOCALAPPDATA") or os.path.expanduser("~"), "jixiao-xl")
    else:
        target = os.path.join(os.path.expanduser("~"), "jixiao-xl")
    bin_dir = os.path.join(target, "Scripts" if sys.platform == "win32" else "bin")
    python = os.path.join(bin_dir, "python.exe" if sys.platform == "win32" else "python")
    tool = os.path.join(bin_dir, "jixiao-xl.exe" if sys.platform == "win32" else "jixiao-xl")
    if os.path.exists(target) and not os.path.isfile(python):
        print("安装位置 {} 已存在但不是 jixiao-xl 的安装，请换一个位置。".format(target))
        return 1
    updating = os.path.isfile(python)
    if updating:
        print("更新已有的安装：{}".format(target))
    else:
        print("用 Python {} 建立虚拟环境：{}".format(version, target))
        if subprocess.call([sys.executable, "-m", "venv", target]) != 0 or not os.path.isfile(python):
            print("无法建立虚拟环境。Linux 上请先安装 python3-venv（如 sudo apt install python3-venv）。")
            return 1
    pip = [python, "-m", "pip", "--isolated", "--disable-pip-version-check"]
    offline = ["--no-index", "--find-links", WHEELHOUSE, "--no-deps", "--quiet"]
    run(pip + ["install"] + offline + ["-r", requirements])
    wanted = set()
    with open(requirements, encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                wanted.add(canonical(line.split("==")[0].strip()))
    own = sorted(glob.glob(os.path.join(WHEELHOUSE, "jixiao_xl-*.whl")))
    if updating and own:  # the same version number may have been rebuilt with changes
        run(pip + ["install"] + offline + ["--force-reinstall", own[-1]])
    listing = subprocess.check_output([python, "-c", "import importlib.metadata as m; "
                                       "print('\\n'.join(d.metadata['Name'] for d in m.distributions()))"])
    stale = sorted({canonical(n) for n in listing.decode("utf-8").split() if n} - wanted - KEEP)
    if stale:  # no longer part of the product (or no wheel for this machine any more)
        run(pip + ["uninstall", "--yes", "--quiet"] + stale)
    run([tool, "explain", "B110"], quiet=True)  # the installed command starts
    print("")
    print("jixiao-xl 已安装到 {}。下一步：".format(target))
    print("  1. 试一试（自带示例__EXAMPLE_SHOWS__）：\"{}\" check \"{}\"".format(tool, EXAMPLE))
    print("  2. 校验别的文件：\"{}\" check 文件.xlsx；批量：\"{}\" batch 文件夹 -o 结果".format(tool, tool))
    print("  3. 想直接输入 jixiao-xl：把 {} 加入 PATH 环境变量".format(bin_dir))
    print("  4. 填报模板在 {}；Excel 加载项见 说明.txt".format(os.path.join(HERE, "templates")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""


def install_py(shows: str) -> str:
    return INSTALL_PY.replace("__EXAMPLE__", EXAMPLE).replace("__EXAMPLE_SHOWS__", shows)


def example_shows(path: Path) -> str:
    """What ``check`` shows on the bundled example, as the texts say it: "有 1 个错误、2 个警告" (checked when the
    bundle is made, so the texts never promise what the check does not show)."""
    from ..rules.check import check_path

    report = check_path(str(path))
    counts = [(report.count("error"), "个错误"), (report.count("warning"), "个警告")]
    found = "、".join(f"{n} {label}" for n, label in counts if n)
    return f"有 {found}" if found else "没有错误或警告"


def install_sh(targets: list[Target]) -> str:
    served = sorted({(t.platform.machine, t.python) for t in targets if t.platform.name != "win_amd64"})
    versions = sorted({v for _, v in served}, reverse=True)
    listed = "、".join(f"{m} / Python {v}" for m, v in served)
    return f"""#!/bin/sh
# jixiao-xl 离线安装（Linux）：找到本安装包适用的 Python，由 install.py 建立虚拟环境并只从 wheelhouse 安装。
# 用法：sh install.sh [安装位置]      默认安装到 $HOME/jixiao-xl；再次运行（或运行新一年的安装包）即更新。
# 指定 Python：PYTHON=/usr/local/bin/python3.11 sh install.sh
HERE=$(cd "$(dirname "$0")" && pwd)
MACHINE=$(uname -m)
for cand in ${{PYTHON:-}} {" ".join(f"python{v}" for v in versions)} python3; do
    command -v "$cand" >/dev/null 2>&1 || continue
    ver=$("$cand" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
    if [ -f "$HERE/wheelhouse/requirements-manylinux_$MACHINE-py$ver.txt" ]; then
        exec "$cand" "$HERE/install.py" "$@"
    fi
done
echo "没有找到本安装包适用的 Python。本安装包适用于：{listed}；本机 CPU 为 $MACHINE。" >&2
echo "请安装其中一个 Python 版本（或用 PYTHON=python3.x 指定），或在联网电脑上为本机平台重新生成安装包。" >&2
exit 1
"""


def install_bat(targets: list[Target]) -> str:
    versions = sorted({t.python for t in targets if t.platform.name == "win_amd64"}, reverse=True)
    wanted = ", ".join(f"({v.replace('.', ', ')})" for v in versions)
    lines = [
        "@echo off",
        "rem jixiao-xl 离线安装（Windows）：找到本安装包适用的 Python，由 install.py 建立虚拟环境并只从本安装包安装。",
        "rem 用法：双击运行，或 安装.bat [安装位置]；默认安装到 %LOCALAPPDATA%\\jixiao-xl；再次运行即更新。",
        "setlocal",
        'set "HERE=%~dp0"',
        'set "PY="',
    ]
    for version in versions:  # the py launcher first, newest version first
        lines.append(f'if not defined PY ( py -{version}-64 -c "" >nul 2>&1 && set "PY=py -{version}-64" )')
    check = f"import sys; sys.exit(tuple(sys.version_info[:2]) not in [{wanted}] or sys.maxsize < 2 ** 32)"
    lines += [
        f'if not defined PY ( python -c "{check}" >nul 2>&1 && set "PY=python" )',
        "if not defined PY (",
        f"  echo 没有找到本安装包适用的 Python（需要 64 位 Python {'、'.join(versions)}）。",
        "  echo 请先安装其中一个版本（安装时勾选 Add python.exe to PATH），再运行本脚本。",
        "  pause",
        "  exit /b 1",
        ")",
        '%PY% "%HERE%install.py" %*',
        'set "CODE=%ERRORLEVEL%"',
        "pause",
        "exit /b %CODE%",
    ]
    return "\r\n".join(lines) + "\r\n"


def readme(targets: list[Target], project: str, notes: list[str], has_wps: bool, has_xlam: bool,
           example: str = "") -> str:
    by_platform: dict[str, list[Target]] = {}
    for target in targets:
        by_platform.setdefault(target.platform.name, []).append(target)
    lines = [
        f"jixiao-xl 绩效自评表校验工具 离线安装包（{project}）",
        "",
        "本安装包不需要联网：安装脚本用本机的 Python 建立虚拟环境，只从 wheelhouse 文件夹安装。",
        "",
        "适用的电脑和 Python 版本：",
    ]
    for group in by_platform.values():
        lines.append(f"  - {group[0].platform.label}：Python {'、'.join(t.python for t in group)}")
        for target in group:
            for dep, lost in target.missing.items():
                lines.append(f"      注意：Python {target.python} 上 {dep} 没有可用的安装文件（wheel），已略过：{lost}")
    lines += [
        "  （其他 CPU，如龙芯 loongarch64，PyPI 上缺少 pandas 等依赖的安装文件，本安装包不适用。）",
        "",
        "安装：",
    ]
    if "win_amd64" in by_platform:
        lines.append("  Windows：双击 安装.bat（默认装到 %LOCALAPPDATA%\\jixiao-xl；也可 安装.bat D:\\jixiao-xl）。")
    if any(n != "win_amd64" for n in by_platform):
        lines.append("  Linux：sh install.sh（默认装到 ~/jixiao-xl；也可 sh install.sh /opt/jixiao-xl）。")
    lines += [
        "  需要先装好上面列出的一个 Python 版本（Windows 上为 64 位）。",
        "  明年更新：在同一台电脑上运行新安装包的安装脚本，安装位置相同即可（已有的安装会被更新）。",
        "",
        "安装后：",
        f"  jixiao-xl check 文件.xlsx        校验（示例：examples 文件夹{'，' + example if example else ''}）",
        "  jixiao-xl fill 文件.xlsx -o 新文件.xlsx --mark   自动填写计算项并标出问题",
        "  jixiao-xl batch 文件夹 -o 结果    批量校验并汇总",
        "  jixiao-xl template -o 模板.xlsx --year 2024 --unit 单位名称   生成填报模板",
        "",
        "内容：",
        f"  wheelhouse/          {project} 和全部依赖的安装文件；requirements-平台-py版本.txt 是各平台要装的清单",
        "  templates/           填报模板（Excel、WPS、LibreOffice 中边填边算）",
        "  examples/            示例（汨罗市司法局 2023 年度绩效自评材料）",
        "  addin/server/        Office.js 加载项服务（Excel 2021/365）：服务文件已随程序安装，运行",
        "                       jixiao-xl addin serve 即可（证书见 README.md）；这里的 manifest.xml 供管理员部署",
    ]
    if has_xlam:
        indent = " " * 23
        lines += ["  addin/classic/       经典 Excel 加载项（Windows）：",
                  f"{indent}运行 jixiao-xl addin install 该文件夹\\jixiao_addin.xlam（装入 XLSTART，写入这台电脑的 Python）"]
    if has_wps:
        lines.append("  addin/wps/           WPS 加载项")
    else:
        lines.append("  （WPS 加载项尚未提供：WPS 中可直接使用模板里的公式。）")
    lines += ["  安装.bat / install.sh  安装脚本（找到适用的 Python 后运行 install.py）",
              "  README.md            完整的使用说明", ""]
    lines += notes
    return "\r\n".join(lines).rstrip() + "\r\n"


def write_zip(folder: Path, zip_path: Path) -> None:
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            arcname = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            if path.is_dir():
                continue
            info = zipfile.ZipInfo.from_file(path, arcname)
            info.compress_type = zipfile.ZIP_STORED if path.suffix == ".whl" else zipfile.ZIP_DEFLATED
            with open(path, "rb") as handle:
                archive.writestr(info, handle.read())


# ---------------------------------------------------------------------------------------------- build


def build(output: str | os.PathLike, platforms: list[str] | None = None, pythons: list[str] | None = None,
          log=print, env: dict | None = None, folder: bool = False) -> Bundle:
    """Make the bundle: ``output``.zip, or with ``folder`` the folder ``output``; BundleError (and nothing left
    behind) when it cannot be made."""
    out, chosen, versions = check_args(output, platforms, pythons, folder)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".部分", dir=out.parent))
    except OSError as exc:
        from ..xlsx.xlsxio import reason

        raise BundleError(f"无法在 {out.parent} 中生成安装包：{reason(exc)}") from None
    zip_temp = work.with_name(work.name + ".zip")
    try:
        stage = work / out.name
        wheelhouse = stage / "wheelhouse"
        wheelhouse.mkdir(parents=True)
        log("构建 jixiao-xl 的 wheel …")
        own = build_wheel(work / "build", wheelhouse, env)
        name, version, requires = wheel_metadata(own)
        targets, notes = [], []
        for platform in chosen:
            for python in versions:
                target = Target(platform, python)
                log(f"下载依赖：{platform.name} / Python {python} …")
                top = requirements_for(requires, target.markers(), EXTRAS)
                fetch(target, top, wheelhouse, work / "download", env)
                target.wheels = sorted({*target.wheels, own.name})
                write_requirements(wheelhouse, target)
                for dep in target.missing:
                    log(f"  注意：{platform.name} / Python {python} 上 {dep} 没有 wheel，"
                        f"已略过（{target.missing[dep]}）")
                targets.append(target)
        log("复制加载项、模板和示例 …")
        copy_addins(stage, notes)
        copy_workbooks(stage)
        shows = example_shows(stage / EXAMPLE)
        (stage / "install.py").write_text(install_py(shows), encoding="utf-8", newline="\n")
        if any(t.platform.name == "win_amd64" for t in targets):
            (stage / "安装.bat").write_bytes(install_bat(targets).encode("gbk"))
        if any(t.platform.name != "win_amd64" for t in targets):
            script = stage / "install.sh"
            script.write_text(install_sh(targets), encoding="utf-8", newline="\n")
            script.chmod(0o755)
        text = readme(targets, f"{name} {version}", notes, (stage / "addin" / "wps").is_dir(),
                      (stage / "addin" / "classic" / "jixiao_addin.xlam").is_file(), shows)
        (stage / "说明.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        if folder:
            os.rename(stage, out)
            return Bundle(out, None, targets, notes, shows)
        log("打包 zip …")
        write_zip(stage, zip_temp)
        os.rename(zip_temp, _zip_path(out))
        return Bundle(None, _zip_path(out), targets, notes, shows)
    except OSError as exc:
        raise BundleError(f"写入安装包失败：{os_cause(exc)}（{exc.filename or out}）") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if zip_temp.exists():
            zip_temp.unlink()
