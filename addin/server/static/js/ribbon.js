// Ribbon buttons of the 绩效自评 tab (FunctionName in templates/manifest.xml) and the task pane's
// buttons. The server answers every failure of its own with a Chinese alert; what can still fail is
// Excel applying the answer (a protected sheet) or the connection. xlwings' runPython would show
// those as an English "Error" dialog, so it is asked to put them in its error banner instead
// (errorDisplayMode other than "alert"), and the text found there is shown in Chinese.
const JIXIAO_ACTIONS = { validate: "校验", validate_all: "校验", clear_marks: "清除标记" };

function jixiaoClientMessage(error, action) {
  const text = String(error);
  if (/访问密钥|上限|拒绝/.test(text)) {  // the server's own refusal (401, 403, 413): already Chinese
    return `${text}（${action}未进行，工作簿没有被修改）`;
  }
  if (/protect|AccessDenied|受保护|保护/i.test(text)) {
    return `工作表受保护，无法${action}。请先取消保护（审阅 → 撤销工作表保护）再${action}。`;
  }
  // A workbook too large for Office.js to hand over (xlwings' getBookData reads every sheet from A1 to its last
  // cell): Excel refuses the read (RichApi.Error ResponsePayloadSizeLimitExceeded: "The response payload size
  // has exceeded the limit", Excel on the web caps it at 5 MB), or gives no values at all (null, "instead of
  // raising when a range get exceeds its 5,000,000-cell limit": xlwings-server workbook-metadata.js), which its
  // convertDateValues then reads. Nothing was sent, so nothing was changed.
  if (/PayloadSizeLimitExceeded|payload size has exceeded|reading 'forEach'/i.test(text)) {
    return `工作簿太大，Excel 无法把它交给校验服务，${action}未进行，工作簿没有被修改。` +
      "常见原因是某张工作表远处的单元格有内容或格式（按 Ctrl+End 可跳到最后一个单元格）：请删除这些多余的行列，" +
      `或只把附件1、附件2、附件3 复制到新工作簿后再${action}；也可以请管理员用 jixiao-xl check 检查这个文件。`;
  }
  if (/No response received from server|Network Error|timeout|Failed to fetch/i.test(text)) {
    return `连接不到校验服务，无法${action}。请确认加载项服务正在运行，稍后再试；如仍不行，请联系管理员。`;
  }
  return `Excel 在${action}时出错，可能只改了一部分。请检查工作簿后再试一次；如仍出错，请联系管理员（Excel 给出的原因：${text}）。`;
}

// The alert goes through xlwings' own alert (static/js/alerts/parent.js, the module instance its client
// uses, imported by its address): Office allows one dialog at a time (12007 for a second one), and that
// module closes the dialog it opened last (校验's result, say) before it opens the next.
const JIXIAO_ALERTS_URL = new URL("alerts/parent.js", document.currentScript.src).href;

async function jixiaoAlert(prompt, title) {
  const { xlAlert } = await import(JIXIAO_ALERTS_URL);
  await xlAlert(prompt, title, "ok", "critical", "");
}

async function runJixiaoScript(scriptName, event) {
  const action = JIXIAO_ACTIONS[scriptName] || "校验";
  const banner = document.querySelector("#global-error-alert");
  const bannerText = banner ? banner.querySelector("span") : null;
  if (bannerText) bannerText.textContent = "";
  try {
    const authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    registerJixiaoCallbacks();
    await xlwings.runPython({
      auth: authResult.token,
      scriptName: scriptName,
      headers: { "Auth-Provider": authResult.provider },
      errorDisplayMode: "jixiao",
    });
    if (bannerText && bannerText.textContent) {
      const error = bannerText.textContent;
      banner.classList.add("d-none");
      bannerText.textContent = "";
      await jixiaoAlert(jixiaoClientMessage(error, action), `${action}未完成`);
    }
  } catch (error) {
    console.error(error);
    await jixiaoAlert(jixiaoClientMessage(error, action), `${action}未完成`);
  } finally {
    if (event) event.completed();
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
