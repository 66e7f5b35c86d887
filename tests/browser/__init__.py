"""Browser-side helpers of the add-in tests: the Office.js stand-in (officejs_standin.js) and the servers and
Chromium the browser tests share (browser.py)."""
