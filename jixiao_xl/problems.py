"""The catalogue of file problems: every reason a workbook, a report, an upload or an output is refused.

Like the rules, each reason is a record with a stable code, a short Chinese name, the text people read
(a template; a raise site may give a more specific text of the same reason) and advice.  ``Refused`` is
the one exception that carries a record; the readers' own exception classes (``UnreadableWorkbook``,
``UnreadableReport``, ``OutputError`` …) derive from it only to say which step raised it.  ``check --json``
and findings.json give the code beside the text, the batch's 无法读取 sheet has a 代码 column, and
``jixiao-xl explain U001`` explains a code.

Codes: U0xx a submitted file (workbook or report) cannot be read; U1xx a report in particular; U2xx an
upload to the batch page; O0xx an output cannot be written.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass

_CODE = re.compile(r"[UO]\d{3}")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    name: str  # a few words: 文件已加密
    about: str  # 提交的文件 | 自评报告 | 上传 | 输出文件
    template: str  # the default text; ``{field}`` filled from the raise site
    advice: str  # what the person who submitted or runs it can do

    @property
    def effect(self) -> str:
        """What the refusal means: an output is not written, anything else not checked."""
        return "无法写入" if self.code.startswith("O") else "无法校验"

    def text(self, text: str | None = None, **fields) -> str:
        """What people read of this problem: ``text`` (a more specific wording), else the template's, filled."""
        return text if text is not None else self.template.format(**fields)

    def explain(self) -> str:
        return f"{self.code} {self.name}（{self.about}{self.effect}）\n{self.template}\n\n怎么办：{self.advice}\n"


def _catalogue(*problems: Problem) -> dict[str, Problem]:
    out = {}
    for problem in problems:
        if not _CODE.fullmatch(problem.code) or problem.code in out:
            raise ValueError(f"problem code {problem.code!r} is malformed or repeated")
        out[problem.code] = problem
    return out


SAVE_AS = "请在 Excel 或 WPS 中打开后另存为 .xlsx 再提交"
SAVE_AS_DOCX = "请用 Word 或 WPS 另存为 .docx 后再提交"

PROBLEMS = _catalogue(
    # ---- any submitted file
    Problem("U001", "文件已加密", "提交的文件", "文件已加密（设置了打开密码），请取消密码后再提交",
            "在 Excel/WPS/Word 中打开文件，取消“打开密码”（文件 → 信息 → 保护 → 用密码进行加密，清空密码）后重新提交。"),
    Problem("U002", "文件已损坏", "提交的文件", "文件已损坏，无法读取（{detail}）",
            "文件可能下载或拷贝不完整。请让提交单位在 Excel/WPS/Word 中重新打开、另存后再提交。"),
    Problem("U003", "疑似 XML 炸弹", "提交的文件", "文件含有不允许的 XML 实体定义（{part}），疑似 XML 炸弹，已拒绝读取",
            "正常的 Office 文件不含 XML 实体定义；这类文件可能是恶意构造的。请让提交单位用 Excel/WPS 重新保存后再提交。"),
    Problem("U004", "疑似压缩炸弹", "提交的文件", "文件解压后超过 512 MB，疑似压缩炸弹，已拒绝读取",
            "正常的自评表解压后不过几 MB；请核实文件来源，或让提交单位重新保存后再提交。"),
    Problem("U005", "不是所需类型的文件", "提交的文件", "不是 Excel 工作簿文件（.xlsx/.xls/.et/.ods）",
            "确认提交的是绩效自评工作簿（或自评报告）本身，而不是改了扩展名的其他文件；必要时另存为 .xlsx（报告另存为 .docx）。"),
    Problem("U006", "锁定文件", "提交的文件", "这是 Excel 或 WPS 打开“{name}”时生成的锁定文件（临时文件），不是工作簿本身；请校验“{name}”",
            "以“~$”开头的文件是 Excel/WPS 打开文件时生成的临时文件，关闭文件后会自动消失，可直接删除；请校验原文件。"),
    Problem("U007", "找不到文件", "提交的文件", "找不到文件", "检查文件名和路径是否写对（含空格的路径请加引号）。"),
    Problem("U008", "是文件夹", "提交的文件", "这是文件夹，不是{what}",
            "校验整个文件夹请用 jixiao-xl batch 文件夹；校验一个文件请给出文件名。"),
    Problem("U009", "无法打开文件", "提交的文件", "无法打开文件（{detail}）",
            "检查是否有读取权限、文件是否正被其他程序独占，或网络盘是否已连接。"),
    Problem("U010", "空文件", "提交的文件", "文件是空的（0 字节）", "文件没有任何内容，可能保存或拷贝失败；请重新提交。"),
    Problem("U011", "本机缺少读取组件", "提交的文件", "此电脑上无法读取{kind}格式（缺少 {component}）",
            "安装缺少的组件（pip install 后面给出的组件），或把文件另存为 .xlsx/.docx 后再校验。"),
    Problem("U012", "没有可识别的表", "提交的文件",
            "没有找到可识别的绩效自评表（附件1 基础数据表、附件2 部门整体支出绩效自评表、附件3 项目支出绩效自评表）",
            "确认文件是绩效自评工作簿；表名或标题被改得太多时，请按官方模板的标题（如“部门整体支出绩效自评表”）填写。"),
    Problem("U013", "格式不适用于此操作", "提交的文件", "这是 {kind} 格式，不是 .xlsx",
            "此操作只能用于 .xlsx；" + SAVE_AS + "。"),
    Problem("U014", "内存不足", "提交的文件", "文件过大，处理时超出内存限制",
            "文件可能异常庞大（如粘贴了整张明细表）；请让提交单位删去多余内容后重新保存。"),
    Problem("U015", "处理超时或异常退出", "提交的文件", "处理超过时限，已跳过（文件可能异常）",
            "请在 Excel/WPS 中打开文件检查是否异常，重新保存后再校验；仍有问题请把文件交给本工具的维护者。"),
    Problem("U016", "处理时出错", "提交的文件", "处理时出错（{detail}）",
            "这是本工具未能处理的情况；请把文件交给本工具的维护者。"),
    Problem("U017", "压缩包无法打开", "提交的文件", "压缩包无法打开：{detail}；请解压后再运行",
            "压缩包已损坏、设了密码、内容异常或解压后过大时，其中的文件都没有校验：请解压后把文件放进同一文件夹再运行；"
            "解压不了的请报送单位重新压缩（不设密码）后再报送。"),
    Problem("U018", "压缩格式不支持", "提交的文件",
            "压缩包无法打开：这是 {kind} 压缩包，本工具只能打开 .zip；请用解压软件解压后再运行，或请报送单位改用 .zip",
            "用 WinRAR、7-Zip 等解压软件解压后把文件放进同一文件夹再运行，或请报送单位改用 .zip 压缩。"),
    Problem("U019", "链接指向文件夹以外", "提交的文件",
            "这是指向所选文件夹以外的链接（快捷方式），为安全起见没有读取",
            "本工具只读取所选文件夹里的文件，不跟随指向别处的链接（符号链接）；请把文件本身复制进文件夹后再运行。"),
    # ---- reports
    Problem("U101", "扫描件", "自评报告", "这是扫描件，无法读取文字；请提交可编辑的 Word 文档（.docx）或带文字层的 PDF",
            "扫描件只有图片，本工具不做文字识别；请同时提交报告的 Word 文档，或导出带文字的 PDF。批量校验时，文件名含“报告”"
            "“自评”的扫描件算已交报告，但其中的数字没有核对，单位在“退回清单”中为“请核实”：请人工阅读，或请单位补交 Word 文档。"),
    Problem("U102", "篇幅过长", "自评报告", "文档远超自评报告的篇幅（通常 5–30 页），未校验；请只提交自评报告本身",
            "文件可能是整本决算或汇编；请只提交本单位的自评报告。"),
    Problem("U103", "文档是空的", "自评报告", "文档是空的，没有任何文字", "请提交写好的自评报告。"),
    Problem("U104", "无法转换旧格式", "自评报告", "LibreOffice 无法转换此文档；" + SAVE_AS_DOCX,
            "旧版 .doc/.wps 文档要先转换才能读取；安装 LibreOffice，或另存为 .docx 后再提交。"),
    Problem("U105", "工作簿放在了报告的位置", "自评报告",
            "这是 Excel 工作簿，不是报告；工作簿请放在报告之后：jixiao-xl report check 报告.docx 工作簿.xlsx",
            "report check 的第一个文件是报告，第二个是工作簿。"),
    # ---- uploads to the batch page
    Problem("U201", "上传的压缩包不安全", "上传", "压缩包内容异常，已拒绝",
            "压缩包里有指向外部的路径、符号链接、异常压缩比或重复条目；请直接压缩存放材料的文件夹后重新上传。"),
    Problem("U202", "上传超过上限", "上传", "上传的材料超过上限，已拒绝；请分批上传",
            "把材料分成几批上传，或请管理员在服务器上用命令行 jixiao-xl batch 校验。"),
    Problem("U203", "上传的压缩包无法解压", "上传", "上传的文件不是有效的 .zip 压缩包（可能不是 zip 格式或已损坏）",
            "用“发送到 → 压缩(zipped)文件夹”重新压缩（不要设密码）后上传，或直接选择文件夹上传；"
            "提示文件夹层级太深（超过 64 层）时，先减少文件夹的层级再压缩。"),
    Problem("U204", "任务状态不允许", "上传", "这个批量校验任务现在不能这样操作", "按页面提示等待或重新上传。"),
    Problem("U205", "服务器繁忙", "上传", "服务器上排队和正在进行的批量校验任务已满，请稍后重试", "稍等几分钟再上传。"),
    Problem("U206", "服务器设置不安全", "上传", "批量校验的临时文件夹设置不安全，服务器不使用它",
            "管理员：把 JIXIAO_BATCH_DIR 改为只有自己能写入的文件夹，或删去这项设置。"),
    Problem("U207", "上传的材料是空的", "上传", "上传的材料中没有文件", "选择含有自评表（.xlsx）的压缩包或文件夹后重新上传。"),
    Problem("U208", "上传的文件名太长", "上传", "上传的文件名或文件夹层级太长，服务器无法保存",
            "服务器上一个文件名或文件夹名最多 255 字节（约 85 个汉字）：请缩短文件夹和文件的名称后重新上传。"),
    # ---- the results store (绩效库, batch/check --store)
    Problem("U301", "不是本工具的绩效库", "绩效库", "这个文件不是本工具的绩效库，未作任何修改",
            "--store 给出一个新文件名（会新建），或本工具以前建立的绩效库。"),
    Problem("U302", "绩效库版本更新", "绩效库", "绩效库是更新版本的 jixiao-xl 建立的",
            "升级本工具（pip install -U jixiao-xl）后再使用这个绩效库。"),
    Problem("U303", "绩效库被占用或已损坏", "绩效库", "绩效库正被其他程序写入，或已损坏，本次未写入任何内容",
            "等其他批量校验完成后重试；已损坏的库请用备份恢复，或换一个新文件名。"),
    Problem("U304", "绩效库位置不可用", "绩效库", "绩效库所在位置不存在或不能写入，本次未写入任何内容",
            "换一个存在且可写的文件夹，--store 给出文件名（如 绩效库.sqlite）。"),
    Problem("U305", "单位更名对照表有误", "绩效库", "单位更名对照表读不出（应为每行“旧名称,新名称”）",
            "用记事本或 Excel 另存为 UTF-8 文本，每行一个“旧名称,新名称”；--unit-map 需和 --store 一起使用。"),
    Problem("U306", "存入绩效库失败", "绩效库", "这一组工作簿没有存入绩效库（已回滚，库未改动）",
            "按提示处理后重新运行：已存入的不会重复。"),
    # ---- outputs
    Problem("O001", "只读", "输出文件", "文件或文件夹是只读的（没有写入权限）",
            "换一个能写入的位置（用 -o 指定），或请管理员开放写入权限。"),
    Problem("O002", "位置不存在", "输出文件", "文件夹不存在", "先建好输出文件夹，或换一个已有的文件夹。"),
    Problem("O003", "与输入相同", "输出文件", "输出文件不能和输入文件相同",
            "用 -o 指定另一个文件名；fill 要直接修改原文件请用 --in-place（会先备份）。"),
    Problem("O004", "已存在", "输出文件", "输出文件已存在", "换一个名字，或确认可以覆盖后加 --force。"),
    Problem("O005", "写入失败", "输出文件", "写入失败（{detail}）", "检查磁盘空间、权限，以及文件是否正在 Excel/WPS 中打开。"),
    Problem("O006", "备份文件过多", "输出文件", "备份文件过多", "清理旁边的 *.bak.xlsx 旧备份后重试。"),
    Problem("O007", "输出类型不对", "输出文件", "输出文件的类型不对", "按提示改输出文件的扩展名（如 .xlsx、.docx）。"),
    Problem("O008", "选项不完整或冲突", "输出文件", "请用 -o 指定输出文件，或用 --in-place 直接修改原文件（会先备份）",
            "-o 和 --in-place 只能选一个；用 jixiao-xl 命令 --help 查看用法。"),
    Problem("O009", "写入方式不适用", "输出文件", "此文件不能直接写入（请不指定写入方式）",
            "去掉 --writer 选项，由本工具自动选择写入方式。"),
)


# ------------------------------------------------------------------ causes, in Chinese

# Why a library failed on a file, in words people read: an exception's class name and its text are English
# (PDFSyntaxError, KeyError, "Failed to fetch") and are never shown; they go to the log (``cause``).  The
# libraries' exceptions are told by the words in their class names (never imported here: ``import jixiao_xl``
# stays light), the first match wins.
_NAMED_CAUSES = (
    (("Password", "Encrypt", "Decrypt"), "文件已加密"),
    (("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"), "文件含有不允许的 XML 实体定义"),
    (("BadZip", "LargeZip", "ZipError"), "压缩数据不完整或已损坏"),
    (("XMLSyntax", "ParseError", "ExpatError", "XmlError", "SAXParse", "SAXException"), "文件内部的 XML 数据已损坏"),
    (("PDFSyntax", "PSEOF", "PSSyntax", "PDFNoValidXRef", "PDFObjectNotFound", "PDFException", "PSException"),
     "PDF 的内部结构已损坏"),
    (("PackageNotFound",), "不是有效的 Word 文档"),
    (("InvalidFileException",), "不是有效的 Excel 文件"),
    (("CompDoc", "XLRDError"), "旧版 Excel 文件的内部结构已损坏"),
    (("CalamineError",), "表格数据已损坏"),
    (("JSONDecode",), "不是有效的 JSON"),
    (("DatabaseError", "OperationalError"), "数据库文件无法使用"),
)
_BUILTIN_CAUSES = (
    (MemoryError, "文件太大，内存不足"),
    (RecursionError, "文件结构嵌套过深"),
    (EOFError, "文件在中途截断（可能下载或拷贝不完整）"),
    (UnicodeError, "文字的编码无法识别"),
    (KeyError, "文件缺少必需的组成部分"),
    (OverflowError, "数值超出可以处理的范围"),
    (NotImplementedError, "文件用了本工具不支持的格式或压缩方式"),
)
GENERIC_CAUSE = "内容不符合文件格式的规范"

_OS_CAUSES = {getattr(errno, name): text for name, text in (  # errno → reason (a name this system lacks: skipped)
    ("EPERM", "没有权限"), ("EACCES", "没有权限"), ("EROFS", "所在磁盘是只读的"), ("ENOSPC", "磁盘空间不足"),
    ("EDQUOT", "超出磁盘配额"), ("ENOENT", "文件或文件夹不存在"), ("ENOTDIR", "路径中有一段是文件，不是文件夹"),
    ("EISDIR", "这是一个文件夹，不是文件"), ("ENAMETOOLONG", "文件名太长"), ("EEXIST", "文件已存在"),
    ("EBUSY", "文件正被其他程序使用"), ("ETXTBSY", "文件正被其他程序使用"), ("EMFILE", "同时打开的文件太多"),
    ("ENFILE", "同时打开的文件太多"), ("EIO", "磁盘读写出错"), ("ENOMEM", "内存不足"), ("ELOOP", "路径中的链接形成了循环"),
    ("ETIMEDOUT", "连接超时"), ("ECONNREFUSED", "连接被拒绝"), ("EPIPE", "连接已断开"), ("ECONNRESET", "连接已断开"),
) if hasattr(errno, name)}


def os_cause(exc: OSError) -> str:
    """An operating-system error in Chinese: its errno's meaning (the system's own text, strerror, is English)."""
    if exc.errno is None:
        return "系统错误"
    return _OS_CAUSES.get(exc.errno) or f"系统错误（错误号 {exc.errno}）"


def cause(exc: BaseException, unknown: str = "") -> str:
    """Why ``exc`` happened, in Chinese, for a message people read (a file that could not be read, a step that
    failed): a catalogued refusal's own text, an operating-system error's meaning, a known library failure's
    (by its class name), else ``unknown`` (a step where an unknown failure is ours: 程序内部错误) or ``GENERIC_CAUSE``.  The exception itself (class and English text) goes to the
    log ``jixiao_xl`` at debug level: the batch page's server log keeps it when set to."""
    import logging

    logging.getLogger("jixiao_xl").debug("cause of a failure: %s: %s", type(exc).__name__, exc)
    if isinstance(exc, Refused):
        return exc.text
    if isinstance(exc, OSError) and exc.errno is not None:
        return os_cause(exc)
    names = " ".join(k.__name__ for k in type(exc).__mro__)
    for words, text in _NAMED_CAUSES:
        if any(w in names for w in words):
            return text
    if "zlib" in type(exc).__module__ or "Error -3" in str(exc):
        return "压缩数据不完整或已损坏"
    for kind, text in _BUILTIN_CAUSES:
        if isinstance(exc, kind):
            return text
    if isinstance(exc, TimeoutError):
        return "处理超时"
    return unknown or GENERIC_CAUSE


class Refused(Exception):
    """A file (or an upload, or an output) refused for a catalogued reason: ``code``, ``problem`` and the text.

    ``Refused("U001")`` reads the catalogue's text; ``Refused("U002", detail="…")`` fills its fields;
    ``Refused("U005", text="…")`` gives a more specific text of the same reason.  ``str()`` is that text."""

    def __init__(self, code: str, text: str | None = None, **fields):
        self.problem = PROBLEMS[code]
        self.code = code
        self.text = self.problem.text(text, **fields)
        super().__init__(self.text)

    def __str__(self) -> str:
        return self.text

    @classmethod
    def like(cls, other: "Refused", text: str | None = None):
        """This class's refusal for the reason of ``other`` (a file problem becoming a reader's)."""
        return cls(other.code, text if text is not None else other.text)


def with_code(text: str, code: str | None) -> str:
    """A refusal's text as a command prints it: "…（U001）", the code for ``jixiao-xl explain``."""
    return f"{text}（{code}）" if code else text


def matching(text: str) -> list[Problem]:
    """The problems with every word of ``text`` in their code, name, about, template or advice."""
    words = text.lower().split()
    return [p for p in PROBLEMS.values()
            if all(w in f"{p.code} {p.name} {p.about} {p.template} {p.advice}".lower() for w in words)]
