// The jixiao-xl server this add-in sends workbooks to. Empty: the server that served the add-in
// (online mode, http://服务器:8000/wps/). `jixiao-xl addin build-wps --server URL` writes it here.
window.JIXIAO_WPS_CONFIG = { server: "" };
