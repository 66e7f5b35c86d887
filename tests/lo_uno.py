"""A private headless LibreOffice reached over UNO, for the scripts run with Debian's python3 (lo_edit, lo_vba)."""

import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextmanager
def desktop(profile: str, name: str = "jx", tries: int = 120):
    """soffice on its own profile and pipe; yields its Desktop, stops it afterwards (killed if it hangs)."""
    pipe = f"{name}{os.getpid()}"
    office = subprocess.Popen(["soffice", "--headless", "--norestore", "--nolockcheck",
                               f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
                               f"--accept=pipe,name={pipe};urp;"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    found = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(tries):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.25)
        else:
            raise SystemExit("LibreOffice did not start")
        found = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        yield found
    finally:
        if found is not None:
            try:
                found.terminate()
            except Exception:
                pass
        office.terminate()
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
