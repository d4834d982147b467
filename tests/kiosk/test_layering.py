"""The kiosk core runs without Kivy: importing every kiosk module with Kivy blocked must work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, pkgutil, sys
sys.modules['kivy'] = None  # any `import kivy...` now raises ImportError
import kiosk
names = [m.name for m in pkgutil.walk_packages(kiosk.__path__, 'kiosk.')]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def test_kiosk_core_imports_without_kivy() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 2


def test_no_kiosk_module_mentions_kivy_or_screens() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "kiosk").rglob("*.py")
        if any(line.lstrip().startswith(("import kivy", "from kivy", "import screens", "from screens"))
               for line in path.read_text(encoding="utf-8").splitlines())
    ]
    assert offenders == []
