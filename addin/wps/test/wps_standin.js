// A stand-in for WPS 表格's JavaScript object model (the part the add-in uses), for Node's test runner.
//
// Modelled on WPS's ET API reference (the same names as Excel VBA): Application.ActiveWorkbook,
// Workbook.Worksheets (Count, Item(index from 1 or name), Add(Before, After)), Worksheet (Name,
// Visible -1/0/2, UsedRange, Range("B6") / Range(cell1, cell2), Cells.Item(row, column),
// Cells.ClearContents(), Comments), Range (Row, Column, Rows.Count, Columns.Count, Value2 — a
// scalar for one cell, a 2-D array otherwise —, Formula, Interior.Color/ColorIndex/Pattern,
// NumberFormat, Comment, AddComment(text), Address(rowAbsolute, columnAbsolute), ClearContents()), Comment
// (Text(), Delete(), Parent, Author).
//
// Behaviour copied from Excel/WPS where the add-in depends on it: an empty cell's Value2 is
// undefined; a cell showing an error (#DIV/0!) gives its COM error code as Value2 (-2146826281, the
// CVErr codes of VBA and of xlwings' _xlwindows.py cell_errors) and its formula as Formula; an entry is
// parsed as typed (typed below: a leading apostrophe makes it text, "(5)" is -5, "1/2" a date …); Interior.ColorIndex is -4142 and Color reads white (16777215)
// when a cell has no fill; AddComment on a cell that already has a comment fails; writing to a
// protected sheet fails; a date's Value2 is its serial number; NumberFormat is "G/通用格式" for
// General and null for a range whose cells differ. Every call is recorded in app.calls.

"use strict";

const XL_NONE = -4142;
const WHITE = 16777215;
const COM_ERROR_CODES = {
  "#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259, "#NULL!": -2146826288,
  "#NUM!": -2146826252, "#REF!": -2146826265, "#VALUE!": -2146826273,
};

// What typing `entry` into a cell gives in WPS/Excel (zh-CN), as Value2 and Formula take a string: a leading
// apostrophe keeps the rest as text (not shown, not read back); number texts ("00123" 123, "1E3" 1000, "(5)" -5,
// "86.19%" 0.8619, "1,234") numbers; TRUE/FALSE booleans; "2024-12-31", "1/2", "12-31", "2024年12月31日",
// "12月31日" dates (their serial number, as Value2 gives a date) and "9:30" times. The same model as the
// Office.js stand-ins (tests/officejs.py typed, tests/browser/officejs_standin.js typed).
const NUMBER = /^[+-]?[¥￥$]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$/;
const DATES = [/^(?<y>\d{4})[-/](?<m>\d{1,2})[-/](?<d>\d{1,2})$/, /^(?<y>\d{4})[-/](?<m>\d{1,2})$/,
  /^(?<m>\d{1,2})[-/](?<d>\d{1,2})$/, /^(?<y>\d{4})年(?<m>\d{1,2})月((?<d>\d{1,2})日)?$/,
  /^(?<m>\d{1,2})月(?<d>\d{1,2})日$/];

function typed(entry) {
  if (typeof entry !== "string") return entry;
  if (entry.startsWith("'")) return entry.slice(1);
  const text = entry.trim();
  if (/^(true|false)$/i.test(text)) return text.toUpperCase() === "TRUE";
  const negative = text.startsWith("(") && text.endsWith(")");
  const body = negative ? text.slice(1, -1) : text;
  if (NUMBER.test(body)) {
    const number = Number(body.replace(/[¥￥$,%]/g, "")) / (body.endsWith("%") ? 100 : 1);
    return negative ? -number : number;
  }
  for (const pattern of DATES) {
    const found = pattern.exec(text);
    if (!found) continue;
    const y = Number(found.groups.y || new Date().getFullYear());
    const m = Number(found.groups.m);
    const d = Number(found.groups.d || 1);
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) break;
    return date.getTime() / 86400000 + 25569;
  }
  const time = /^(\d{1,2}):(\d{2})(:(\d{2}))?$/.exec(text);
  if (time && Number(time[1]) < 24 && Number(time[2]) < 60) {
    return (Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[4] || 0)) / 86400;
  }
  return entry;
}

function columnName(column) {
  let name = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function parseCell(address) {
  const match = /^\$?([A-Z]+)\$?(\d+)$/i.exec(String(address).trim());
  if (!match) throw new Error(`Invalid cell reference: ${address}`);
  let column = 0;
  for (const ch of match[1].toUpperCase()) column = column * 26 + (ch.charCodeAt(0) - 64);
  return [Number(match[2]), column];
}

function hexToBgr(hex) {
  const h = hex.replace("#", "");
  return parseInt(h.slice(0, 2), 16) + parseInt(h.slice(2, 4), 16) * 256 + parseInt(h.slice(4, 6), 16) * 65536;
}

function bgrToHex(n) {
  const hex = (v) => v.toString(16).toUpperCase().padStart(2, "0");
  return "#" + hex(n & 0xff) + hex((n >> 8) & 0xff) + hex((n >> 16) & 0xff);
}

class Comment {
  constructor(range, text, author) {
    this._range = range;
    this._text = text;
    this.Author = author;
  }
  Text(text) {
    this._range._sheet._app._log("Comment.Text", this._range._label(), text);
    if (text !== undefined) this._text = String(text);
    return this._text;
  }
  Delete() {
    this._range._sheet._app._log("Comment.Delete", this._range._label());
    this._range._sheet._write();
    this._range._cell(this._range._top, this._range._left).comment = null;
  }
  get Parent() {
    return this._range;
  }
}

class Interior {
  constructor(range) {
    this._range = range;
  }
  _fill() {
    return this._range._cell(this._range._top, this._range._left).fill;
  }
  _set(prop, value, update) {
    this._range._sheet._app._log("Interior." + prop, this._range._label(), value);
    this._range._sheet._write();
    this._range._each((cell) => update(cell));
  }
  get Color() {
    const fill = this._fill();
    return fill ? fill.color : WHITE;
  }
  set Color(value) {
    this._set("Color", value, (cell) => { cell.fill = { color: Number(value), pattern: 1 }; });
  }
  get ColorIndex() {
    return this._fill() ? 1 : XL_NONE; // any palette index; only "none" matters to the add-in
  }
  set ColorIndex(value) {
    this._set("ColorIndex", value, (cell) => {
      if (Number(value) === XL_NONE) cell.fill = null;
      else throw new Error("the stand-in models ColorIndex = xlColorIndexNone only");
    });
  }
  get Pattern() {
    const fill = this._fill();
    return fill ? fill.pattern : XL_NONE;
  }
  set Pattern(value) {
    this._set("Pattern", value, (cell) => {
      if (Number(value) === XL_NONE) cell.fill = null;
      else cell.fill = { color: cell.fill ? cell.fill.color : WHITE, pattern: Number(value) };
    });
  }
}

class Range {
  constructor(sheet, top, left, bottom, right) {
    this._sheet = sheet;
    this._top = top;
    this._left = left;
    this._bottom = bottom === undefined ? top : bottom;
    this._right = right === undefined ? left : right;
  }
  _label() {
    return `${this._sheet.Name}!${this.Address(false, false)}`;
  }
  _cell(row, column) {
    return this._sheet._cell(row, column);
  }
  _each(fn) {
    for (let r = this._top; r <= this._bottom; r++) {
      for (let c = this._left; c <= this._right; c++) fn(this._cell(r, c), r - this._top, c - this._left);
    }
  }
  _single() {
    return this._top === this._bottom && this._left === this._right;
  }
  get Row() {
    return this._top;
  }
  get Column() {
    return this._left;
  }
  get Rows() {
    return { Count: this._bottom - this._top + 1 };
  }
  get Columns() {
    return { Count: this._right - this._left + 1 };
  }
  Address(rowAbsolute, columnAbsolute) {
    const one = (r, c) =>
      (columnAbsolute === false ? "" : "$") + columnName(c) + (rowAbsolute === false ? "" : "$") + r;
    return one(this._top, this._left) + (this._single() ? "" : ":" + one(this._bottom, this._right));
  }
  get Value2() {
    this._sheet._app._log("Range.Value2.get", this._label());
    const value2 = (cell) => (cell.error ? COM_ERROR_CODES[cell.error] : cell.value);
    if (this._single()) return value2(this._cell(this._top, this._left));
    const rows = [];
    for (let r = this._top; r <= this._bottom; r++) {
      const row = [];
      for (let c = this._left; c <= this._right; c++) row.push(value2(this._cell(r, c)));
      rows.push(row);
    }
    return rows;
  }
  set Value2(value) {
    this._sheet._app._log("Range.Value2.set", this._label(), value);
    this._sheet._write();
    this._each((cell, r, c) => {
      const entry = Array.isArray(value) ? value[r][c] : value;
      cell.formula = null;
      cell.error = null;
      if (entry === "" || entry === null || entry === undefined) cell.value = undefined;
      else cell.value = typed(entry);
    });
  }
  get Formula() {
    return this._single() ? (this._cell(this._top, this._left).formula || this.Value2) : null;
  }
  set Formula(value) {
    this._sheet._app._log("Range.Formula.set", this._label(), value);
    this._sheet._write();
    this._each((cell, r, c) => {
      const entry = Array.isArray(value) ? value[r][c] : value;
      cell.error = null; // the new formula's result: the stand-in does not calculate
      if (typeof entry === "string" && entry.startsWith("=")) {
        cell.formula = entry;
        const link = /^=HYPERLINK\(".*","(.*)"\)$/.exec(entry);
        cell.value = link ? link[1] : undefined; // WPS shows the link's text
      } else {
        cell.formula = null;
        cell.value = entry === "" || entry === null ? undefined : typed(entry);
      }
    });
  }
  get NumberFormat() {
    // WPS names the General format in the user's language; a range whose cells differ gives null
    // (as Excel VBA's Range.NumberFormat: "Null if all cells in the specified range don't have the same format")
    this._sheet._app._log("Range.NumberFormat.get", this._label());
    const formats = new Set();
    this._each((cell) => formats.add(cell.numberFormat || "G/通用格式"));
    return formats.size === 1 ? [...formats][0] : null;
  }
  set NumberFormat(value) {
    this._sheet._app._log("Range.NumberFormat.set", this._label(), value);
    this._sheet._write();
    this._each((cell) => { cell.numberFormat = value === "General" ? null : value; });
  }
  get Interior() {
    return new Interior(this);
  }
  get Comment() {
    const comment = this._cell(this._top, this._left).comment;
    return comment ? new Comment(this, comment.text, comment.author) : null;
  }
  AddComment(text) {
    this._sheet._app._log("Range.AddComment", this._label(), text);
    this._sheet._write();
    const cell = this._cell(this._top, this._left);
    if (cell.comment) throw new Error("无法在已有批注的单元格上添加批注");
    cell.comment = { text: String(text), author: this._sheet._app.UserName };
    return this.Comment;
  }
  ClearContents() {
    this._sheet._app._log("Range.ClearContents", this._label());
    this._sheet._write();
    this._each((cell) => { cell.value = undefined; cell.formula = null; cell.error = null; });
  }
  Select() {
    this._sheet._app._log("Range.Select", this._label());
  }
}

class Worksheet {
  constructor(app, name, visible) {
    this._app = app;
    this._name = name;
    this._visible = visible === undefined ? -1 : visible;
    this._cells = new Map(); // "row,column" -> {value, formula, error ("#DIV/0!" | null), fill: {color, pattern} | null, comment}
    this.protected = false;
  }
  _cell(row, column) {
    const key = row + "," + column;
    if (!this._cells.has(key)) {
      this._cells.set(key, { value: undefined, formula: null, error: null, fill: null, comment: null });
    }
    return this._cells.get(key);
  }
  _write() {
    if (this.protected) throw new Error("您试图更改的单元格或图表位于受保护的工作表中。");
  }
  _used() {
    const used = [...this._cells.entries()]
      .filter(([, c]) => c.value !== undefined || c.formula || c.error || c.fill || c.comment);
    return used.map(([key]) => key.split(",").map(Number));
  }
  get Name() {
    return this._name;
  }
  set Name(value) {
    this._app._log("Worksheet.Name.set", this._name, value);
    this._name = String(value);
  }
  get Visible() {
    return this._visible;
  }
  set Visible(value) {
    this._app._log("Worksheet.Visible.set", this._name, value);
    this._visible = value === true ? -1 : value === false ? 0 : Number(value);
    if (this._visible !== -1 && this._app._active === this) { // hiding the active sheet activates another
      this._app._active = this._app.ActiveWorkbook.Worksheets._list.find((s) => s._visible === -1) || this;
    }
  }
  Activate() {
    this._app._log("Worksheet.Activate", this._name);
    if (this._visible !== -1) throw new Error("不能激活隐藏的工作表");
    this._app._active = this;
  }
  get UsedRange() {
    const used = this._used();
    if (!used.length) return new Range(this, 1, 1);
    const rows = used.map(([r]) => r);
    const columns = used.map(([, c]) => c);
    return new Range(this, Math.min(...rows), Math.min(...columns), Math.max(...rows), Math.max(...columns));
  }
  Range(first, second) {
    if (first instanceof Range) {
      const last = second || first;
      return new Range(this, first._top, first._left, last._bottom, last._right);
    }
    const [a, b] = String(first).split(":");
    const [top, left] = parseCell(a);
    const [bottom, right] = b ? parseCell(b) : [top, left];
    return new Range(this, top, left, bottom, right);
  }
  get Cells() {
    const sheet = this;
    return {
      Item: (row, column) => new Range(sheet, row, column),
      ClearContents: () => {
        sheet._app._log("Cells.ClearContents", sheet._name);
        sheet._write();
        for (const cell of sheet._cells.values()) { cell.value = undefined; cell.formula = null; cell.error = null; }
      },
    };
  }
  get Comments() {
    const cells = [...this._cells.entries()].filter(([, c]) => c.comment).map(([key]) => key.split(",").map(Number));
    return {
      Count: cells.length,
      Item: (i) => {
        const range = new Range(this, cells[i - 1][0], cells[i - 1][1]);
        return range.Comment;
      },
    };
  }
}

class Worksheets {
  constructor(app, list) {
    this._app = app;
    this._list = list;
  }
  get Count() {
    return this._list.length;
  }
  Item(index) {
    const sheet = typeof index === "number" ? this._list[index - 1] : this._list.find((s) => s.Name === index);
    if (!sheet) throw new Error(`下标越界：${index}`);
    return sheet;
  }
  Add(before, after) {
    this._app._log("Worksheets.Add", before ? "before " + before.Name : null, after ? "after " + after.Name : null);
    let n = this._list.length + 1;
    while (this._list.some((s) => s.Name === "Sheet" + n)) n++;
    const sheet = new Worksheet(this._app, "Sheet" + n);
    const at = before ? this._list.indexOf(before) : after ? this._list.indexOf(after) + 1 : 0;
    this._list.splice(at, 0, sheet);
    this._app._active = sheet; // as in Excel and WPS: the new sheet becomes the active one
    return sheet;
  }
}

class Application {
  // fixture: {name, active, sheets: [{name, visible, protected,
  //   cells: [{address, value, formula, error: "#DIV/0!" (a cell showing an error), fill: "#RRGGBB", comment,
  //   numberFormat (as WPS names it; none: "G/通用格式"; a date's value is its serial number, as Value2 gives it)}]}]}
  constructor(fixture) {
    this.calls = [];
    this.UserName = "会计";
    this.ScreenUpdating = true;
    const list = fixture.sheets.map((spec) => {
      const sheet = new Worksheet(this, spec.name, spec.visible);
      for (const c of spec.cells) {
        const [row, column] = parseCell(c.address);
        const cell = sheet._cell(row, column);
        cell.value = c.value === null || c.value === undefined ? undefined : c.value;
        cell.formula = c.formula || null;
        cell.error = c.error || null;
        cell.fill = c.fill ? { color: hexToBgr(c.fill), pattern: 1 } : null;
        cell.comment = c.comment ? { text: c.comment, author: "会计" } : null;
        if (c.numberFormat) cell.numberFormat = c.numberFormat;
      }
      sheet.protected = Boolean(spec.protected);
      return sheet;
    });
    this.ActiveWorkbook = { Name: fixture.name, Worksheets: new Worksheets(this, list) };
    this._active = list.find((s) => s.Name === fixture.active) || list.find((s) => s._visible === -1) || list[0];
  }
  get ActiveSheet() {
    return this._active;
  }
  _log(...call) {
    this.calls.push(call);
  }
  // Everything a user sees: per sheet, each cell's value, fill ("#RRGGBB") and comment; and visibility.
  snapshot() {
    const out = {};
    for (const sheet of this.ActiveWorkbook.Worksheets._list) {
      out[sheet.Name + "!visible"] = sheet.Visible;
      for (const [key, cell] of sheet._cells.entries()) {
        const [row, column] = key.split(",").map(Number);
        if (cell.value === undefined && !cell.fill && !cell.comment && !cell.formula && !cell.error) continue;
        out[`${sheet.Name}!${columnName(column)}${row}`] = {
          value: cell.error || (cell.value === undefined ? null : cell.value),
          formula: cell.formula,
          fill: cell.fill ? bgrToHex(cell.fill.color) : null,
          comment: cell.comment ? cell.comment.text : null,
        };
      }
    }
    return out;
  }
  sheetNames() {
    return this.ActiveWorkbook.Worksheets._list.map((s) => s.Name);
  }
  cell(sheet, address) {
    return this.snapshot()[`${sheet}!${address}`] || { value: null, formula: null, fill: null, comment: null };
  }
}

module.exports = { Application, columnName, parseCell, hexToBgr, bgrToHex, typed, XL_NONE, COM_ERROR_CODES };
