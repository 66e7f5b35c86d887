// The WPS add-in's buttons against the stand-in WPS object model (wps_standin.js).
//
// End to end (run by tests/test_wps.py, which starts the real jixiao-xl server and writes the
// fixtures from real workbooks): JIXIAO_SERVER is the server's address, JIXIAO_FIXTURES the folder of
// workbook fixtures. Without them (node --test addin/wps/test/ by hand) those tests skip and only the
// stand-in's own tests run.

"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const JixiaoWps = require("../js/jixiao.js");
const { Application } = require("./wps_standin.js");

const SERVER = process.env.JIXIAO_SERVER;
const FIXTURES = process.env.JIXIAO_FIXTURES;
const e2e = { skip: SERVER && FIXTURES ? false : "needs JIXIAO_SERVER and JIXIAO_FIXTURES (run by tests/test_wps.py)" };

function workbook(name) {
  return new Application(JSON.parse(fs.readFileSync(path.join(FIXTURES, name + ".json"), "utf8")));
}

// What a click sends and shows: the request bodies, the alerts (text and title).
function options(server) {
  const sent = [];
  const alerts = [];
  return {
    sent,
    alerts,
    config: { server: server === undefined ? SERVER : server },
    ui: { alert: (text, title) => alerts.push({ text, title }) },
    post: async (url, body) => {
      sent.push({ url, body });
      const response = await fetch(url, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    },
  };
}

const RED = "#FFC7CE";
const YELLOW = "#FFEB9C";
const SUMMARY = "发现 1 个错误、2 个警告；附件2：部门整体支出自评总分 99（优）；" +
  "附件3：项目支出自评（司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援））总分 100（优）；" +
  "未校验隐藏的工作表：内部备注（需要校验时请先取消隐藏：右键点工作表标签 → 取消隐藏）";

function looks(app) {
  const out = {};
  for (const [key, cell] of Object.entries(app.snapshot())) {
    if (key.startsWith("附件")) out[key] = [cell.fill, cell.comment];
  }
  return out;
}

function typed(app) {
  const out = {};
  for (const [key, cell] of Object.entries(app.snapshot())) {
    if (key.startsWith("附件") && cell.value !== null) out[key] = cell.value;
  }
  return out;
}

// ------------------------------------------------------------------ end to end

test("校验 colours and comments the problem cells, writes 校验结果, alerts the totals", e2e, async () => {
  const app = workbook("seed");
  const before = typed(app);
  const opts = options();
  await JixiaoWps.run("validate", app, opts);

  assert.deepEqual(opts.alerts, [{ text: SUMMARY, title: "校验结果" }]);
  // the request: client WPS, visible sheets' values, the hidden sheet by name only, comments by address
  const body = opts.sent[0].body;
  assert.equal(opts.sent[0].url, SERVER + "/jixiao/wps/validate");
  assert.equal(body.client, "WPS");
  const hidden = body.sheets.find((s) => s.name === "内部备注");
  assert.equal(hidden.visibility, "Hidden");
  assert.deepEqual(hidden.values, [[]]);
  assert.ok(!JSON.stringify(body).includes("只给自己看的备注"));
  assert.deepEqual(body.sheets.find((s) => s.name === "附件1").notes, [{ address: "B7" }]);

  // errors red, warnings yellow, our comment where the accountant had none
  const b7 = app.cell("附件1", "B7");
  assert.equal(b7.fill, RED);
  assert.equal(b7.comment, "请核对"); // the accountant's own comment is kept, none added
  assert.equal(app.cell("附件1", "B6").fill, null); // 三公 17 is right once 公务用车 is 9: not blamed
  const d25 = app.cell("附件1", "D25");
  assert.equal(d25.fill, YELLOW);
  assert.match(d25.comment, /^B121 警告：公用经费控制率 = 340\.27 ÷ 268\.49 = 126\.73%/);
  assert.equal(app.cell("附件2", "D5").fill, YELLOW);
  assert.match(app.cell("附件2", "D5").comment, /^E105 警告/);

  // blank derived cells filled; nothing the accountant typed changed
  assert.deepEqual(["B12", "C12", "D12"].map((a) => app.cell("附件1", a).value), [332, 83, 440.32]);
  const after = typed(app);
  for (const [key, value] of Object.entries(before)) assert.equal(after[key], value, key);

  // 校验结果: visible, header, one row per finding with a link to the cell, the totals
  assert.deepEqual(app.sheetNames(), ["附件1", "附件2", "附件3", "内部备注", "校验结果", "_jixiao_marks"]);
  assert.equal(app.ActiveWorkbook.Worksheets.Item("校验结果").Visible, -1);
  const results = app.ActiveWorkbook.Worksheets.Item("校验结果");
  const rows = results.UsedRange.Value2;
  assert.deepEqual(rows[0], ["代码", "严重程度", "工作表", "单元格", "位置", "说明", "应为", "实际"]);
  const errors = rows.filter((r) => r[1] === "错误").map((r) => [r[0], r[2], r[3]]);
  assert.deepEqual(errors, [["B111", "附件1", "B7"]]);
  assert.equal(results.Range("D2").Formula, "=HYPERLINK(\"#'附件1'!B7\",\"B7\")");
  // 应为/实际 of the 公用经费控制率 (1, 1.2673) shown as percentages; amounts keep the general format
  const b121 = rows.findIndex((r) => r[0] === "B121") + 1;
  assert.deepEqual([results.Range("G" + b121).Value2, results.Range("H" + b121).Value2], [1, 1.2673]);
  assert.deepEqual([results.Range("G" + b121).NumberFormat, results.Range("H" + b121).NumberFormat], ["0.00%", "0.00%"]);
  assert.equal(results.Range("H2").NumberFormat, "G/通用格式");
  assert.ok(rows.some((r) => r[0] === "共 1 个错误、2 个警告"));
  // the marks record is hidden and holds the accountant's fill of D25
  const marks = app.ActiveWorkbook.Worksheets.Item("_jixiao_marks");
  assert.equal(marks.Visible, 0);
  const record = marks.UsedRange.Value2.find((r) => r[1] === "D25");
  assert.deepEqual(JSON.parse(record[2]), { patternType: "solid", fg: { rgb: "FFDDEBF7" }, bg: null });
  // WPS was told not to redraw while the answer was applied, and to redraw afterwards
  assert.equal(app.ScreenUpdating, true);
  assert.ok(app.calls.some((c) => c[0] === "Worksheets.Add"));
  assert.equal(app.ActiveSheet.Name, "附件2"); // where the user clicked 校验, not the sheets it added
  assert.equal(body.book.active_sheet_index, 1);
});

test("校验 leaves a cell showing an error and its formula alone, and says to fix it", e2e, async () => {
  const app = workbook("errors");
  const opts = options();
  await JixiaoWps.run("validate", app, opts);
  // the request: the error's text, not the COM error code WPS's Value2 gives (-2146826281 is #DIV/0!)
  const values = (name) => opts.sent[0].body.sheets.find((s) => s.name === name).values;
  assert.equal(values("附件1")[11][1], "#DIV/0!");
  assert.equal(values("附件3")[5][4], "#N/A");
  assert.ok(!JSON.stringify(opts.sent[0].body).includes("-21468"));
  // the cells and their formulas as they were; nothing written there or worked out from them
  for (const [sheet, address, shown, formula] of [["附件1", "B12", "#DIV/0!", "=B13/B14"],
    ["附件3", "E6", "#N/A", "=VLOOKUP(A6,E7:E9,2,0)"]]) {
    const cell = app.cell(sheet, address);
    assert.equal(cell.value, shown, address);
    assert.equal(cell.formula, formula, address);
    assert.equal(cell.fill, RED, address); // marked by colour and comment only
    assert.match(cell.comment, new RegExp(`N003 错误：单元格显示 ${shown.replace("/", "\\/")}（公式出错）.*请改正公式`));
  }
  const writes = app.calls.filter((c) => c[0] === "Range.Value2.set" || c[0] === "Range.Formula.set");
  for (const label of ["附件1!B12", "附件3!E6", "附件3!G6", "附件3!H6"]) {
    assert.ok(!writes.some((c) => c[1] === label), label);
  }
  assert.equal(app.cell("附件3", "G6").value, null);
  assert.deepEqual(["C12", "D12"].map((a) => app.cell("附件1", a).value), [83, 440.32]); // the rest as before
  // 校验结果 names the cells and the errors; no rate made of an error code (-2586537687.95%) anywhere
  const rows = app.ActiveWorkbook.Worksheets.Item("校验结果").UsedRange.Value2;
  const n003 = rows.filter((r) => r[0] === "N003").map((r) => [r[2], r[3], r[1]]);
  assert.deepEqual(n003, [["附件1", "B12", "错误"], ["附件3", "E6", "错误"]]);
  assert.ok(!JSON.stringify(app.snapshot()).includes("2586537"));
  for (const cell of Object.values(app.snapshot())) {
    assert.ok(!(typeof cell.value === "number" && Math.abs(cell.value) > 1e7), JSON.stringify(cell));
  }
  // 清除标记: the look comes back, the formulas are still there
  await JixiaoWps.run("clear_marks", app, options());
  assert.deepEqual(app.cell("附件1", "B12"), { value: "#DIV/0!", formula: "=B13/B14", fill: null, comment: null });
});

test("a cell showing an error is sent as the error's text, whatever COM error code Value2 gives", () => {
  const codes = require("./wps_standin.js").COM_ERROR_CODES;
  const cells = Object.keys(codes).map((error, i) => ({ address: "A" + (i + 1), error, formula: "=1/0" }));
  cells.push({ address: "B1", value: -2146826281.5 }, { address: "B2", value: "-2146826281" });
  const app = new Application({ name: "a.xlsx", sheets: [{ name: "S", cells }] });
  assert.equal(app.ActiveWorkbook.Worksheets.Item(1).Range("A1").Value2, -2146826281); // what WPS gives
  const values = JixiaoWps.readBook(app).sheets[0].values;
  assert.deepEqual(values.map((row) => row[0]), Object.keys(codes));
  assert.deepEqual([values[0][1], values[1][1]], [-2146826281.5, "-2146826281"]); // a number, a text: as they are
  assert.deepEqual(JixiaoWps.COM_ERRORS, Object.fromEntries(Object.entries(codes).map(([e, c]) => [String(c), e])));
});

// A date typed in a cell (2024/2/20, 2024年2月20日: WPS stores it as a date) is its serial number in Value2.
// xlwings Server's Office.js client sends a number whose format is a date as its ISO time (xlwings-server 1.20,
// static/js/custom-scripts/workbook-metadata.js convertDateValues / isDateNumberFormat), and the file readers
// read it as a date: 问题列表 must say what the accountant typed, never 完成值“45342”.
test("a date typed as 实际完成值 is read as the date, as in Excel and the files", e2e, async () => {
  const app = workbook("dates");
  const before = app.snapshot();
  const opts = options();
  await JixiaoWps.listFindings(app, opts);
  const text = opts.alerts[0].text;
  assert.doesNotMatch(text, /45342/);
  assert.match(text, /I108 \[附件3\] 时效指标“2023年全年” 得分 \(H15\)：读作：不晚于 2023年12月31日；实际 2024-02-20/);
  const sheet = opts.sent[0].body.sheets.find((s) => s.name === "附件3");
  assert.equal(sheet.values[14][5], "2024-02-20T00:00:00.000Z");
  assert.equal(sheet.values[5][3], 83); // an amount in 0.00 beside General ones: a number still
  assert.deepEqual(app.snapshot(), before);
});

test("texts 校验 writes stay texts: 校验结果, the marks record, a sheet named like a date", e2e, async () => {
  // WPS's Value2 takes a string as typed (the stand-in's typed): unprotected, 实际 showed -5, dates and TRUE,
  // 工作表 a date, and 清除标记 found no sheet by the name the marks record held
  const app = workbook("texts");
  const before = app.snapshot();
  const opts = options();
  await JixiaoWps.run("validate", app, opts);
  assert.match(opts.alerts[0].text, /^发现 6 个错误、2 个警告；2024-12：部门整体支出自评总分 无法复核/);
  const texts = { E5: "(5)", H14: "1/2", H15: "2024-12-31", H17: "TRUE", H18: "12月31日" };
  const cells = app.snapshot();
  const rows = {};
  for (let row = 2; cells[`校验结果!A${row}`]; row++) {
    if (cells[`校验结果!A${row}`].value === "N001") {
      rows[cells[`校验结果!D${row}`].value] = [cells[`校验结果!C${row}`].value, cells[`校验结果!H${row}`].value];
    }
  }
  assert.deepEqual(rows, Object.fromEntries(Object.entries(texts).map(([a, t]) => [a, ["2024-12", t]])));
  assert.equal(cells["2024-12!E5"].fill, RED);
  await JixiaoWps.run("clear_marks", app, options());
  const after = app.snapshot();
  for (const [key, cell] of Object.entries(after)) {
    if (key.startsWith("2024-12!") && !key.endsWith("visible")) {
      assert.equal(cell.fill, null, key);
      assert.deepEqual(cell.value, before[key].value, key);
    }
  }
});

test("an entry is parsed as typed; an apostrophe keeps it text", () => {
  const { typed } = require("./wps_standin.js");
  assert.equal(typed("(5)"), -5);
  assert.equal(typed("00123"), 123);
  assert.equal(typed("86.19%"), 0.8619);
  assert.equal(typed("2024-12-31"), 45657);
  assert.equal(typed("TRUE"), true);
  for (const text of ["(5)", "00123", "1/2", "附件1"]) assert.equal(typed("'" + text), text);
  assert.equal(typed("附件1"), "附件1");
});

test("which number formats are dates: WPS's localised General is not", () => {
  const dates = ["yyyy/m/d", 'yyyy"年"m"月"d"日"', "yyyy年m月d日", "[$-804]yyyy年m月d日", "[DBNum1][$-804]yyyy年m月d日",
    "m/d/yy h:mm", "[h]:mm:ss", "上午/下午h\"时\"mm\"分\"", "yyyy-mm-dd;@"];
  const numbers = ["G/通用格式", "General", "0.00", "0.00%", "#,##0.00_ ", '#,##0.00"万元"', '0"天"', "0.00E+00",
    "[Red]-0.00", '_-¥* #,##0.00_-;-¥* #,##0.00_-;_-¥* "-"??_-;_-@_-', "@", 'G/通用格式"分"'];
  assert.deepEqual(dates.filter((f) => !JixiaoWps.isDateFormat(f)), []);
  assert.deepEqual(numbers.filter((f) => JixiaoWps.isDateFormat(f)), []);
  // the request: a date's serial number goes as its ISO time, in a mixed column too; other numbers as they are
  const app = new Application({ name: "a.xlsx", sheets: [{ name: "S", cells: [
    { address: "A1", value: 45342, numberFormat: "yyyy/m/d" }, { address: "A2", value: 45342 },
    { address: "A3", value: 0.8619, numberFormat: "0.00%" }, { address: "B1", value: 45291.5, numberFormat: "yyyy/m/d h:mm" },
    { address: "B2", value: 45291.5, numberFormat: "yyyy/m/d h:mm" }, { address: "C1", value: "2024年2月20日" }] }] });
  assert.deepEqual(JixiaoWps.readBook(app).sheets[0].values, [
    ["2024-02-20T00:00:00.000Z", "2023-12-31T12:00:00.000Z", "2024年2月20日"],
    [45342, "2023-12-31T12:00:00.000Z", ""],
    [0.8619, "", ""],
  ]);
  // formats asked once for each run of numbers down a column, split in halves only where they differ
  const asked = app.calls.filter((c) => c[0] === "Range.NumberFormat.get").map((c) => c[1]);
  assert.deepEqual(asked, ["S!A1:A3", "S!A1:A2", "S!A1", "S!A2", "S!A3", "S!B1:B2"]);
});

test("a second 校验 gives the same workbook", e2e, async () => {
  const app = workbook("seed");
  await JixiaoWps.run("validate", app, options());
  const first = app.snapshot();
  const opts = options();
  await JixiaoWps.run("validate", app, opts);
  assert.deepEqual(app.snapshot(), first);
  assert.equal(opts.alerts[0].text, SUMMARY);
});

test("清除标记 puts back the original colours and comments exactly", e2e, async () => {
  const app = workbook("seed");
  const original = looks(app);
  assert.deepEqual(original["附件1!D25"], ["#DDEBF7", null]);
  assert.deepEqual(original["附件1!B7"], [null, "请核对"]);
  await JixiaoWps.run("validate", app, options());
  assert.notDeepEqual(looks(app), original);
  const opts = options();
  await JixiaoWps.run("clear_marks", app, opts);
  assert.deepEqual(opts.alerts, []); // quiet: the cells show it
  const after = looks(app);
  for (const key of Object.keys(after)) if (!(key in original)) assert.deepEqual(after[key], [null, null], key);
  for (const [key, look] of Object.entries(original)) assert.deepEqual(after[key], look, key);
  // a second 清除标记 finds nothing to do and changes nothing
  const again = app.snapshot();
  await JixiaoWps.run("clear_marks", app, options());
  assert.deepEqual(app.snapshot(), again);
});

test("问题列表 lists the findings without changing the workbook", e2e, async () => {
  const app = workbook("seed");
  const before = app.snapshot();
  const opts = options();
  await JixiaoWps.listFindings(app, opts);
  assert.equal(opts.alerts.length, 1);
  const lines = opts.alerts[0].text.split("\n");
  assert.equal(lines[0], SUMMARY.split("；未校验")[0]);
  assert.match(lines[1], /^B111 \[附件1\]/);
  assert.equal(opts.alerts[0].title, "问题列表");
  assert.deepEqual(app.snapshot(), before);
});

test("a server-side failure is one Chinese alert and the workbook is untouched", e2e, async () => {
  const app = workbook("corrupt_marks"); // its marks record names a cell "第六行"
  const before = app.snapshot();
  const opts = options();
  await JixiaoWps.run("clear_marks", app, opts);
  assert.equal(opts.alerts.length, 1);
  const { text, title } = opts.alerts[0];
  assert.equal(title, "清除标记未完成");
  assert.match(text, /^清除标记时程序出错，工作簿没有被修改。请保存工作簿后重试；如仍出错，请把工作簿发给管理员，并告知时间 \d\d:\d\d:\d\d/);
  assert.doesNotMatch(text, /[A-Za-z]{4,}/); // no English, no traceback
  assert.deepEqual(app.snapshot(), before);
});

test("a workbook without any self-evaluation form is left alone with the reason", e2e, async () => {
  const app = workbook("noform");
  const before = app.snapshot();
  const opts = options();
  await JixiaoWps.run("validate", app, opts);
  assert.equal(opts.alerts.length, 1);
  assert.match(opts.alerts[0].text, /工作簿没有被修改。请打开提交的绩效自评工作簿/);
  assert.equal(opts.alerts[0].title, "校验未完成");
  assert.deepEqual(app.snapshot(), before);
});

test("no server: a Chinese alert saying so, nothing changed", e2e, async () => {
  const app = workbook("seed");
  const before = app.snapshot();
  const opts = options("http://127.0.0.1:9"); // nothing listens on the discard port
  await JixiaoWps.run("validate", app, opts);
  assert.equal(opts.alerts.length, 1);
  assert.match(opts.alerts[0].text, /^连接不到校验服务，无法校验，工作簿没有被修改。/);
  assert.equal(opts.alerts[0].title, "校验未完成");
  assert.deepEqual(app.snapshot(), before);
});

test("a protected sheet: a Chinese alert on how to unprotect it", e2e, async () => {
  const app = workbook("protected");
  const opts = options();
  await JixiaoWps.run("validate", app, opts);
  assert.equal(opts.alerts.length, 1);
  assert.equal(opts.alerts[0].text, "工作表受保护，无法校验。请先取消保护（审阅 → 撤销工作表保护）再校验。");
  assert.equal(app.ScreenUpdating, true); // redrawing is switched back on after the failure
});

// ------------------------------------------------------------------ without the server

test("colours: WPS's BGR numbers and the marks record's #RRGGBB", () => {
  assert.equal(JixiaoWps.hexToBgr("#FFC7CE"), 0xcec7ff);
  assert.equal(JixiaoWps.bgrToHex(0xcec7ff), "#FFC7CE");
  assert.equal(JixiaoWps.bgrToHex(JixiaoWps.hexToBgr("#0A0B0C")), "#0A0B0C");
  const app = new Application({ name: "a.xlsx", sheets: [{ name: "S", cells: [
    { address: "A1", value: 1, fill: "#DDEBF7" }, { address: "A2", value: 2 }] }] });
  const sheet = app.ActiveWorkbook.Worksheets.Item(1);
  assert.deepEqual(JixiaoWps.fillRecord(sheet.Range("A1")),
    { patternType: "solid", fg: { rgb: "FFDDEBF7" }, bg: null });
  assert.deepEqual(JixiaoWps.fillRecord(sheet.Range("A2")), { patternType: null, fg: null, bg: null });
});

test("the server's address: configured, or the server that served the add-in", () => {
  assert.equal(JixiaoWps.serverUrl({ server: "http://10.0.0.5:8000/" }, null), "http://10.0.0.5:8000");
  assert.equal(JixiaoWps.serverUrl({ server: "" }, { href: "http://10.0.0.5:8000/wps/index.html" }),
    "http://10.0.0.5:8000");
  assert.equal(JixiaoWps.serverUrl({}, { href: "https://srv/jixiao/wps/index.html" }), "https://srv/jixiao");
  assert.throws(() => JixiaoWps.serverUrl({}, { href: "file:///C:/jsaddons/jixiao_wps_0.1.0/index.html" }),
    /没有设置校验服务的地址/);
});

test("a shared server's key: from config.js, or from the /wps/k/<key>/ address the add-in was loaded from", () => {
  const key = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
  assert.equal(JixiaoWps.accessKey({ key }, null), key);
  assert.equal(JixiaoWps.accessKey({ server: "" }, { href: `http://10.0.0.5:8000/wps/k/${key}/index.html` }), key);
  assert.equal(JixiaoWps.serverUrl({ server: "" }, { href: `http://10.0.0.5:8000/wps/k/${key}/index.html` }),
    "http://10.0.0.5:8000");
  assert.equal(JixiaoWps.accessKey({ server: "" }, { href: "http://127.0.0.1:8000/wps/index.html" }), "");
});

test("a refusal of the server (401 without the key) is its Chinese line, the workbook untouched", async () => {
  const sent = [];
  const ui = { alerts: [], alert(text, title) { this.alerts.push([text, title]); } };
  const app = new Application({ name: "a.xlsx", sheets: [{ name: "S", cells: [{ address: "A1", value: 1 }] }] });
  const before = app.snapshot();
  await JixiaoWps.run("validate", app, {
    ui, config: { server: "http://10.0.0.5:8000", key: "k".repeat(32) },
    post: async (url, body, key) => { sent.push(key); return { status: 401, text: JSON.stringify({ detail: "需要访问密钥：请使用管理员给出的带密钥的地址" }) }; },
  });
  assert.deepEqual(sent, ["k".repeat(32)]);
  assert.match(ui.alerts[0][0], /^需要访问密钥.*工作簿没有被修改/);
  assert.deepEqual(app.snapshot(), before);
});

test("an answer the add-in does not understand changes nothing and says so in Chinese", async () => {
  const app = new Application({ name: "a.xlsx", sheets: [{ name: "S", cells: [{ address: "A1", value: 1 }] }] });
  const before = app.snapshot();
  const alerts = [];
  const actions = [
    { func: "setValues", values: [[5]], sheet_position: 0, start_row: 0, start_column: 0,
      row_count: 1, column_count: 1 },
    { func: "deleteSheet", args: [0], sheet_position: 0 },
  ];
  await JixiaoWps.run("validate", app, {
    config: { server: "http://jixiao" }, ui: { alert: (text, title) => alerts.push({ text, title }) },
    post: async () => ({ status: 200, text: JSON.stringify({ actions }) }),
  });
  assert.deepEqual(app.snapshot(), before);
  assert.equal(alerts.length, 1);
  assert.match(alerts[0].text, /不认识的操作“deleteSheet”，工作簿没有被修改/);
});

test("a server answering an error page: its Chinese text, or a Chinese message with the status", async () => {
  const app = new Application({ name: "a.xlsx", sheets: [{ name: "S", cells: [] }] });
  for (const [answer, expected] of [
    [{ status: 500, text: "处理请求时程序出错" }, /^处理请求时程序出错$/],
    [{ status: 502, text: "<html>Bad Gateway</html>" }, /^校验服务没有正常答复（状态 502），无法清除标记，工作簿没有被修改。/],
  ]) {
    const alerts = [];
    await JixiaoWps.run("clear_marks", app, {
      config: { server: "http://jixiao" }, ui: { alert: (text) => alerts.push(text) }, post: async () => answer,
    });
    assert.match(alerts[0], expected);
  }
});

test("the request for an empty sheet and a one-cell sheet", () => {
  const app = new Application({ name: "a.xlsx", sheets: [
    { name: "空", cells: [] }, { name: "一格", cells: [{ address: "C3", value: "x" }] },
    { name: "很隐藏", visible: 2, cells: [{ address: "A1", value: "秘密" }] }] });
  const body = JixiaoWps.readBook(app);
  assert.deepEqual(body.sheets.map((s) => [s.name, s.visibility, s.values]), [
    ["空", "Visible", [[""]]],
    ["一格", "Visible", [["", "", ""], ["", "", ""], ["", "", "x"]]],
    ["很隐藏", "VeryHidden", [[]]],
  ]);
});

test("a second click while the first is under way is refused, not run twice", async () => {
  const app = new Application({ name: "a.xlsx", sheets: [{ name: "S", cells: [{ address: "A1", value: 1 }] }] });
  const alerts = [];
  let release;
  const posted = [];
  const opts = {
    config: { server: "http://jixiao" }, ui: { alert: (text, title) => alerts.push({ text, title }) },
    post: (url) => {
      posted.push(url);
      return new Promise((resolve) => { release = () => resolve({ status: 200, text: '{"actions": []}' }); });
    },
  };
  const first = JixiaoWps.run("validate", app, opts);
  await JixiaoWps.run("clear_marks", app, opts);
  assert.deepEqual(alerts, [{ text: "正在校验，请等它完成后再点。", title: "清除标记未开始" }]);
  release();
  await first;
  assert.equal(posted.length, 1);
  await JixiaoWps.run("clear_marks", app, { ...opts, post: async () => ({ status: 200, text: '{"actions": []}' }) });
  assert.equal(alerts.length, 1); // free again once the first has finished
});
