"""``jixiao-xl addin``: serve the Office.js add-in, build and install the classic .xlam."""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from pathlib import Path



def server_dir() -> Path:
    """The xlwings Server project shipped inside the package (jixiao_xl/addin_server, package data)."""
    from importlib.resources import files

    return Path(str(files("jixiao_xl") / "addin_server"))

RIBBON_XML = """<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">
    <ribbon>
        <tabs>
            <tab id="jixiaoTab" label="绩效自评">
                <group id="jixiaoGroup" label="校验">
                    <button id="jixiaoValidate" label="校验" size="large" onAction="RibbonMyAddin.RunMain"
                            imageMso="AcceptInvitation" screentip="校验"
                            supertip="重新计算全部计算项，校验附件1、附件2、附件3，标出有问题的单元格并写入“校验结果”表" />
                </group>
            </tab>
        </tabs>
    </ribbon>
</customUI>
"""

# The xlam's ribbon callback runs "import <xlam name>; <xlam name>.main()"; this module,
# written beside the .xlam, hands the click to jixiao-xl.
SIDECAR = '''"""Ribbon callback module of the jixiao-xl classic add-in (written by `jixiao-xl addin build-xlam`)."""

from jixiao_xl.xl import main  # noqa: F401
'''


def ribbon_template() -> Path:
    """The ribbon add-in template that ships inside the installed xlwings package."""
    import importlib.util

    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise RuntimeError("xlwings is not installed")
    return Path(spec.origin).parent / "quickstart_addin_ribbon.xlam"


def build_xlam(output: str | os.PathLike) -> tuple[Path, Path]:
    """Copy xlwings' ribbon add-in with our ribbon XML; write the callback module beside it."""
    output = Path(output)
    if output.suffix.lower() != ".xlam":
        raise ValueError("输出文件的扩展名必须是 .xlam")
    if not output.stem.isidentifier():
        raise ValueError("加载项文件名只能用字母、数字和下划线（它同时是 Python 模块名），如 jixiao_addin.xlam")
    source = ribbon_template()
    output.parent.mkdir(parents=True, exist_ok=True)
    from .xlsxio import atomic_write

    def write(temp: str) -> None:
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == "customUI/customUI.xml":
                    data = RIBBON_XML.encode("utf-8")
                out.writestr(info, data)

    atomic_write(output, write)
    sidecar = output.with_suffix(".py")
    sidecar.write_text(SIDECAR, encoding="utf-8")
    return output, sidecar


INSTALL_STEPS = """安装经典 Excel 加载项（Windows 桌面版 Excel）：
  1. 安装 Python 3.10 以上版本，然后：pip install jixiao-xl
  2. 安装 xlwings 的 Excel 加载项：xlwings addin install
  3. 生成本工具的加载项：jixiao-xl addin build-xlam -o jixiao_addin.xlam
     （同时生成 jixiao_addin.py，两个文件放在同一个文件夹）
  4. 把 jixiao_addin.xlam 和 jixiao_addin.py 复制到 %APPDATA%\\Microsoft\\Excel\\XLSTART
     （或在 Excel“文件 → 选项 → 加载项 → 管理 Excel 加载项 → 浏览”中选择 jixiao_addin.xlam）
  5. 在 Excel“信任中心 → 宏设置”中勾选“信任对 VBA 工程对象模型的访问”
  6. 重启 Excel，功能区出现“绩效自评”选项卡，点击“校验”
"""


def install(xlam: str | None) -> str:
    """On Windows copy the add-in into XLSTART; elsewhere print the steps."""
    if sys.platform != "win32" or not xlam:
        return INSTALL_STEPS
    xlstart = Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    xlstart.mkdir(parents=True, exist_ok=True)
    source = Path(xlam)
    for path in (source, source.with_suffix(".py")):
        shutil.copy2(path, xlstart / path.name)
    return f"已复制到 {xlstart}，重启 Excel 后功能区出现“绩效自评”选项卡。"


def serve(project_dir: str | os.PathLike | None = None, host: str = "127.0.0.1", port: int = 8000,
          cert_dir: str | os.PathLike = "certs") -> None:
    """Start the xlwings Server add-in on localhost (HTTPS when <cert_dir>/localhost+2*.pem exist)."""
    project = Path(project_dir or server_dir()).resolve()
    if not (project / "templates" / "manifest.xml").is_file():
        raise ValueError(f"{project} 不是加载项服务目录（缺少 templates/manifest.xml）")
    os.environ["XLWINGS_PROJECT_DIR"] = str(project)
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    os.environ.setdefault("XLWINGS_ENVIRONMENT", "prod")
    try:
        import uvicorn
        import xlwings_server  # noqa: F401
    except ImportError:
        raise RuntimeError("没有安装 xlwings Server：请运行 pip install 'jixiao_xl-….whl[server]'"
                           "（或在源码目录运行 pip install '.[server]'）") from None

    certs = Path(cert_dir)
    key, cert = certs / "localhost+2-key.pem", certs / "localhost+2.pem"
    https = key.exists() and cert.exists()
    scheme = "https" if https else "http"
    print(f"加载项服务：{scheme}://{host}:{port}/manifest.xml（按 Ctrl+C 停止）", flush=True)
    if not https:
        print(f"未找到证书 {cert}，以 HTTP 运行（Office.js 加载项需要 HTTPS，见 README）", flush=True)
    uvicorn.run("xlwings_server.main:main_app", host=host, port=port,
                ssl_keyfile=str(key) if https else None, ssl_certfile=str(cert) if https else None)
