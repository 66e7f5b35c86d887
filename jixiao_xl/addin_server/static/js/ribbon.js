// Ribbon buttons of the 绩效自评 tab (FunctionName in templates/manifest.xml).
async function runJixiaoScript(scriptName, event) {
  let authResult =
    typeof globalThis.getAuth === "function"
      ? await globalThis.getAuth()
      : { token: "", provider: "" };
  try {
    registerJixiaoCallbacks();
    await xlwings.runPython({
      auth: authResult.token,
      scriptName: scriptName,
      headers: { "Auth-Provider": authResult.provider },
    });
  } finally {
    event.completed();
  }
}

Office.actions.associate("jixiao-validate", (event) => runJixiaoScript("validate", event));
Office.actions.associate("jixiao-clear-marks", (event) => runJixiaoScript("clear_marks", event));

// Called by the server (action runMacro "jixiaoMark") for the cells 校验 marks when it cannot
// read their colour itself: record each cell's fill in the marks sheet first (so 清除标记 puts it
// back exactly), then colour the cell. Office.js reports no fill as white before ExcelApi 1.9
// (RangeFill.pattern), so there white is recorded as no fill.
async function jixiaoMark(context, marksSheet, marksJson) {
  const marks = JSON.parse(marksJson);
  const withPattern = Office.context.requirements.isSetSupported("ExcelApi", "1.9");
  const sheets = context.workbook.worksheets;
  const fills = marks.map((mark) => {
    const fill = sheets.getItem(mark.sheet).getRange(mark.cell).format.fill;
    fill.load(withPattern ? "color,pattern" : "color");
    return fill;
  });
  await context.sync();
  const store = sheets.getItem(marksSheet);
  marks.forEach((mark, ix) => {
    const fill = fills[ix];
    const color = (fill.color || "").toUpperCase();
    const none = withPattern ? fill.pattern === "None" : color === "#FFFFFF" || color === "";
    const record = none
      ? { patternType: null, fg: null, bg: null }
      : { patternType: "solid", fg: { rgb: "FF" + color.replace("#", "") }, bg: null };
    store.getRange("C" + mark.row).values = [[JSON.stringify(record)]];
    sheets.getItem(mark.sheet).getRange(mark.cell).format.fill.color = mark.color;
  });
  await context.sync();
}

// Registered before every script call (ribbon) and once the page has loaded (task pane buttons):
// xlwings' module script defines globalThis.xlwings, possibly after this file ran.
function registerJixiaoCallbacks() {
  if (globalThis.xlwings && globalThis.callbacks) xlwings.registerCallback(jixiaoMark);
}
window.addEventListener("load", registerJixiaoCallbacks);
