// Ribbon callbacks of the 绩效自评 tab (ribbon.xml). Each button reads the workbook through WPS's
// object model, asks the jixiao-xl server, and applies its answer (js/jixiao.js).

function OnAddinLoad(ribbonUI) {
  if (typeof window.Application.ribbonUI !== "object") window.Application.ribbonUI = ribbonUI;
  return true;
}

function jixiaoOptions() {
  return {
    config: window.JIXIAO_WPS_CONFIG,
    location: document.location,
    ui: { alert: (text, title) => alert(title ? title + "\n\n" + text : text) },
    log: (error) => console.error(error),
  };
}

function OnAction(control) {
  const app = window.Application;
  switch (control.Id) {
    case "jixiaoValidate":
      JixiaoWps.run("validate", app, jixiaoOptions());
      break;
    case "jixiaoClearMarks":
      JixiaoWps.run("clear_marks", app, jixiaoOptions());
      break;
    case "jixiaoFindings":
      JixiaoWps.listFindings(app, jixiaoOptions());
      break;
    default:
      break;
  }
  return true;
}

function GetImage(control) {
  switch (control.Id) {
    case "jixiaoValidate":
      return "images/validate.svg";
    case "jixiaoClearMarks":
      return "images/clear.svg";
    default:
      return "images/list.svg";
  }
}
