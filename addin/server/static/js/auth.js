// xlwings Server's auth hook (its client calls getAuth before every script and function call, and the
// htmx task pane before every request): the shared server's access key, taken from the address the
// manifest gave the task pane (…/taskpane.html?key=…; functions and ribbon commands share its runtime).
// The server checks it with its auth provider "jixiao" (auth/jixiao); a server on this PC needs none.
globalThis.getAuth = async function () {
  const key = new URLSearchParams(window.location.search).get("key") || "";
  return { token: key, provider: key ? "jixiao" : "" };
};
