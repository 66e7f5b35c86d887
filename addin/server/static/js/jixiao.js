// Task pane: list the findings of the open workbook (POST its data to /jixiao/findings).
// The shared server's key goes as the Authorization header (auth.js getAuth), as xlwings' own calls send
// it: Excel on the web runs the task pane in a frame of another site, where the server's cookie is a
// third-party cookie the browser does not send.
async function refreshFindings() {
  const target = document.querySelector("#jixiao-findings");
  target.textContent = "正在校验…";
  try {
    const payload = await xlwings.getBookData();
    const auth = typeof globalThis.getAuth === "function" ? await globalThis.getAuth() : { token: "" };
    const headers = { "Content-Type": "application/json" };
    if (auth.token) headers.Authorization = auth.token;
    const response = await fetch(window.location.origin + "/jixiao/findings", {
      method: "POST",
      headers: headers,
      body: JSON.stringify(payload),
    });
    if (response.ok) {
      target.innerHTML = await response.text();
    } else {
      // the server's own refusal (no key, wrong key, too large) is one Chinese line: show it as it is
      const said = await response.json().then((data) => data && data.detail, () => null);
      target.textContent = /[\u4e00-\u9fff]/.test(said || "")
        ? "无法列出问题：" + said
        : "无法列出问题：服务器没有正常回应（" + response.status + "）。请稍后重试，或联系管理员。";
    }
  } catch (error) {
    target.textContent = "无法列出问题：连接不到校验服务。请确认加载项服务正在运行后重试。";
    console.error(error);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("#jixiao-refresh");
  if (button) button.addEventListener("click", refreshFindings);
  // 校验 / 校验（含隐藏表） / 清除标记: through ribbon.js, so Excel-side failures are shown in Chinese too
  document.querySelectorAll("[data-jixiao-script]").forEach((scriptButton) =>
    scriptButton.addEventListener("click", () => runJixiaoScript(scriptButton.dataset.jixiaoScript)),
  );
});
