// The 绩效自评 tab of the WPS 加载项: read the open workbook through WPS's object model, send it to
// the jixiao-xl server (the same checks as the Excel add-ins, in Python), and carry out what the server
// answers: values, formulas, colours, comments, the 校验结果 sheet, alerts.
//
// The request is the book payload xlwings Server's Office.js client sends (client "WPS"); the answer is
// its list of actions. WPS's object model is synchronous and VBA-like: Application.ActiveWorkbook,
// Worksheets.Item(i) (1-based), Range.Value2 (a 2-D array for several cells, a scalar for one; an error
// cell's COM error code, sent as the error's text), Range.Formula, Interior.Color (BGR number),
// Interior.ColorIndex (-4142: no fill), Range.Comment,
// Range.AddComment(text), Comment.Text(), Comment.Delete(), Worksheet.Visible (-1, 0, 2).
//
// Everything WPS-specific is reached through the `app` argument (window.Application in WPS, a
// stand-in under Node's test runner), and the network through `options.post`, so this file runs
// unchanged in both.

(function (root) {
  "use strict";

  const VERSION = "0.1.0";
  const MARKS_SHEET = "_jixiao_marks"; // jixiao_xl/write/marks.py: the record of what 校验 coloured
  const XL_NONE = -4142; // xlColorIndexNone / xlPatternNone
  const XL_SOLID = 1; // xlPatternSolid
  const VISIBILITY = { Visible: -1, Hidden: 0, VeryHidden: 2 };
  const ACTIONS = { validate: "校验", clear_marks: "清除标记", findings: "列出问题" };

  class ClientError extends Error {} // a failure whose message is already the Chinese text to show

  // ------------------------------------------------------------------ colours

  function bgrToHex(color) {
    const n = Number(color) >>> 0;
    const hex = (v) => v.toString(16).toUpperCase().padStart(2, "0");
    return "#" + hex(n & 0xff) + hex((n >> 8) & 0xff) + hex((n >> 16) & 0xff);
  }

  function hexToBgr(hex) {
    const h = String(hex).replace("#", "");
    const r = parseInt(h.slice(0, 2), 16);
    const g = parseInt(h.slice(2, 4), 16);
    const b = parseInt(h.slice(4, 6), 16);
    return r + g * 256 + b * 65536;
  }

  // A cell's fill as the marks record keeps it (jixiao_xl/write/marks.py solid()/as_hex()).
  function fillRecord(range) {
    const interior = range.Interior;
    if (Number(interior.ColorIndex) === XL_NONE || Number(interior.Pattern) === XL_NONE) {
      return { patternType: null, fg: null, bg: null };
    }
    // A patterned fill is kept as its main colour (the marks record holds solid fills only).
    return { patternType: "solid", fg: { rgb: "FF" + bgrToHex(interior.Color).slice(1) }, bg: null };
  }

  function setFill(range, hex) {
    if (hex === null || hex === undefined || hex === "") {
      range.Interior.ColorIndex = XL_NONE;
    } else {
      range.Interior.Pattern = XL_SOLID;
      range.Interior.Color = hexToBgr(hex);
    }
  }

  // ------------------------------------------------------------------ reading

  function visibilityName(visible) {
    if (visible === true || Number(visible) === -1) return "Visible";
    if (Number(visible) === 2) return "VeryHidden";
    return "Hidden";
  }

  function asRows(value) {
    if (!Array.isArray(value)) return [[value]];
    if (value.length && !Array.isArray(value[0])) return [value];
    return value;
  }

  // A cell showing an error: Range.Value2 gives its COM error code (CVErr, as VBA and xlwings' _xlwindows.py
  // cell_errors know them), not its text. Sent as that code the server would read a number (a 执行率 of
  // -2146826281 ÷ 83 = -2586537687.95%) or, as Office.js' text is read without err_to_str, a blank cell that
  // 校验 fills, replacing the accountant's formula. Sent as the text Excel, Office.js and the file readers
  // give ("#DIV/0!"), it is reported and left untouched. A cell holding exactly one of these numbers reads
  // as the error too (Value2 does not tell them apart); no budget form holds such an amount.
  const COM_ERRORS = {
    "-2146826281": "#DIV/0!",
    "-2146826246": "#N/A",
    "-2146826259": "#NAME?",
    "-2146826288": "#NULL!",
    "-2146826252": "#NUM!",
    "-2146826265": "#REF!",
    "-2146826273": "#VALUE!",
  };

  function cellValue(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number" && Number.isInteger(value) && COM_ERRORS[String(value)]) {
      return COM_ERRORS[String(value)];
    }
    return value;
  }

  // Whether a number format shows a date or a time: the test of xlwings Server's Office.js client
  // (xlwings-server 1.20 static/js/custom-scripts/workbook-metadata.js isDateNumberFormat: date letters
  // outside quoted text, escapes, [colour]/[$-804] brackets and digit placeholders), plus WPS's own name of
  // the General format: its NumberFormat is localised ("G/通用格式"), whose G would read as an era letter.
  function isDateFormat(format) {
    if (typeof format !== "string") return false;
    const code = format.replace(/G\/通用格式|通用格式|General/gi, "");
    for (let i = 0; i < code.length; ) {
      const char = code[i];
      if (char === '"') {
        i += 1;
        while (i < code.length && !(code[i] === '"' && code[i + 1] !== '"')) i += code[i] === '"' ? 2 : 1;
        i += 1;
        continue;
      }
      if (char === "\\" || char === "_" || char === "*") {
        i += 2;
        continue;
      }
      if (char === "[") {
        const end = code.indexOf("]", i + 1);
        if (end === -1) return false;
        if (/^(?:h+|m+|s+)$/i.test(code.slice(i + 1, end))) return true;
        i = end + 1;
        continue;
      }
      if ("0#?.".includes(char)) {
        i += 1;
        while (i < code.length && "0#?.,Ee+-%".includes(code[i])) i += 1;
        continue;
      }
      if ("ymdhseg".includes(char.toLowerCase()) || /^b[12]/i.test(code.slice(i)) ||
        /^(?:a\/p|am\/pm)/i.test(code.slice(i)) || code.startsWith("上午/下午", i)) {
        return true;
      }
      i += 1;
    }
    return false;
  }

  // A date as xlwings Server's Office.js client sends it (convertDateValues): the ISO time of its serial number.
  function isoDate(serial) {
    return new Date(Math.round((serial - 25569) * 86400 * 1000)).toISOString();
  }

  // The number formats of rows first..last of column c (0-based), all numbers: one question for the block when
  // its cells share a format (NumberFormat is null when they differ), else for each half.
  function formatsOf(sheet, c, first, last, out) {
    const cell = (r) => sheet.Cells.Item(r + 1, c + 1);
    const format = first === last ? cell(first).NumberFormat : sheet.Range(cell(first), cell(last)).NumberFormat;
    if (typeof format === "string" || first === last) {
      for (let r = first; r <= last; r++) out[r] = format;
      return;
    }
    const middle = (first + last) >> 1;
    formatsOf(sheet, c, first, middle, out);
    formatsOf(sheet, c, middle + 1, last, out);
  }

  // Values from A1 to the last used cell, as the Office.js client sends them. Value2 gives a date as its serial
  // number (2024/2/20 is 45342: Value2 does not use the Date type); sent so, the server would read a 完成值 of
  // 45342 where the accountant typed a date. The Office.js client sends a number whose format is a date as its
  // ISO time, and so does this: the formats are asked for each run of numbers down a column (a form's amounts
  // share one), split only where they differ.
  function readValues(sheet) {
    const used = sheet.UsedRange;
    const lastRow = used.Row + used.Rows.Count - 1;
    const lastColumn = used.Column + used.Columns.Count - 1;
    const range = sheet.Range(sheet.Cells.Item(1, 1), sheet.Cells.Item(lastRow, lastColumn));
    const values = asRows(range.Value2).map((row) => row.map(cellValue));
    const width = values.reduce((most, row) => Math.max(most, row.length), 0);
    for (let c = 0; c < width; c++) {
      const formats = {};
      for (let r = 0; r < values.length; r++) {
        if (typeof values[r][c] !== "number") continue;
        let last = r;
        while (last + 1 < values.length && typeof values[last + 1][c] === "number") last++;
        formatsOf(sheet, c, r, last, formats);
        r = last;
      }
      for (const r of Object.keys(formats)) {
        if (isDateFormat(formats[r])) values[r][c] = isoDate(values[r][c]);
      }
    }
    return values;
  }

  // The cells that carry a comment (批注): xlwings keeps a user's own and adds none there.
  function readNotes(sheet) {
    const notes = [];
    const comments = sheet.Comments;
    const count = comments ? comments.Count : 0;
    for (let i = 1; i <= count; i++) {
      notes.push({ address: comments.Item(i).Parent.Address(false, false) });
    }
    return notes;
  }

  // The request body: every visible sheet's values and commented cells; hidden sheets by name and
  // visibility only (they are not checked), except the hidden marks record 清除标记 needs.
  function readBook(app) {
    const book = app.ActiveWorkbook;
    if (!book) throw new ClientError("没有打开的工作簿。请先打开要校验的绩效自评工作簿。");
    const sheets = [];
    let active = 0;
    const count = book.Worksheets.Count;
    for (let i = 1; i <= count; i++) {
      const sheet = book.Worksheets.Item(i);
      const visibility = visibilityName(sheet.Visible);
      const read = visibility === "Visible" || sheet.Name === MARKS_SHEET;
      if (app.ActiveSheet && app.ActiveSheet.Name === sheet.Name) active = i - 1;
      sheets.push({
        name: sheet.Name,
        visibility: visibility,
        values: read ? readValues(sheet) : [[]],
        notes: read ? readNotes(sheet) : [],
        notes_supported: true,
        show_gridlines: true,
        print_area: null,
        pictures: [], shapes: [], charts: [], tables: [], pivot_tables: [],
      });
    }
    return {
      client: "WPS",
      version: VERSION,
      book: { name: book.Name, active_sheet_index: active, selection: "A1" },
      names: [],
      sheets: sheets,
    };
  }

  // ------------------------------------------------------------------ applying the answer

  function sheetAt(app, position) {
    return app.ActiveWorkbook.Worksheets.Item(position + 1);
  }

  function blockOf(app, action) {
    const sheet = sheetAt(app, action.sheet_position);
    const top = action.start_row + 1;
    const left = action.start_column + 1;
    return sheet.Range(
      sheet.Cells.Item(top, left),
      sheet.Cells.Item(top + action.row_count - 1, left + action.column_count - 1));
  }

  // Cell by cell: a single cell's Value2/Formula is the one assignment every WPS version takes the same
  // way (a block assignment of a scalar fills every cell with it); 校验 writes a few hundred cells at most.
  function eachCell(app, action, write) {
    const sheet = sheetAt(app, action.sheet_position);
    action.values.forEach((row, r) => row.forEach((value, c) => {
      write(sheet.Cells.Item(action.start_row + r + 1, action.start_column + c + 1),
        value === null || value === undefined ? "" : value);
    }));
  }

  // The record as Python's json.dumps writes it (", " and ": "), so the marks sheet reads the same
  // whichever program wrote it and a second 校验 leaves it byte for byte as it was.
  function pyJson(value) {
    if (value === null || value === undefined) return "null";
    if (Array.isArray(value)) return "[" + value.map(pyJson).join(", ") + "]";
    if (typeof value === "object") {
      return "{" + Object.keys(value).map((key) => JSON.stringify(key) + ": " + pyJson(value[key])).join(", ") + "}";
    }
    return JSON.stringify(value);
  }

  // Called by the server (action runMacro "jixiaoMark") for the cells 校验 colours when it could not
  // read their fill: record each cell's fill in the marks sheet first (so 清除标记 puts it back
  // exactly), then colour the cell.
  function jixiaoMark(app, marksSheet, marksJson) {
    const sheets = app.ActiveWorkbook.Worksheets;
    const store = sheets.Item(marksSheet);
    JSON.parse(marksJson).forEach((mark) => {
      const cell = sheets.Item(mark.sheet).Range(mark.cell);
      store.Range("C" + mark.row).Value2 = pyJson(fillRecord(cell));
      setFill(cell, mark.color);
    });
  }

  const MACROS = { jixiaoMark: jixiaoMark };

  const HANDLERS = {
    setValues(app, action) {
      eachCell(app, action, (cell, value) => { cell.Value2 = value; });
    },
    setFormula(app, action) {
      eachCell(app, action, (cell, value) => { cell.Formula = value; });
    },
    setRangeColor(app, action) {
      setFill(blockOf(app, action), action.args[0]);
    },
    setNumberFormat(app, action) { // 校验结果's 应为/实际 of a rate as % (1.2673 -> 126.73%)
      blockOf(app, action).NumberFormat = String(action.args[0]);
    },
    addNote(app, action) {
      sheetAt(app, action.sheet_position).Range(action.args[0]).AddComment(String(action.args[1]));
    },
    deleteNote(app, action) {
      const comment = sheetAt(app, action.sheet_position).Range(action.args[0]).Comment;
      if (comment) comment.Delete();
    },
    addSheet(app, action) {
      const [index, name] = action.args;
      const sheets = app.ActiveWorkbook.Worksheets;
      const count = sheets.Count;
      const added = index < count ? sheets.Add(sheets.Item(index + 1)) : sheets.Add(null, sheets.Item(count));
      added.Name = name;
    },
    sheetClearContents(app, action) {
      sheetAt(app, action.sheet_position).Cells.ClearContents();
    },
    setSheetVisibility(app, action) {
      sheetAt(app, action.sheet_position).Visible = VISIBILITY[action.args[0]];
    },
    alert(app, action, ui) {
      ui.alert(String(action.args[0]), String(action.args[1] || ""));
    },
    runMacro(app, action) {
      const [name, ...args] = action.args;
      const macro = MACROS[name];
      if (!macro) throw new ClientError(`校验服务要求运行加载项中没有的功能“${name}”：请更新 WPS 加载项（与服务同一版本）。`);
      macro(app, ...args);
    },
  };

  // Alerts come last: WPS shows them while the workbook already has every change.
  function applyActions(app, actions, ui) {
    const known = actions.map((action) => {
      const handler = HANDLERS[action.func];
      if (!handler) {
        throw new ClientError(`校验服务的答复中有加载项不认识的操作“${action.func}”，工作簿没有被修改。` +
          "请更新 WPS 加载项（与服务同一版本）后再试。");
      }
      return [handler, action];
    });
    const alerts = known.filter(([, action]) => action.func === "alert");
    const screen = app.ScreenUpdating;
    const active = app.ActiveSheet; // Worksheets.Add activates the new sheet: the user stays where they were
    app.ScreenUpdating = false;
    try {
      known.filter(([, action]) => action.func !== "alert").forEach(([handler, action]) => handler(app, action, ui));
    } finally {
      if (active && app.ActiveSheet !== active && visibilityName(active.Visible) === "Visible") active.Activate();
      app.ScreenUpdating = screen === undefined ? true : screen;
    }
    alerts.forEach(([handler, action]) => handler(app, action, ui));
  }

  // ------------------------------------------------------------------ the server

  // The server's address: config.js, or the server that served this add-in (online mode).
  function serverUrl(config, location) {
    const configured = config && config.server ? String(config.server) : "";
    if (configured) return configured.replace(/\/+$/, "");
    const href = location ? String(location.href || location) : "";
    const match = /^(https?:\/\/[^/]+)(\/.*)?\/wps\//.exec(href);
    if (match) return match[1] + (match[2] || "");
    throw new ClientError("WPS 加载项没有设置校验服务的地址。请让管理员用 jixiao-xl addin build-wps --server 服务地址 " +
      "重新生成加载项，或从校验服务上的 /wps/ 加载它。");
  }

  // The access key of a shared server: config.js (build-wps, or /wps/k/<key>/js/config.js as the server
  // writes it), else the /wps/k/<key>/ address the add-in was loaded from; "" for a server on this PC.
  function accessKey(config, location) {
    if (config && config.key) return String(config.key);
    const href = location ? String(location.href || location) : "";
    const match = /\/wps\/k\/([A-Za-z0-9_-]+)\//.exec(href);
    return match ? match[1] : "";
  }

  async function defaultPost(url, body, key) {
    const headers = { "Content-Type": "application/json", "X-Jixiao-Request": "1" };
    if (key) headers.Authorization = key;
    const response = await fetch(url, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  }

  function clientMessage(error, action, touched) {
    if (error instanceof ClientError) return error.message;
    const text = String((error && error.message) || error);
    if (/protect|受保护|保护/i.test(text)) {
      return `工作表受保护，无法${action}。请先取消保护（审阅 → 撤销工作表保护）再${action}。`;
    }
    if (!touched && /fetch|network|ECONNREFUSED|Failed|timeout|connect/i.test(text)) {
      return `连接不到校验服务，无法${action}，工作簿没有被修改。请确认校验服务（jixiao-xl addin serve）正在运行、` +
        "地址设置正确，稍后再试；如仍不行，请联系管理员。";
    }
    const after = touched ? "工作簿可能只改了一部分，请检查后再试一次" : "工作簿没有被修改，请稍后再试";
    return `WPS 在${action}时出错，${after}；如仍出错，请联系管理员（WPS 给出的原因：${text}）。`;
  }

  // POST the workbook to /jixiao/wps/<script>; a non-JSON or failed answer becomes Chinese text.
  async function ask(script, app, options) {
    const action = ACTIONS[script];
    const url = serverUrl(options.config, options.location) + "/jixiao/wps/" + script;
    const payload = readBook(app);
    const post = options.post || defaultPost;
    const answer = await post(url, payload, accessKey(options.config, options.location));
    let data = null;
    try {
      data = JSON.parse(answer.text);
    } catch (e) {
      data = null;
    }
    if (answer.status !== 200 && data && typeof data.detail === "string") {
      throw new ClientError(data.detail + `（${action}未进行，工作簿没有被修改）`);  // the server's refusal (401, 413 …)
    }
    if (answer.status !== 200 || data === null) {
      const said = /[\u4e00-\u9fff]/.test(answer.text || "") && String(answer.text).length < 500 ? answer.text : "";
      throw new ClientError(said || `校验服务没有正常答复（状态 ${answer.status}），无法${action}，工作簿没有被修改。` +
        "请稍后再试；如仍不行，请联系管理员。");
    }
    return data;
  }

  let busy = null; // the action under way: a second click meanwhile is refused, not run twice

  // A ribbon button: 校验 or 清除标记. Any failure reaches the user as one Chinese alert.
  async function run(script, app, options) {
    const action = ACTIONS[script];
    const ui = options.ui;
    if (busy) {
      ui.alert(`正在${busy}，请等它完成后再点。`, `${action}未开始`);
      return;
    }
    busy = action;
    let touched = false;
    try {
      const data = await ask(script, app, options);
      touched = true;
      applyActions(app, data.actions || [], ui);
    } catch (error) {
      if (options.log) options.log(error);
      ui.alert(clientMessage(error, action, touched), `${action}未完成`);
    } finally {
      busy = null;
    }
  }

  // 问题列表: the findings of the open workbook, without changing it.
  async function listFindings(app, options) {
    const ui = options.ui;
    try {
      const data = await ask("findings", app, options);
      if (data.error) {
        ui.alert(data.error, "问题列表");
        return;
      }
      const lines = [data.summary].concat(data.findings.slice(0, 30).map((f) => `${f.code} ${f.message}`));
      if (data.findings.length > 30) lines.push(`……共 ${data.findings.length} 条，全部列在“校验结果”表中（点“校验”生成）。`);
      ui.alert(lines.join("\n"), "问题列表");
    } catch (error) {
      if (options.log) options.log(error);
      ui.alert(clientMessage(error, "列出问题", false), "问题列表");
    }
  }

  const api = {
    VERSION, MARKS_SHEET, COM_ERRORS, ClientError, bgrToHex, hexToBgr, fillRecord, isDateFormat, readBook, applyActions,
    serverUrl, accessKey, clientMessage, run, listFindings, jixiaoMark,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.JixiaoWps = api;
})(typeof window !== "undefined" ? window : globalThis);
