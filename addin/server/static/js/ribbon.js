// Ribbon buttons of the 绩效自评 tab (FunctionName in templates/manifest.xml).
async function runJixiaoScript(scriptName, event) {
  let authResult =
    typeof globalThis.getAuth === "function"
      ? await globalThis.getAuth()
      : { token: "", provider: "" };
  try {
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
