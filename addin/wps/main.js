// Included by index.html, the page WPS opens for this add-in: loads the scripts in order.
document.write("<script type='text/javascript' src='js/config.js'></script>");
document.write("<script type='text/javascript' src='js/jixiao.js'></script>");
document.write("<script type='text/javascript' src='js/ribbon.js'></script>");
