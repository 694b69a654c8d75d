"""The geo engine must run where Django is not configured (workers, CLI)."""

import os
import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
import lifecircle.geo as geo
for info in pkgutil.iter_modules(geo.__path__):
    if info.name not in ("tests", "__main__"):
        importlib.import_module("lifecircle.geo." + info.name)
bad = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(",".join(bad))
sys.exit(1 if bad else 0)
"""


def test_geo_imports_without_django():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, f"lifecircle.geo imported Django modules: {result.stdout}{result.stderr}"
