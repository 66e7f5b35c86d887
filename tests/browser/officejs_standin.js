// A stand-in for Office.js in Excel, served in place of office.js to the add-in's real pages
// (tests/test_officejs_browser.py routes the request for office.js here). It holds a workbook and
// behaves like Excel's JavaScript API where the add-in and xlwings Server's client depend on it:
//
// - Proxy objects and the load/sync discipline: a method returns a proxy at once; what it does runs
//   at the next context.sync() (or when Excel.run ends), in order; a scalar property read before it was
//   loaded and synced throws PropertyNotLoaded (OfficeExtension.Error, as Excel throws it); a property
//   set on a proxy reads back as set. A failing operation rejects that sync with the error's code
//   (ItemNotFound, InvalidArgument, AccessDenied, ApiNotFound…); operations before it in the batch stay done.
// - Requirement sets per client generation (Office.context.requirements.isSetSupported): Microsoft 365
//   (ExcelApi 1.20), Excel 2024 perpetual (ExcelApi 1.17) and Excel 2021 perpetual (ExcelApi 1.14), as
//   Microsoft's "Excel JavaScript API requirement sets" table lists them. An API member of a newer set
//   (Worksheet.notes: ExcelApi 1.18) fails with ApiNotFound at the sync that would use it.
// - Range.values as Excel gives them (numbers, text, booleans, "" for blank, an error cell as its text
//   "#DIV/0!"), Range.formulas, numberFormat, format.fill (color "#FFFFFF" and pattern "None" for no
//   fill), notes (ExcelApi 1.18), sheets (add, position, visibility: the last visible sheet cannot be
//   hidden), protected sheets (writes fail with AccessDenied), and Range.values input parsed as typed in
//   Excel zh-CN (typed below): a leading apostrophe makes text, "=…" (or "+…", "-…", "@…" that is not a
//   number) a formula, number texts ("00123", "1E3", "(5)", "86.19%", "1,234") numbers, "TRUE" a boolean,
//   date and time texts ("2024-12-31", "1/2", "12月31日", "9:30") dates and times.
// - Office.context.ui.displayDialogAsync opens the dialog page (xlwings' alert page) in an iframe; its
//   own copy of this file sends messageParent to this window; a second dialog while one is open fails
//   with 12007 as in Office. Office.actions.associate records the ribbon's function-file commands.
//
// The workbook comes from window.__officeStandinConfig = {client: "m365" | "excel2024" | "excel2021",
// workbook: {name, active, selection, sheets: [{name, visibility, protected, cells: {A1: {v, f, nf, fill, note}}}]}}
// (set by the test before any page script runs). window.OfficeStandin gives the test the workbook's state.

(function () {
  "use strict";

  const CLIENTS = {
    m365: { ExcelApi: "1.20", ExcelApiDesktop: "1.1", SharedRuntime: "1.1", CustomFunctionsRuntime: "1.4",
      CustomFunctions: "1.4", DialogApi: "1.2", DialogOrigin: "1.1", RibbonApi: "1.2", AddinCommands: "1.3" },
    excel2024: { ExcelApi: "1.17", SharedRuntime: "1.1", CustomFunctionsRuntime: "1.3", CustomFunctions: "1.3",
      DialogApi: "1.2", DialogOrigin: "1.1", RibbonApi: "1.2", AddinCommands: "1.3" },
    excel2021: { ExcelApi: "1.14", SharedRuntime: "1.1", CustomFunctionsRuntime: "1.3", CustomFunctions: "1.3",
      DialogApi: "1.2", DialogOrigin: "1.1", RibbonApi: "1.1", AddinCommands: "1.3" },
  };

  const config = window.__officeStandinConfig || {};
  const clientName = config.client || "m365";
  const sets = CLIENTS[clientName];
  if (!sets) throw new Error("unknown client generation " + clientName);

  function versionAtLeast(have, want) {
    const a = String(have).split(".").map(Number);
    const b = String(want || "1.1").split(".").map(Number);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
    }
    return true;
  }

  function isSetSupported(name, version) {
    const key = Object.keys(sets).find((k) => k.toLowerCase() === String(name).toLowerCase());
    return key !== undefined && versionAtLeast(sets[key], version);
  }

  // ------------------------------------------------------------------ errors as Excel reports them

  const MESSAGES = {
    PropertyNotLoaded: (p) => `The property '${p}' is not available. Before reading the property's value, ` +
      "call the load method on the containing object and call \"context.sync()\" on the associated request context.",
    ItemNotFound: () => "The requested resource doesn't exist.",
    ItemAlreadyExists: () => "A resource with the same name or identifier already exists.",
    InvalidArgument: () => "The argument is invalid or missing or has an incorrect format.",
    InvalidOperation: () => "The operation is invalid for the object.",
    AccessDenied: () => "The cell or chart you're trying to change is on a protected sheet. To make a change, " +
      "unprotect the sheet. You might be requested to enter a password.",
    ApiNotFound: () => "The API you are trying to use could not be found. It may be available in a newer version " +
      "of Excel. Please refer to the documentation: \"Excel JavaScript API requirement sets\" for more information.",
  };

  class OfficeError extends Error {
    constructor(code, detail, location) {
      super(MESSAGES[code](detail));
      this.name = "RichApi.Error";
      this.code = code;
      this.debugInfo = { code, message: this.message, errorLocation: location || detail || "" };
    }
  }

  // ------------------------------------------------------------------ the workbook model

  function columnName(column) {
    let name = "";
    for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    return name;
  }

  function parseCell(text) {
    const m = /^\$?([A-Z]{1,3})\$?(\d+)$/i.exec(text);
    if (!m) return null;
    let column = 0;
    for (const ch of m[1].toUpperCase()) column = column * 26 + ch.charCodeAt(0) - 64;
    return [Number(m[2]), column];
  }

  function parseAddress(address) {
    const local = String(address).split("!").pop();
    const [a, b] = local.split(":");
    const first = parseCell(a);
    const last = b === undefined ? first : parseCell(b);
    if (!first || !last) throw new OfficeError("InvalidArgument", address);
    return [Math.min(first[0], last[0]), Math.min(first[1], last[1]), Math.max(first[0], last[0]),
      Math.max(first[1], last[1])];
  }

  function quoteSheet(name) {
    return /^[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff]*$/.test(name) ? name : "'" + name.replace(/'/g, "''") + "'";
  }

  function a1(r1, c1, r2, c2) {
    const first = columnName(c1) + r1;
    return r1 === r2 && c1 === c2 ? first : first + ":" + columnName(c2) + r2;
  }

  class SheetModel {
    constructor(spec) {
      this.name = spec.name;
      this.visibility = spec.visibility || "Visible";
      this.protected = Boolean(spec.protected);
      this.cells = new Map(); // "row,column" -> {v, f, nf, fill: {color, pattern}, note: {content, author}}
      for (const [address, c] of Object.entries(spec.cells || {})) {
        const [row, column] = parseCell(address);
        this.cells.set(row + "," + column, {
          v: c.v === undefined || c.v === null ? "" : c.v,
          f: c.f || null,
          nf: c.nf || "General",
          fill: c.fill ? { color: c.fill.toUpperCase(), pattern: "Solid" } : null,
          note: c.note ? { content: c.note, author: c.noteAuthor || "会计" } : null,
        });
      }
    }
    cell(row, column) {
      return this.cells.get(row + "," + column) || { v: "", f: null, nf: "General", fill: null, note: null };
    }
    edit(row, column, change) {
      if (this.protected) throw new OfficeError("AccessDenied", this.name);
      const key = row + "," + column;
      const cell = Object.assign({}, this.cell(row, column));
      change(cell);
      this.cells.set(key, cell);
    }
    used(valuesOnly) {
      let box = null;
      for (const [key, c] of this.cells) {
        const content = c.v !== "" || c.f;
        if (!(content || (!valuesOnly && (c.fill || c.nf !== "General" || c.note)))) continue;
        const [r, col] = key.split(",").map(Number);
        box = box ? [Math.min(box[0], r), Math.min(box[1], col), Math.max(box[2], r), Math.max(box[3], col)]
          : [r, col, r, col];
      }
      return box;
    }
  }

  const book = {
    name: (config.workbook && config.workbook.name) || "工作簿1.xlsx",
    sheets: ((config.workbook && config.workbook.sheets) || [{ name: "Sheet1" }]).map((s) => new SheetModel(s)),
    selection: (config.workbook && config.workbook.selection) || "A1",
  };
  book.active = book.sheets.find((s) => s.name === (config.workbook || {}).active) || book.sheets[0];

  function sheetByName(name) {
    return book.sheets.find((s) => s.name.toLowerCase() === String(name).toLowerCase()) || null;
  }

  function liveSheet(sheet) {
    if (!book.sheets.includes(sheet)) throw new OfficeError("ItemNotFound", sheet.name);
    return sheet;
  }

  // What a user typing `input` into a cell gets (Range.values / Range.formulas input), in Excel zh-CN: a leading
  // apostrophe keeps the rest as text (not shown, not read back); numbers with thousands separators, a currency
  // sign, an exponent, a percent sign or in parentheses (negative) are numbers ("00123" 123, "(5)" -5, "86.19%"
  // 0.8619); TRUE/FALSE booleans; "2024-12-31", "2024/12/31", "2024-12", "1/2", "12-31", "2024年12月31日",
  // "12月31日" dates and "9:30" times (serial numbers with a date/time format); "=…" (or "+…", "-…", "@…" that
  // is not a number) a formula. tests/officejs.py typed is the same model.
  const NUMBER = /^[+-]?[¥￥$]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$/;
  const DATES = [/^(?<y>\d{4})[-/](?<m>\d{1,2})[-/](?<d>\d{1,2})$/, /^(?<y>\d{4})[-/](?<m>\d{1,2})$/,
    /^(?<m>\d{1,2})[-/](?<d>\d{1,2})$/, /^(?<y>\d{4})年(?<m>\d{1,2})月((?<d>\d{1,2})日)?$/,
    /^(?<m>\d{1,2})月(?<d>\d{1,2})日$/];

  function typed(input) {
    if (typeof input !== "string") return { v: input, f: null };
    if (input.startsWith("'")) return { v: input.slice(1), f: null };
    const text = input.trim();
    if (/^(true|false)$/i.test(text)) return { v: text.toUpperCase() === "TRUE", f: null };
    const negative = text.startsWith("(") && text.endsWith(")");
    const body = negative ? text.slice(1, -1) : text;
    if (NUMBER.test(body)) {
      const number = Number(body.replace(/[¥￥$,%]/g, "")) / (body.endsWith("%") ? 100 : 1);
      return { v: negative ? -number : number, f: null, nf: body.endsWith("%") ? "0.00%" : undefined };
    }
    if (/^[=+\-@]/.test(input) && input.length > 1) {
      const link = /^=HYPERLINK\(".*","(.*)"\)$/.exec(input);
      return { v: link ? link[1] : 0, f: input.startsWith("=") ? input : "=" + input };
    }
    for (const pattern of DATES) {
      const found = pattern.exec(text);
      if (!found) continue;
      const y = Number(found.groups.y || new Date().getFullYear());
      const m = Number(found.groups.m);
      const d = Number(found.groups.d || 1);
      const date = new Date(Date.UTC(y, m - 1, d));
      if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) break;
      return { v: date.getTime() / 86400000 + 25569, f: null, nf: "yyyy/m/d" };
    }
    const time = /^(\d{1,2}):(\d{2})(:(\d{2}))?$/.exec(text);
    if (time && Number(time[1]) < 24 && Number(time[2]) < 60) {
      return { v: (Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[4] || 0)) / 86400, f: null, nf: "h:mm" };
    }
    return { v: input, f: null };
  }

  function color(value) {
    const hex = String(value).trim();
    if (/^#[0-9a-f]{6}$/i.test(hex)) return hex.toUpperCase();
    if (/^[0-9a-f]{6}$/i.test(hex)) return "#" + hex.toUpperCase();
    const named = { red: "#FF0000", yellow: "#FFFF00", white: "#FFFFFF", black: "#000000" }[hex.toLowerCase()];
    if (!named) throw new OfficeError("InvalidArgument", value);
    return named;
  }

  // ------------------------------------------------------------------ proxies and the request context

  class RequestContext {
    constructor() {
      this._queue = [];
      this.workbook = new Workbook(this, () => book);
      this.application = this.workbook.application;
      this.trackedObjects = { add() {}, remove() {} };
    }
    async sync() {
      const queue = this._queue;
      this._queue = [];
      await new Promise((resolve) => setTimeout(resolve, 0)); // a round trip to Excel
      for (const op of queue) {
        try {
          op();
        } catch (error) {
          this._queue = []; // Excel stops the batch at the failing operation
          throw error;
        }
      }
    }
  }

  const SCALARS = Symbol("scalars");
  const NAVS = Symbol("navigation");

  class ClientObject {
    constructor(context, resolve, requires, parent) {
      this.context = context;
      this._parent = parent || null;
      this._resolve = resolve;
      this._requires = requires || null; // the newest requirement set on the path to this object
      this._values = {};
      this._navs = {};
    }
    _check() {
      if (this._requires && !isSetSupported("ExcelApi", this._requires)) throw new OfficeError("ApiNotFound", "");
    }
    _queue(op) {
      this.context._queue.push(() => {
        this._check();
        op();
      });
    }
    _target() {
      const target = this._resolve();
      if (target === null) throw new OfficeError("ItemNotFound", "null object");
      return target;
    }
    _nav(name) {
      const spec = this.constructor[NAVS][name];
      if (!this._navs[name]) {
        const requires = newer(this._requires, spec.requires);
        this._navs[name] = new spec.type(this.context, () => spec.get(this._target(), this), requires, this);
      }
      return this._navs[name];
    }
    load(what) {
      const paths = parseLoad(what);
      this._queue(() => this._loadNow(paths));
      return this;
    }
    // Reads the model into the loaded values (at sync time).
    _loadNow(paths) {
      const target = this._resolve();
      if (target === null) return; // a null object: nothing to load
      const scalars = this.constructor[SCALARS];
      const navs = this.constructor[NAVS];
      const wanted = paths.length ? paths : Object.keys(scalars).map((name) => [name]);
      for (const path of wanted) {
        const [head, ...rest] = path;
        if (head === "*") {
          for (const name of Object.keys(scalars)) this._loadScalar(name, target);
        } else if (scalars[head]) {
          this._loadScalar(head, target);
        } else if (navs[head]) {
          const nav = this._nav(head);
          nav._check();
          nav._loadNow(rest.length ? [rest] : []);
        } else {
          throw new OfficeError("InvalidArgument", `${this.constructor.name}.${head}`);
        }
      }
    }
    _loadScalar(name, target) {
      const spec = this.constructor[SCALARS][name];
      if (spec.requires && !isSetSupported("ExcelApi", spec.requires)) throw new OfficeError("ApiNotFound", name);
      this._values[name] = clone(spec.get(target, this));
    }
    toJSON() {
      return Object.assign({}, this._values);
    }
  }

  function newer(a, b) {
    if (!a) return b || null;
    if (!b) return a;
    return versionAtLeast(a, b) ? a : b;
  }

  function clone(value) {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  }

  // "a, b/c" | ["a", "b/c"] | {select: "a,b"} -> [["a"], ["b", "c"]]
  function parseLoad(what) {
    if (what === undefined || what === null) return [];
    let list = what;
    if (typeof what === "object" && !Array.isArray(what)) list = what.select || Object.keys(what);
    if (typeof list === "string") list = list.split(",");
    return list.map((p) => p.trim()).filter(Boolean).map((p) => p.split("/").map((s) => s.trim()));
  }

  function define(cls, scalars, navs, methods) {
    cls[SCALARS] = scalars;
    cls[NAVS] = navs || {};
    for (const [name, spec] of Object.entries(scalars)) {
      Object.defineProperty(cls.prototype, name, {
        get() {
          if (!(name in this._values)) throw new OfficeError("PropertyNotLoaded", name, `${cls.name}.${name}`);
          return this._values[name];
        },
        set(value) {
          if (!spec.set) throw new OfficeError("InvalidArgument", `${cls.name}.${name} is read-only`);
          this._values[name] = value;
          this._queue(() => {
            if (spec.requires && !isSetSupported("ExcelApi", spec.requires)) throw new OfficeError("ApiNotFound", name);
            spec.set(this._target(), value, this);
          });
        },
      });
    }
    for (const name of Object.keys(navs || {})) {
      Object.defineProperty(cls.prototype, name, { get() { return this._nav(name); } });
    }
    Object.assign(cls.prototype, methods || {});
  }

  // An object whose existence is known only after a sync (…OrNullObject).
  function nullable(obj) {
    obj.context._queue.push(() => {
      obj._check();
      obj._null = obj._resolve() === null;
    });
    Object.defineProperty(obj, "isNullObject", {
      get() {
        if (obj._null === undefined) throw new OfficeError("PropertyNotLoaded", "isNullObject");
        return obj._null;
      },
    });
    return obj;
  }

  // A collection: .items after load (each item with the loaded properties).
  class Collection extends ClientObject {
    get items() {
      if (this._items === undefined) throw new OfficeError("PropertyNotLoaded", "items");
      return this._items;
    }
    _loadNow(paths) {
      const target = this._resolve();
      if (target === null) return;
      const models = this._models(target);
      const itemPaths = paths.map((p) => (p[0] === "items" ? p.slice(1) : p)).filter((p) => p.length);
      this._items = models.map((model) => {
        const item = this._item(model);
        item._loadNow(itemPaths);
        return item;
      });
    }
  }

  // ------------------------------------------------------------------ Range

  class Range extends ClientObject {
    _box() {
      const t = this._target();
      liveSheet(t.sheet);
      return t;
    }
    _cells(fn) {
      const { sheet, r1, c1, r2, c2 } = this._box();
      for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) fn(sheet, r, c, r - r1, c - c1);
    }
    _matrix(get) {
      const { sheet, r1, c1, r2, c2 } = this._box();
      const rows = [];
      for (let r = r1; r <= r2; r++) {
        const row = [];
        for (let c = c1; c <= c2; c++) row.push(get(sheet.cell(r, c)));
        rows.push(row);
      }
      return rows;
    }
    _input(value, broadcast) {
      const { r1, c1, r2, c2 } = this._box();
      const rows = r2 - r1 + 1;
      const columns = c2 - c1 + 1;
      if (!Array.isArray(value)) return () => value;
      if (broadcast && value.length === 1 && value[0].length === 1) return () => value[0][0];
      if (value.length !== rows || value.some((row) => !Array.isArray(row) || row.length !== columns)) {
        throw new OfficeError("InvalidArgument", "The number of rows or columns in the input array doesn't " +
          "match the size or dimensions of the range.");
      }
      return (r, c) => value[r][c];
    }
    _write(value) {
      const at = this._input(value, false);
      this._cells((sheet, r, c, i, j) => {
        const input = at(i, j);
        if (input === null || input === undefined) return; // null leaves the cell as it is
        sheet.edit(r, c, (cell) => {
          const entry = input === "" ? { v: "", f: null } : typed(input);
          cell.v = entry.v;
          cell.f = entry.f;
          if (entry.nf && cell.nf === "General") cell.nf = entry.nf; // Excel gives a typed date/percent its format
        });
      });
    }
    getCell(row, column) {
      return new Range(this.context, () => {
        const t = this._box();
        return { sheet: t.sheet, r1: t.r1 + row, c1: t.c1 + column, r2: t.r1 + row, c2: t.c1 + column };
      }, this._requires);
    }
    getSurroundingRegion() {
      return new Range(this.context, () => this._box(), this._requires);
    }
    clear(applyTo) {
      this._queue(() => this._cells((sheet, r, c) => sheet.edit(r, c, (cell) => clearCell(cell, applyTo))));
    }
    select() {
      this._queue(() => { book.selection = a1(...Object.values(this._box()).slice(1)); });
    }
  }

  function clearCell(cell, applyTo) {
    const what = applyTo || "All";
    if (what === "All" || what === "Contents") {
      cell.v = "";
      cell.f = null;
    }
    if (what === "All" || what === "Formats") {
      cell.fill = null;
      cell.nf = "General";
    }
  }

  class RangeFill extends ClientObject {
    clear() {
      this._queue(() => this._range()._cells((sheet, r, c) => sheet.edit(r, c, (cell) => { cell.fill = null; })));
    }
    _range() {
      return this._parent._parent;
    }
  }
  class RangeFormat extends ClientObject {}

  define(Range, {
    address: { get: (t) => `${quoteSheet(t.sheet.name)}!${a1(t.r1, t.c1, t.r2, t.c2)}` },
    addressLocal: { get: (t) => `${quoteSheet(t.sheet.name)}!${a1(t.r1, t.c1, t.r2, t.c2)}` },
    rowCount: { get: (t) => t.r2 - t.r1 + 1 },
    columnCount: { get: (t) => t.c2 - t.c1 + 1 },
    rowIndex: { get: (t) => t.r1 - 1 },
    columnIndex: { get: (t) => t.c1 - 1 },
    values: {
      get: (t, p) => p._matrix((cell) => cell.v),
      set: (t, value, p) => p._write(value, false),
    },
    formulas: {
      get: (t, p) => p._matrix((cell) => cell.f || cell.v),
      set: (t, value, p) => p._write(value, true),
    },
    numberFormat: {
      get: (t, p) => p._matrix((cell) => cell.nf),
      set: (t, value, p) => {
        const at = p._input(value, true);
        p._cells((sheet, r, c, i, j) => sheet.edit(r, c, (cell) => { cell.nf = String(at(i, j)); }));
      },
    },
    valueTypes: {
      get: (t, p) => p._matrix((cell) => (cell.v === "" ? "Empty" : typeof cell.v === "number" ? "Double"
        : typeof cell.v === "boolean" ? "Boolean" : /^#(DIV\/0!|N\/A|NAME\?|NULL!|NUM!|REF!|VALUE!)$/.test(cell.v)
          ? "Error" : "String")),
    },
  }, {
    format: { type: RangeFormat, get: (t) => t },
    worksheet: { type: null, get: (t) => t.sheet },
  });
  define(RangeFormat, {}, { fill: { type: RangeFill, get: (t) => t } });
  // A fill read over several cells with different fills is null, as in Excel.
  function fillOf(range, read) {
    const seen = new Set(range._matrix((cell) => read(cell)).flat().map((v) => JSON.stringify(v)));
    return seen.size === 1 ? JSON.parse([...seen][0]) : null;
  }
  define(RangeFill, {
    color: {
      get: (t, p) => fillOf(p._range(), (cell) => (cell.fill ? cell.fill.color : "#FFFFFF")),
      set: (t, value, p) => {
        const hex = color(value);
        p._range()._cells((sheet, r, c) => sheet.edit(r, c, (cell) => { cell.fill = { color: hex, pattern: "Solid" }; }));
      },
    },
    pattern: {
      requires: "1.9",
      get: (t, p) => fillOf(p._range(), (cell) => (cell.fill ? cell.fill.pattern : "None")),
    },
  });

  // ------------------------------------------------------------------ notes (ExcelApi 1.18)

  class Note extends ClientObject {
    getLocation() {
      return new Range(this.context, () => {
        const n = this._target();
        return { sheet: n.sheet, r1: n.row, c1: n.column, r2: n.row, c2: n.column };
      }, this._requires);
    }
    delete() {
      this._queue(() => {
        const n = this._target();
        n.sheet.edit(n.row, n.column, (cell) => { cell.note = null; });
      });
    }
  }
  define(Note, {
    content: {
      get: (n) => n.sheet.cell(n.row, n.column).note.content,
      set: (n, value) => n.sheet.edit(n.row, n.column, (cell) => { cell.note = Object.assign({}, cell.note, { content: String(value) }); }),
    },
    authorName: { get: (n) => n.sheet.cell(n.row, n.column).note.author },
  });

  function notesOf(sheet) {
    const out = [];
    for (const [key, cell] of sheet.cells) {
      if (!cell.note) continue;
      const [row, column] = key.split(",").map(Number);
      out.push({ sheet, row, column });
    }
    return out;
  }

  class NoteCollection extends Collection {
    _models(sheet) {
      return notesOf(liveSheet(sheet));
    }
    _item(model) {
      return new Note(this.context, () => model, this._requires);
    }
    getItemOrNullObject(address) {
      return nullable(new Note(this.context, () => {
        const sheet = liveSheet(this._target());
        const [r1, c1] = parseAddress(address);
        return sheet.cell(r1, c1).note ? { sheet, row: r1, column: c1 } : null;
      }, this._requires));
    }
    getItem(address) {
      return new Note(this.context, () => {
        const found = this.getItemOrNullObject(address)._resolve();
        if (!found) throw new OfficeError("ItemNotFound", address);
        return found;
      }, this._requires);
    }
    add(address, content) {
      this._queue(() => {
        const sheet = liveSheet(this._target());
        const [r1, c1, r2, c2] = parseAddress(address);
        if (r1 !== r2 || c1 !== c2) throw new OfficeError("InvalidArgument", address);
        if (sheet.cell(r1, c1).note) throw new OfficeError("InvalidOperation", address);
        sheet.edit(r1, c1, (cell) => { cell.note = { content: String(content), author: "jixiao-xl" }; });
      });
      return new Note(this.context, () => ({ sheet: this._target(), row: parseAddress(address)[0],
        column: parseAddress(address)[1] }), this._requires);
    }
  }
  define(NoteCollection, {});

  // ------------------------------------------------------------------ empty collections (names, tables, charts, …)

  class EmptyCollection extends Collection {
    _models() {
      return [];
    }
    getItemOrNullObject() {
      return nullable(new ClientObjectEmpty(this.context, () => null, this._requires));
    }
    getItem(name) {
      return new ClientObjectEmpty(this.context, () => { throw new OfficeError("ItemNotFound", name); }, this._requires);
    }
  }
  class ClientObjectEmpty extends ClientObject {}
  define(ClientObjectEmpty, {});
  define(EmptyCollection, {});

  class RangeAreas extends ClientObject {
    clear(applyTo) {
      this._queue(() => {
        const sheet = liveSheet(this._target());
        for (const [key, cell] of [...sheet.cells]) {
          const [r, c] = key.split(",").map(Number);
          sheet.edit(r, c, (edited) => clearCell(edited, applyTo));
          void cell;
        }
      });
    }
  }
  define(RangeAreas, {}, { areas: { type: EmptyCollection, get: () => [] } });

  class PageLayout extends ClientObject {
    getPrintAreaOrNullObject() {
      return nullable(new RangeAreas(this.context, () => null, this._requires));
    }
  }
  define(PageLayout, {});

  // ------------------------------------------------------------------ Worksheet

  class Worksheet extends ClientObject {
    getRange(address) {
      return new Range(this.context, () => {
        const sheet = liveSheet(this._target());
        const [r1, c1, r2, c2] = parseAddress(address === undefined ? "A1:XFD1048576" : address);
        return { sheet, r1, c1, r2, c2 };
      });
    }
    getRangeByIndexes(row, column, rowCount, columnCount) {
      return new Range(this.context, () => {
        if (!(rowCount > 0 && columnCount > 0)) throw new OfficeError("InvalidArgument", "getRangeByIndexes");
        return { sheet: liveSheet(this._target()), r1: row + 1, c1: column + 1, r2: row + rowCount, c2: column + columnCount };
      });
    }
    getUsedRangeOrNullObject(valuesOnly) {
      return nullable(new Range(this.context, () => {
        const sheet = liveSheet(this._target());
        const box = sheet.used(Boolean(valuesOnly));
        return box ? { sheet, r1: box[0], c1: box[1], r2: box[2], c2: box[3] } : null;
      }));
    }
    getUsedRange(valuesOnly) {
      return new Range(this.context, () => {
        const sheet = liveSheet(this._target());
        const box = sheet.used(Boolean(valuesOnly)) || [1, 1, 1, 1];
        return { sheet, r1: box[0], c1: box[1], r2: box[2], c2: box[3] };
      });
    }
    getRanges(address) {
      const areas = new RangeAreas(this.context, () => this._target(), newer(this._requires, "1.9"));
      if (address !== undefined) throw new Error("the stand-in models getRanges() of the whole sheet only");
      return areas;
    }
    activate() {
      this._queue(() => {
        const sheet = liveSheet(this._target());
        if (sheet.visibility !== "Visible") throw new OfficeError("InvalidOperation", "activate");
        book.active = sheet;
      });
    }
    delete() {
      this._queue(() => {
        const sheet = liveSheet(this._target());
        book.sheets.splice(book.sheets.indexOf(sheet), 1);
      });
    }
  }
  define(Worksheet, {
    name: {
      get: (s) => liveSheet(s).name,
      set: (s, value) => {
        if (sheetByName(value) && sheetByName(value) !== s) throw new OfficeError("ItemAlreadyExists", value);
        s.name = String(value);
      },
    },
    id: { get: (s) => "{" + book.sheets.indexOf(liveSheet(s)) + "}" },
    position: {
      get: (s) => book.sheets.indexOf(liveSheet(s)),
      set: (s, value) => {
        const to = Number(value);
        if (!(to >= 0 && to < book.sheets.length)) throw new OfficeError("InvalidArgument", "position");
        book.sheets.splice(book.sheets.indexOf(liveSheet(s)), 1);
        book.sheets.splice(to, 0, s);
      },
    },
    visibility: {
      get: (s) => liveSheet(s).visibility,
      set: (s, value) => {
        if (!["Visible", "Hidden", "VeryHidden"].includes(value)) throw new OfficeError("InvalidArgument", value);
        if (value !== "Visible" && !book.sheets.some((o) => o !== s && o.visibility === "Visible")) {
          throw new OfficeError("InvalidOperation", "the last visible sheet");
        }
        s.visibility = value;
        if (value !== "Visible" && book.active === s) book.active = book.sheets.find((o) => o.visibility === "Visible");
      },
    },
    showGridlines: { requires: "1.8", get: () => true },
    tabColor: { get: () => "" },
  }, {
    notes: { type: NoteCollection, requires: "1.18", get: (s) => s },
    names: { type: EmptyCollection, requires: "1.4", get: (s) => s },
    tables: { type: EmptyCollection, get: (s) => s },
    charts: { type: EmptyCollection, get: (s) => s },
    pivotTables: { type: EmptyCollection, requires: "1.8", get: (s) => s },
    shapes: { type: EmptyCollection, requires: "1.9", get: (s) => s },
    pageLayout: { type: PageLayout, requires: "1.9", get: (s) => s },
  });

  class WorksheetCollection extends Collection {
    _models() {
      return book.sheets.slice();
    }
    _item(model) {
      return new Worksheet(this.context, () => model);
    }
    getItem(name) {
      return new Worksheet(this.context, () => {
        const sheet = sheetByName(name);
        if (!sheet) throw new OfficeError("ItemNotFound", name);
        return sheet;
      });
    }
    getItemOrNullObject(name) {
      return nullable(new Worksheet(this.context, () => sheetByName(name)));
    }
    getActiveWorksheet() {
      return new Worksheet(this.context, () => book.active);
    }
    add(name) {
      let added = null;
      this._queue(() => {
        let title = name;
        if (title === undefined || title === null) {
          let n = book.sheets.length + 1;
          while (sheetByName("Sheet" + n)) n++;
          title = "Sheet" + n;
        }
        if (sheetByName(title)) throw new OfficeError("ItemAlreadyExists", title);
        added = new SheetModel({ name: String(title) });
        book.sheets.push(added);
      });
      return new Worksheet(this.context, () => added);
    }
    getCount() {
      const result = { value: undefined };
      this._queue(() => { result.value = book.sheets.length; });
      return result;
    }
  }
  define(WorksheetCollection, {});
  Range[NAVS].worksheet.type = Worksheet;

  // ------------------------------------------------------------------ Workbook, Application

  class CultureInfo extends ClientObject {}
  class DatetimeFormat extends ClientObject {}
  define(DatetimeFormat, { shortDatePattern: { get: () => "yyyy/M/d" } });
  define(CultureInfo, { name: { get: () => "zh-CN" } }, {
    datetimeFormat: { type: DatetimeFormat, requires: "1.12", get: (t) => t },
  });

  class Application extends ClientObject {
    calculate() {
      this._queue(() => {});
    }
    suspendScreenUpdatingUntilNextSync() {
      this._queue(() => {});
    }
  }
  define(Application, {
    calculationMode: { requires: "1.8", get: () => "Automatic", set: () => {} },
  }, { cultureInfo: { type: CultureInfo, requires: "1.11", get: (t) => t } });

  class Workbook extends ClientObject {
    getSelectedRange() {
      return new Range(this.context, () => {
        const [r1, c1, r2, c2] = parseAddress(book.selection);
        return { sheet: book.active, r1, c1, r2, c2 };
      });
    }
  }
  define(Workbook, { name: { get: (b) => b.name } }, {
    worksheets: { type: WorksheetCollection, get: (b) => b },
    names: { type: EmptyCollection, get: (b) => b },
    application: { type: Application, get: (b) => b },
  });

  // ------------------------------------------------------------------ Excel, Office, CustomFunctions

  async function run(first, second) {
    const batch = typeof first === "function" ? first : second;
    const context = new RequestContext();
    const result = await batch(context);
    await context.sync();
    return result;
  }

  window.OfficeExtension = { Error: OfficeError, ErrorCodes: { propertyNotLoaded: "PropertyNotLoaded" } };
  window.Excel = {
    run,
    RequestContext,
    ShapeType: { image: "Image", geometricShape: "GeometricShape" },
    ClearApplyTo: { all: "All", formats: "Formats", contents: "Contents" },
    CalculationType: { full: "Full", recalculate: "Recalculate" },
    SaveBehavior: { save: "Save" },
    ErrorCodes: { itemNotFound: "ItemNotFound", apiNotFound: "ApiNotFound" },
  };

  // The ribbon's function file: Office.actions.associate, run by OfficeStandin.ribbon(id) as Office
  // runs an ExecuteFunction button.
  const actions = {};
  const dialogs = [];
  let openDialog = null;

  function queryOf(url) {
    const params = new URL(url, window.location.href).searchParams;
    return { prompt: params.get("prompt"), title: params.get("title") };
  }

  function displayDialogAsync(url, options, callback) {
    const entry = Object.assign({ url, open: false, refused: false }, queryOf(url));
    dialogs.push(entry);
    const done = typeof options === "function" ? options : callback;
    if (openDialog) { // Office: "a dialog is already opened from this add-in"
      entry.refused = true;
      if (done) done({ status: "failed", error: { code: 12007, message: "A dialog box is already opened from this host window." } });
      return;
    }
    const frame = document.createElement("iframe");
    frame.src = url;
    frame.className = "office-standin-dialog";
    frame.style.cssText = "position:fixed;left:5%;top:5%;width:90%;height:80%;background:#fff;border:2px solid #444;z-index:99999";
    document.body.appendChild(frame);
    entry.open = true;
    const handlers = {};
    const dialog = {
      addEventHandler(type, handler) { handlers[type] = handler; },
      close() {
        entry.open = false;
        frame.remove();
        if (openDialog === dialog) openDialog = null;
      },
      messageChild() {},
      _message(message) {
        const handler = handlers[window.Office.EventType.DialogMessageReceived];
        if (handler) handler({ message, origin: window.location.origin });
      },
    };
    frame.jixiaoDialog = dialog;
    openDialog = dialog;
    if (done) done({ status: "succeeded", value: dialog });
  }

  function messageParent(message) {
    const frames = window.parent.document.querySelectorAll("iframe.office-standin-dialog");
    for (const frame of frames) {
      if (frame.contentWindow === window && frame.jixiaoDialog) frame.jixiaoDialog._message(message);
    }
  }

  const ready = new Promise((resolve) => setTimeout(() => resolve({ host: "Excel", platform: "PC" }), 0));
  const functions = {};

  window.Office = {
    onReady(callback) {
      return ready.then((info) => (callback ? callback(info) : info));
    },
    context: {
      host: "Excel",
      platform: "PC",
      displayLanguage: "zh-CN",
      contentLanguage: "zh-CN",
      diagnostics: { host: "Excel", platform: "PC", version: clientName === "m365" ? "16.0.19231.20156" : "16.0.14332.20011" },
      requirements: { isSetSupported },
      ui: { displayDialogAsync, messageParent },
      document: { settings: { get() { return null; }, set() {}, saveAsync() {} } },
    },
    actions: {
      associate(id, handler) { actions[id] = handler; },
    },
    addin: {
      showAsTaskpane: async () => {},
      hide: async () => {},
      setStartupBehavior: async () => {},
      onVisibilityModeChanged: async () => () => {},
    },
    EventType: { DialogMessageReceived: "dialogMessageReceived", DialogEventReceived: "dialogEventReceived" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    HostType: { Excel: "Excel" },
    PlatformType: { PC: "PC", OfficeOnline: "OfficeOnline", Mac: "Mac" },
    StartupBehavior: { load: "Load", none: "None" },
  };
  window.CustomFunctions = {
    associate(name, fn) { functions[name] = fn; },
    Error: class extends Error {
      constructor(code, message) {
        super(message);
        this.code = code;
      }
    },
    ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A", divisionByZero: "#DIV/0!", invalidNumber: "#NUM!",
      nullReference: "#NULL!", invalidName: "#NAME?", invalidReference: "#REF!" },
  };

  // ------------------------------------------------------------------ for the test

  function snapshot() {
    return {
      active: book.active ? book.active.name : null,
      sheets: book.sheets.map((sheet) => {
        const cells = {};
        const keys = [...sheet.cells.keys()].sort((a, b) => {
          const [ra, ca] = a.split(",").map(Number);
          const [rb, cb] = b.split(",").map(Number);
          return ra - rb || ca - cb;
        });
        for (const key of keys) {
          const c = sheet.cells.get(key);
          if (c.v === "" && !c.f && !c.fill && !c.note && c.nf === "General") continue;
          const [row, column] = key.split(",").map(Number);
          cells[columnName(column) + row] = { v: c.v, f: c.f, nf: c.nf, fill: c.fill ? c.fill.color : null,
            note: c.note ? c.note.content : null };
        }
        return { name: sheet.name, visibility: sheet.visibility, cells };
      }),
    };
  }

  window.OfficeStandin = {
    client: clientName,
    isSetSupported,
    snapshot,
    dialogs,
    actions: () => Object.keys(actions),
    // Office runs an ExecuteFunction button: the associated function with an event to complete.
    ribbon(id) {
      const handler = actions[id];
      if (!handler) throw new Error(`no function associated with ${id}`);
      return new Promise((resolve) => handler({ completed: () => resolve(true), source: { id } }));
    },
    functions: () => Object.keys(functions),
    // Excel calculates a cell with =JIXIAO.NAME(…): the associated function with each argument as a 2-D
    // range value and the invocation last; the value the cell shows, or the error's code and message.
    async calculate(name, args, address) {
      const fn = functions[name];
      if (!fn) throw new Error(`no function associated with ${name}`);
      const invocation = { address, parameterAddresses: [], setResult() {}, onCanceled: null };
      try {
        return { value: await fn(...args, invocation) };
      } catch (error) {
        return { code: error.code || null, message: String(error.message || error) };
      }
    },
  };
})();
