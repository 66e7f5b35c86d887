"""The results store (``--store 绩效库.sqlite``): every unit's forms of every year in one SQLite file.

One row of ``forms`` per (unit, year, form, project), with the source file and its SHA-256, the results
and counts; ``figures`` holds every figure read from it (label, cell, value as typed), ``findings`` every
finding, ``replacements`` each earlier submission a corrected one replaced and when.  The schema is
documented in docs/store.md; its version is ``PRAGMA user_version`` and the file is marked as ours by
``PRAGMA application_id``.

Who writes: the batch parent (its workers send records, ``records``; one transaction per chunk) or
``check``.  Who reads: the history rules (``History``, through ``rules/history.py``), ``jixiao-xl history``
and the 跨年 sheet of 汇总.  A store that is not ours, of a newer schema, locked past the wait, on a disk
that cannot be written or damaged raises ``StoreError`` (one Chinese line) before anything is written."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from ..problems import cause, os_cause
from .records import (
    FORM_LABEL,
    WHOLE_DEPARTMENT,
    BookRecords,
    FormRecord,
    StoreError,
    UnitMap,
    book_unit,
    form_project,
    form_year,
    norm_name,
    told_apart,
)

SCHEMA_VERSION = 1
APPLICATION_ID = 0x4A58584C  # "JXXL"
DEFAULT_NAME = "绩效库.sqlite"


def _wait_seconds(default: float = 30.0) -> float:
    """How long a writer waits for another (JIXIAO_STORE_WAIT, seconds; 0: not at all; not a number: ignored)."""
    try:
        value = float(os.environ.get("JIXIAO_STORE_WAIT", default))
    except ValueError:
        return default
    return value if 0 <= value < 1e6 else default


WAIT_SECONDS = _wait_seconds()
COMMIT_EVERY = 200  # workbooks per transaction in batch
# a store up to this size is read through (PRAGMA quick_check) before anything is written to it: a damaged
# one is refused.  A larger one relies on SQLite's checks of each page it reads (a damaged page met while
# writing rolls the transaction back): read through a whole store of gigabytes would cost minutes each run.
QUICK_CHECK_MAX = 512 << 20
SQLITE_HEADER = b"SQLite format 3\x00"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE forms (
    id INTEGER PRIMARY KEY,
    unit_key TEXT NOT NULL,          -- the unit's name normalised (after --unit-map)
    unit TEXT NOT NULL,              -- as the workbook names it
    year INTEGER NOT NULL,
    form TEXT NOT NULL,              -- basic_data | dept_self_eval | project_self_eval
    project_key TEXT NOT NULL,       -- '' for 附件1 and 附件2
    project TEXT NOT NULL,
    sheet TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_hash TEXT NOT NULL,       -- SHA-256 of the file
    status TEXT NOT NULL,            -- clean | warnings | errors
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    exec_rate REAL, exec_score REAL, total_score REAL, grade TEXT,
    results_json TEXT NOT NULL,      -- every result of the form, JSON
    first_stored TEXT NOT NULL,      -- when this unit/year/form/project was first stored (UTC, ISO 8601)
    stored TEXT NOT NULL,            -- when the submission now held was stored
    replaced INTEGER NOT NULL DEFAULT 0,  -- how many earlier submissions it replaced
    -- every figure that is not blank: [[key, label, cell, value, text], ...] (the view figures)
    figures_json TEXT NOT NULL,
    -- every finding: [[code, severity, sheet, cell, message, expected, found], ...] (the view findings)
    findings_json TEXT NOT NULL,
    UNIQUE (unit_key, year, form, project_key)
);
CREATE TABLE replacements (
    form_id INTEGER NOT NULL REFERENCES forms (id),
    source_file TEXT NOT NULL, source_hash TEXT NOT NULL,
    stored TEXT NOT NULL,            -- when the replaced submission had been stored
    replaced_at TEXT NOT NULL        -- when it was replaced
);
CREATE TRIGGER forms_replaced BEFORE UPDATE OF source_hash ON forms
BEGIN
    INSERT INTO replacements VALUES (OLD.id, OLD.source_file, OLD.source_hash, OLD.stored, NEW.stored);
END;
CREATE VIEW form_results AS
    SELECT unit, year, form, project, total_score, grade, exec_rate, exec_score, errors, warnings, status,
           source_file, stored FROM forms;
CREATE VIEW figures AS
    SELECT f.id AS form_id, f.unit, f.year, f.form, f.project,
           json_extract(j.value, '$[0]') AS key, json_extract(j.value, '$[1]') AS label,
           json_extract(j.value, '$[2]') AS cell, json_extract(j.value, '$[3]') AS value,
           json_extract(j.value, '$[4]') AS text
    FROM forms f, json_each(f.figures_json) j;
CREATE VIEW findings AS
    SELECT f.id AS form_id, f.unit, f.year, f.form, f.project,
           json_extract(j.value, '$[0]') AS code, json_extract(j.value, '$[1]') AS severity,
           json_extract(j.value, '$[2]') AS sheet, json_extract(j.value, '$[3]') AS cell,
           json_extract(j.value, '$[4]') AS message, json_extract(j.value, '$[5]') AS expected,
           json_extract(j.value, '$[6]') AS found
    FROM forms f, json_each(f.findings_json) j;
"""

_COLUMNS = ("unit_key, year, form, project_key, unit, project, sheet, source_file, source_hash, status, errors, "
            "warnings, exec_rate, exec_score, total_score, grade, results_json, figures_json, findings_json, "
            "first_stored, stored")
_JSON_COLUMNS = ("results_json", "figures_json", "findings_json")  # bound as UTF-8 bytes (records.FormRecord)


def _bound(column: str) -> str:
    return "CAST(? AS TEXT)" if column in _JSON_COLUMNS else "?"


_VALUES = ", ".join(_bound(c) for c in _COLUMNS.split(", "))
INSERT = f"INSERT INTO forms ({_COLUMNS}) VALUES ({_VALUES})"  # a form the store does not hold yet
# a form held (under the unit's key, or an old name's with --unit-map: the row then takes the new one) replaced
# by a corrected submission: the trigger forms_replaced keeps the earlier file, hash and time; first_stored stays
REPLACE = ("UPDATE forms SET " + ", ".join(f"{c} = {_bound(c)}" for c in _COLUMNS.split(", ") if c != "first_stored")
           + ", replaced = replaced + 1 WHERE unit_key = ? AND year = ? AND form = ? AND project_key = ?")
# the same file checked again (another version of the tool, or last year stored since): its results, figures and
# findings as they are now, when they differ; still the same submission (no replacement, its times kept)
_RECHECKED = ("status", "errors", "warnings", "exec_rate", "exec_score", "total_score", "grade", "results_json",
              "figures_json", "findings_json")
RECHECK = ("UPDATE forms SET " + ", ".join(f"{c} = {_bound(c)}" for c in _RECHECKED)
           + " WHERE unit_key = ? AND year = ? AND form = ? AND project_key = ? AND source_hash = ? AND ("
           + " OR ".join(f"{c} IS NOT {_bound(c)}" for c in _RECHECKED) + ")")


def _row(book: BookRecords, rec: FormRecord, now: str) -> tuple:
    """A form's values in the order of _COLUMNS."""
    return (rec.unit_key, rec.year, rec.form, rec.project_key, rec.unit, rec.project, rec.sheet, book.source_file,
            book.source_hash, rec.status, rec.errors, rec.warnings, rec.exec_rate, rec.exec_score, rec.total_score,
            rec.grade, rec.results_json, rec.figures, rec.findings, now, now)

# ------------------------------------------------------------------ the file


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "locked"
    if "readonly" in text or "read-only" in text or "unable to open" in text or "disk i/o" in text:
        return "readonly"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "damaged"
    return "other"


def _message(path, exc: BaseException) -> str:
    kind = _reason(exc)
    if kind == "locked":
        return (f"绩效库 {path} 正被其他程序写入，等待 {WAIT_SECONDS:g} 秒后仍未释放，本次未写入任何内容；"
                "请等对方完成后重试")
    if kind == "readonly":
        return f"绩效库 {path} 所在位置不能写入（只读或无权限），本次未写入任何内容；请换一个可写的位置"
    if kind == "damaged":
        return (f"绩效库 {path} 已损坏（SQLite 报告文件结构错误），本次未写入任何内容，原文件未作修改；"
                "请用备份恢复，或换一个新文件名")
    return f"绩效库 {path} 无法使用（{cause(exc, '数据库出错')}），本次未写入任何内容"


def _code(exc: BaseException) -> str:
    """The catalogue code of a SQLite failure: a place that cannot be written (U304), else busy or damaged."""
    return "U304" if _reason(exc) == "readonly" else "U303"


def _inspect(path: Path) -> str:
    """'new' (missing or empty), 'sqlite' (a SQLite file), else raises StoreError (not a SQLite file)."""
    if path.is_dir():
        raise StoreError(f"绩效库 {path} 是一个文件夹，请给出文件名，如 {DEFAULT_NAME}", "U304")
    if not path.exists() or path.stat().st_size == 0:
        return "new"
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise StoreError(f"无法读取绩效库 {path}：{os_cause(exc)}", "U303") from None
    if head != SQLITE_HEADER:
        raise StoreError(f"{path} 不是本工具的绩效库（不是 SQLite 数据库文件），未作任何修改；请换一个文件名", "U301")
    return "sqlite"


def _verify(conn: sqlite3.Connection, path) -> bool:
    """True when the file holds our schema; False when it is an empty database. Raises StoreError otherwise."""
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app == 0 and version == 0 and tables == 0:
        return False
    if app != APPLICATION_ID:
        raise StoreError(f"{path} 是 SQLite 数据库，但不是本工具的绩效库，未作任何修改；请换一个文件名", "U301")
    if version > SCHEMA_VERSION:
        raise StoreError(f"绩效库 {path} 是更新版本的 jixiao-xl 建立的（结构版本 {version}，本版本只认识 "
                         f"{SCHEMA_VERSION}），未作任何修改；请升级 jixiao-xl", "U302")
    return True


def _connect(path: Path, readonly: bool = False, immutable: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = "file:" + _quote(path) + "?mode=ro" + ("&immutable=1" if immutable else "")
        return sqlite3.connect(uri, uri=True, timeout=WAIT_SECONDS, isolation_level=None, check_same_thread=False)
    return sqlite3.connect(str(path), timeout=WAIT_SECONDS, isolation_level=None, check_same_thread=False)


def _quote(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(path.resolve()))


class Store:
    """A store opened for writing: ``Store.open(path)`` checks it (and creates it when new) before anything
    else is done; ``add`` buffers a workbook's records, ``commit`` writes them in one transaction."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self.conn = conn
        self.pending: list[BookRecords] = []
        self.counts = {"added": 0, "replaced": 0, "unchanged": 0, "rechecked": 0, "skipped": 0, "duplicate": 0}
        # the files of this run (``files``), and which of them holds each form it stored or found stored: a
        # second file of the run for the same unit, year, form and project is a duplicate, never a
        # correction (else each re-run of the folder would put them in in turn)
        self.run_files: list[tuple[str, str]] = []  # (the name a form records, the file's path)
        self._run_hashes: dict[str, str] | None = None  # SHA-256 -> a file of this run, made when first needed
        self.unit_map = UnitMap()  # --unit-map: a form stored under a unit's old name is that unit's
        self.rechecks = True  # False when the check ran only some rules (--select/--ignore): not the whole story
        self.claimed: dict[tuple, str] = {}
        self.duplicates: dict[tuple[str, str], tuple[str, int, list[str]]] = {}  # (file, kept) -> unit, year, forms

    def files(self, paths, names=None) -> None:
        """The files this run checks, as it names them (``names``, in their order: the batch page names its
        uploads by their place in the upload, not by the server's temporary folder); a form stored from the
        content of one of them is not replaced by another of them: that one is a duplicate."""
        paths = list(paths)
        self.run_files, self._run_hashes = list(zip(paths if names is None else list(names), paths)), None

    def _run_file_of(self, digest: str) -> str | None:
        """The file of this run whose content has this SHA-256 (the files are hashed on the first question:
        only a run that meets a stored form from another file asks)."""
        if self._run_hashes is None:
            from .records import file_hash

            made: dict[str, str] = {}
            for name, path in self.run_files:
                try:
                    made.setdefault(file_hash(path), name)
                except OSError:
                    continue
            self._run_hashes = made
        return self._run_hashes.get(digest)

    @classmethod
    def open(cls, path: str | os.PathLike, unit_map: UnitMap | None = None) -> Store:
        """The store at ``path`` checked (and made when new) for writing; ``unit_map``: --unit-map."""
        path = Path(path)
        state = _inspect(path)
        if state == "new" and not path.parent.exists():
            raise StoreError(f"绩效库 {path} 所在的文件夹不存在", "U304")
        if state == "new" and not os.access(path.parent, os.W_OK):
            raise StoreError(f"绩效库 {path} 所在位置不能写入（只读或无权限），本次未写入任何内容；请换一个可写的位置", "U304")
        conn = None
        try:
            conn = _connect(path)
            conn.execute(f"PRAGMA busy_timeout = {int(WAIT_SECONDS * 1000)}")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash loses at most the last chunk, never the file
            conn.execute("PRAGMA temp_store = MEMORY")
            if state == "new":
                conn.execute("PRAGMA page_size = 65536")  # a form's figures fit one page (no overflow chains)
            conn.execute("BEGIN IMMEDIATE")  # the write lock, at once: a locked or read-only store is refused here
            try:
                ours = _verify(conn, path)
                if ours and path.stat().st_size <= QUICK_CHECK_MAX:
                    problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
                    if problems != ["ok"]:
                        raise sqlite3.DatabaseError("database disk image is malformed")
                if not ours:
                    for statement in re.split(r";\n(?!\s*END;)(?=\S|$)", SCHEMA):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute("INSERT INTO meta VALUES ('schema_version', ?), ('created', ?)",
                                 (str(SCHEMA_VERSION), _now()))
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                _rekey(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if _journal(conn, "WAL") != "wal":  # readers (the batch workers) while the parent writes; DELETE
                conn.execute("PRAGMA synchronous = FULL")  # at close.  Held by a reader: safe without WAL too
        except StoreError:
            if conn is not None:
                conn.close()
            if state == "new":
                _remove_new(path)
            raise
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            if state == "new":
                _remove_new(path)
            raise StoreError(_message(path, exc), _code(exc)) from None
        made = cls(path, conn)
        made.unit_map = unit_map or UnitMap()
        return made

    # ---- writing

    def add(self, book: BookRecords | None) -> None:
        if book is None:
            return
        self.pending.append(book)
        if len(self.pending) >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        if not self.pending:
            return
        books, self.pending = self.pending, []
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            counts = self._write(books, _now())
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            stored = sum(self.counts[k] for k in ("added", "replaced", "unchanged", "rechecked"))
            reason = _message(self.path, exc).split("，本次未写入任何内容")[0]
            raise StoreError(f"{reason}：这一组 {len(books)} 个工作簿没有存入（已回滚，库未改动）；此前已存入 "
                             f"{stored} 张表，重新运行时已存入的不会重复", "U306") from None
        for key, value in counts.items():
            self.counts[key] += value

    def _write(self, books: list[BookRecords], now: str) -> dict[str, int]:
        """A chunk's forms, in the order they came, inside the caller's transaction.  What the store holds
        of the chunk's units is read in one query; the forms it does not hold yet (nearly all of a new
        year's) go in together, one ``executemany`` of a plain INSERT (no trigger, no statement journal:
        a third of an UPSERT's time); a form held from the same file is left as it is (or rechecked); only a
        corrected resubmission (another file) takes an UPDATE (REPLACE), whose trigger keeps the one it
        replaces."""
        conn = self.conn
        counts = dict.fromkeys(self.counts, 0)
        keys_of = self.unit_map.keys_of
        units = sorted({key for book in books for rec in book.forms for key in keys_of(rec.unit_key)})
        held = {}
        for i in range(0, len(units), 500):  # the units bound as they are (SQLite allows 32,766 a statement)
            part = units[i:i + 500]
            held.update((r[:4], r[4:]) for r in conn.execute(
                "SELECT unit_key, year, form, project_key, source_hash, source_file FROM forms WHERE unit_key IN "
                f"({','.join('?' * len(part))})", part))
        new: list[tuple] = []
        claimed = self.claimed
        for book in books:
            if not book.forms:
                counts["skipped"] += 1
                continue
            this = book.source_file  # as this run names it (run_files, claimed: one spelling a run)
            for rec in book.forms:
                key = (rec.unit_key, rec.year, rec.form, rec.project_key)
                was, under = held.get(key), rec.unit_key
                if was is None:  # stored under an old name of the unit (--unit-map): that one is this form
                    for old in keys_of(rec.unit_key)[1:]:
                        was = held.get((old, rec.year, rec.form, rec.project_key))
                        if was is not None:
                            under = old
                            break
                if was is not None and was[0] != book.source_hash and key not in claimed:
                    other = self._run_file_of(was[0])  # stored from the content of another file of this run:
                    if other is not None:  # that one stays, this one is its duplicate
                        claimed[key] = other
                owner = claimed.setdefault(key, this)
                if owner != this:
                    counts["duplicate"] += 1
                    self._duplicate(rec, owner, book.source_file)
                    continue
                held[key] = held[(under, *key[1:])] = (book.source_hash, book.source_file)
                if was is None:
                    new.append(_row(book, rec, now))
                    counts["added"] += 1
                elif was[0] == book.source_hash:
                    counts["unchanged" if not self.rechecks or self._recheck(rec, book, under) == 0
                           else "rechecked"] += 1
                else:  # another file for a form held: what came before it goes in first, then it replaces
                    if new:
                        conn.executemany(INSERT, new)
                        new = []
                    conn.execute(REPLACE, (*_row(book, rec, now)[:-2], now, under, *key[1:]))
                    counts["replaced"] += 1
        if new:
            conn.executemany(INSERT, new)
        return counts

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self.shut()

    def shut(self) -> None:
        """Close without committing what is pending.  The WAL is folded into the file and the file left in
        rollback-journal mode, so that it is whole on its own: copied, mailed or read from a read-only share
        without its -wal and -shm.  A reader still open (history, a web page's batch) keeps the mode as it is,
        but the checkpoint first puts every committed page into the file (an idle reader does not stop it)."""
        conn = self.conn
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("PRAGMA busy_timeout = 0")
            conn.execute("PRAGMA wal_checkpoint(FULL)").fetchall()
            _journal(conn, "DELETE")
        except sqlite3.Error:
            pass
        finally:
            conn.close()

    def _recheck(self, rec: FormRecord, book: BookRecords, under: str) -> int:
        """The held form (under the unit's key ``under``, an old name's with --unit-map) given this check's
        results, figures and findings when they differ; 1 when it did."""
        values = (rec.status, rec.errors, rec.warnings, rec.exec_rate, rec.exec_score, rec.total_score, rec.grade,
                  rec.results_json, rec.figures, rec.findings)
        return self.conn.execute(RECHECK, (*values, under, rec.year, rec.form, rec.project_key,
                                           book.source_hash, *values)).rowcount

    def _duplicate(self, rec: FormRecord, kept: str, dropped: str) -> None:
        """Remember a file of this run that repeats another's form: by pair of files, with the forms."""
        pair = self.duplicates.setdefault((dropped, kept), (rec.unit, rec.year, []))
        form = FORM_LABEL.get(rec.form, rec.form) + (f"“{rec.project}”" if rec.project else "")
        if form not in pair[2]:
            pair[2].append(form)

    def summary(self, shown: str | None = None) -> str:
        """The closing line (``shown``: how the store is named there; the batch page does not show the server's
        paths)."""
        c = self.counts
        line = (f"{shown or f'绩效库 {self.path}'}：新存入 {c['added']} 张表，更正后替换 {c['replaced']} 张，"
                f"与库中相同未改动 {c['unchanged']} 张")
        if c["rechecked"]:
            line += f"；同一文件重新检查的结果有变化（如库中已有上年），已更新 {c['rechecked']} 张"
        if c["skipped"]:
            line += f"；{c['skipped']} 个工作簿未存入（无法读取，或读不出单位名称、年度）"
        if c["duplicate"]:
            pairs = [f"{' 与 '.join(told_apart(dropped, kept))} 同为{unit} {year} 年的{'、'.join(forms)}"
                     for (dropped, kept), (unit, year, forms) in sorted(self.duplicates.items())]
            more = f"等 {len(pairs)} 处" if len(pairs) > 3 else ""
            line += (f"；{c['duplicate']} 张表与本次的另一个文件重复（同一单位、年度、表），未存入："
                     f"{'；'.join(pairs[:3])}{more}。请删去多余的一份，或把更正后的一份单独运行")
        return line


KEY_VERSION = "2"  # how norm_name makes keys: 2 also drops 。！？/「」〔〕, zero-width marks and a BOM


def _rekey(conn: sqlite3.Connection) -> None:
    """Keys made by an earlier norm_name made again (once: meta's key_version), so that a unit typed
    "汨罗市司法局。" then and "汨罗市司法局" now is one.  A key the new one would collide with stays as it is."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'key_version'").fetchone()
    if row is not None and row[0] == KEY_VERSION:
        return
    for column in ("unit_key", "project_key"):
        for (old,) in conn.execute(f"SELECT DISTINCT {column} FROM forms").fetchall():
            new = norm_name(old)
            if new != old:
                try:
                    conn.execute(f"UPDATE forms SET {column} = ? WHERE {column} = ?", (new, old))
                except sqlite3.IntegrityError:
                    pass
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('key_version', ?)", (KEY_VERSION,))


def _journal(conn: sqlite3.Connection, mode: str) -> str:
    """Set the journal mode when no other connection stands in the way (busy: left as it is, still safe);
    returns the mode the file is in."""
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        return conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0]
    except sqlite3.OperationalError:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(WAIT_SECONDS * 1000)}")


def _remove_new(path: Path) -> None:
    """A store file this run created and then refused: gone again (nothing written)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            target = Path(str(path) + suffix)
            if target.exists() and (suffix or target.stat().st_size == 0):
                target.unlink()
        except OSError:
            pass


# ------------------------------------------------------------------ reading


def open_readonly(path: str | os.PathLike) -> sqlite3.Connection:
    """A store opened to read (history): StoreError when it is missing, not ours, newer or damaged."""
    path = Path(path)
    if _inspect(path) == "new":
        raise StoreError(f"绩效库 {path} 不存在或是空文件", "U301")
    try:
        try:
            conn = _connect(path, readonly=True)
            ours = _verify(conn, path)
        except sqlite3.OperationalError as exc:  # left in WAL mode in a folder it cannot add its -shm to
            wal = Path(f"{path}-wal")
            if _reason(exc) != "readonly" or os.access(path.parent, os.W_OK):
                raise
            if wal.exists() and wal.stat().st_size:  # committed pages there would be missed
                raise StoreError(f"绩效库 {path} 在只读的位置，旁边还有未并入的日志 {wal.name}，无法完整读取；"
                                 "请在可以写入的位置用 jixiao-xl 打开一次（如 check --store）后再读", "U303") from None
            conn = _connect(path, readonly=True, immutable=True)  # nobody can write there either
            ours = _verify(conn, path)
        if not ours:
            conn.close()
            raise StoreError(f"{path} 是空的 SQLite 数据库，不是本工具的绩效库", "U301")
    except sqlite3.Error as exc:
        raise StoreError(_message(path, exc), _code(exc)) from None
    return conn


@dataclass
class Previous:
    """A form as the store holds it for the unit's earlier year: its file, its headline results (columns of
    ``forms``) and its figures (JSON; ``actuals`` decodes what the H rules compare, on first use)."""

    year: int
    source_file: str
    unit: str
    exec_rate: float | None
    total_score: float | None
    grade: str | None
    amount_unit: str | None  # the unit its amounts were typed in (万元, 元 …); None in a store of an older version
    figures_json: bytes | str  # UTF-8 as read for the H rules (actuals decodes only what they compare)
    _actuals: dict | None = None

    @property
    def actuals(self) -> dict:
        """The figures whose key ends in ".actual" (决算数, 实际完成值: what the H rules compare), cut out of the
        stored UTF-8 and decoded together (a form's other hundred-odd figures would be decoded, made into
        objects and dropped for every workbook a batch checks).  Inside a JSON string a quote is always
        escaped, so '["' is where an entry starts, ',["' where the next one does, '.actual",' ends a string."""
        actuals = self._actuals
        if actuals is None:
            text = self.figures_json
            if isinstance(text, str):
                text = text.encode()
            pieces = []
            end = text.find(b'.actual",')
            while end != -1:
                start = text.rfind(b'["', 0, end)
                stop = text.find(b',["', end)
                if start >= 0:
                    pieces.append(text[start:stop if stop != -1 else len(text) - 1])
                end = text.find(b'.actual",', end + 9)
            try:  # the pieces decoded at once
                entries = json.loads(b"[%s]" % b",".join(pieces))
            except ValueError:  # not the JSON we write (edited by hand): the H rules say nothing of it
                entries = []
            # the key ends so (a label or a text may too)
            actuals = self._actuals = {e[0]: e for e in entries
                                       if isinstance(e, list) and len(e) == 5 and str(e[0]).endswith(".actual")}
        return actuals


class History:
    """What the history rules ask of the store: the same form of the unit's previous year.

    Opened lazily (a batch worker opens its own read-only connection after the fork); ``bind(book)``
    gives the lookup for one workbook (``rules/history.py`` reads ``ctx.history.previous(form)``)."""

    def __init__(self, path: str | os.PathLike, unit_map: UnitMap | None = None):
        self.path = Path(path)
        self.unit_map = unit_map or UnitMap()
        self._conn = None
        self._pid = None

    def conn(self) -> sqlite3.Connection | None:
        if self._conn is None or self._pid != os.getpid():
            try:
                self._conn = open_readonly(self.path)
            except StoreError:
                self._conn = None
                return None
            self._pid = os.getpid()
        return self._conn

    def close(self) -> None:
        """Close this process's connection (before the store is closed for writing: see Store.shut)."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def bind(self, book, unit: str = "") -> BoundHistory:
        return BoundHistory(self, book, unit)

    def for_unit(self, unit: str) -> History | _ForUnit:
        """This lookup for workbooks that name no unit of their own and belong to ``unit`` (batch: a lone 附件1
        beside its department's 附件2 in one folder)."""
        return _ForUnit(self, unit) if unit else self

    def year_before(self, unit: str, year: int) -> dict[tuple[str, str], Previous]:
        """Every form the store holds of the unit's year before ``year``, by (form, project key): one query."""
        conn = self.conn()
        if conn is None:
            return {}
        keys = self.unit_map.keys(unit)
        marks = ",".join("?" * len(keys))
        try:
            rows = conn.execute(
                f"SELECT form, project_key, year, source_file, unit, exec_rate, total_score, grade, "
                f"json_extract(results_json, '$.amount_unit'), CAST(figures_json AS BLOB) "
                f"FROM forms WHERE unit_key IN ({marks}) AND year = ? ORDER BY unit_key = ?",  # its own name's last
                (*keys, year - 1, keys[0])).fetchall()
        except sqlite3.Error:  # the H rules are silent when the store cannot be read
            return {}
        return {(r[0], r[1]): Previous(*r[2:]) for r in rows}

    def previous(self, unit: str, year: int, kind: str, project: str) -> Previous | None:
        return self.year_before(unit, year).get((kind, norm_name(project)))


class _ForUnit:
    def __init__(self, history: History, unit: str):
        self.history, self.unit = history, unit

    def bind(self, book) -> BoundHistory:
        return BoundHistory(self.history, book, self.unit)


class BoundHistory:
    def __init__(self, history: History, book, unit: str = ""):
        self.history = history
        self.forms = list(book.forms)
        self.unit = book_unit(self.forms) or unit  # ``unit``: the folder's, for a workbook that names none
        self._year, self._kept = None, {}

    def previous(self, form) -> Previous | None:
        return self._find(form_year(form, self.forms), form.kind, norm_name(form_project(form)))

    def previous_of(self, rec: FormRecord) -> Previous | None:
        """The previous year of a form as the store keeps it (``records``: its year and project key)."""
        return self._find(rec.year, rec.form, rec.project_key)

    def _find(self, year: int | None, kind: str, project_key: str) -> Previous | None:
        """The unit's form of the year before ``year``: one query per year the workbook's forms are of."""
        if not self.unit or year is None:
            return None
        if self._year != year:
            self._year, self._kept = year, self.history.year_before(self.unit, year)
        return self._kept.get((kind, project_key))


# ------------------------------------------------------------------ across years


def cross_year_rows(book: BookRecords, history: BoundHistory | None) -> list[list]:
    """跨年 (the batch's 汇总, summary.CROSS_YEAR_COLUMNS): each form of a workbook as it goes into the store
    beside the same form of the unit's previous year, as the H rules found it (``history``: the lookup the
    check was bound to, one query a workbook; None when the store could not be read).  Made in the worker."""
    rows = []
    for rec in book.forms:
        prev = history.previous_of(rec) if history is not None else None
        label, project = FORM_LABEL.get(rec.form, rec.form), rec.project or WHOLE_DEPARTMENT
        if prev is None:
            rows.append([rec.unit, label, project, rec.year, None, rec.total_score, None, rec.grade, None,
                         rec.exec_rate, None, "", book.source_file, "库中没有上年", rec.history_findings])
            continue
        before, total = prev.total_score, rec.total_score
        diff = round(total - before, 2) if total is not None and before is not None else None
        rows.append([rec.unit, label, project, rec.year, before, total, prev.grade, rec.grade, prev.exec_rate,
                     rec.exec_rate, diff, prev.source_file, book.source_file, "", rec.history_findings])
    return rows
