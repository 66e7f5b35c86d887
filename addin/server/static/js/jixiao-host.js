// The task pane opened in a plain browser (not inside Excel): say so in Chinese instead of xlwings'
// English "The add-in didn't load properly" and its three automatic reloads (officejs/taskpane-reload.js,
// meant for an Excel whose Office.js did not connect).
//
// Inside Office, office.js learns its host from one of: window.external.GetHostInfo() (Office on
// Windows), the _host_Info parameter Office adds to the page's address, window.name (Office on the web)
// or the copy it keeps in sessionStorage ("hostInfoValue") across reloads; office.js itself decides
// "outside of Office client" when none is there. The same test here, before any recovery can start
// (a classic script, run while the page is parsed): without a host the reload budget is used up, so
// taskpane-reload.js only shows its prompt. When Office.onReady then confirms there is no host, the page
// shows the notice instead of the buttons and that prompt (the CSS of taskpane.html); had the test been
// wrong inside Office, onReady brings a host and the page is as before, and an Office.js that never
// connects still gets xlwings' manual reload prompt.
(function () {
  function insideOffice() {
    try {
      if (typeof agaveHost !== "undefined") return true;
      if (window.external && typeof window.external.GetHostInfo !== "undefined") return true;
    } catch (e) {
      return true; // a host object that refuses to be read is a host
    }
    if (/[?&#]_host_Info=/i.test(window.location.search + window.location.hash)) return true;
    try {
      if (window.name && JSON.parse(window.name).hostInfo) return true;
    } catch (e) {
      // window.name is not Office's
    }
    try {
      if (window.sessionStorage && window.sessionStorage.getItem("hostInfoValue")) return true;
    } catch (e) {
      return true; // no storage: cannot tell, keep xlwings' behaviour
    }
    return window.parent !== window; // a frame: Office on the web
  }

  if (insideOffice()) return;
  try {
    window.sessionStorage.setItem("xlwingsTaskpaneReloadCount", "1000");
  } catch (e) {
    // without storage taskpane-reload.js does not reload by itself either
  }
  if (typeof Office !== "undefined" && Office.onReady) {
    Office.onReady().then((info) => {
      if (!info || !info.host) document.documentElement.classList.add("jixiao-outside-office");
    });
  }
})();
