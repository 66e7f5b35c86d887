// Task pane: list the findings of the open workbook (POST its data to /jixiao/findings).
async function refreshFindings() {
  const target = document.querySelector("#jixiao-findings");
  target.textContent = "正在校验…";
  try {
    const payload = await xlwings.getBookData();
    const response = await fetch(window.location.origin + "/jixiao/findings", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    target.innerHTML = await response.text();
  } catch (error) {
    target.textContent = "无法获取校验结果：" + error;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("#jixiao-refresh");
  if (button) button.addEventListener("click", refreshFindings);
});
