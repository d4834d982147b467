"""Import direction: kiosk.card never imports Kivy, and only its pcsc/monitor modules import pyscard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHECK = """
import sys
sys.modules["kivy"] = None  # any Kivy import now fails
import kiosk.card, kiosk.card.jpki, kiosk.card.text_ap, kiosk.card.certificate, kiosk.card.protocol
assert "smartcard" not in sys.modules, "kiosk.card imported pyscard outside pcsc/monitor"
import kiosk.card.pcsc, kiosk.card.monitor
assert "smartcard" in sys.modules
assert not any(name == "kivy" or name.startswith("kivy.") for name in sys.modules if sys.modules[name])
print("ok")
"""


def test_card_layer_imports_no_kivy_and_pyscard_only_in_pcsc_modules():
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_only_pcsc_modules_mention_smartcard():
    importers = {
        p.name for p in (REPO / "kiosk" / "card").glob("*.py")
        if "from smartcard" in p.read_text() or "import smartcard" in p.read_text()
    }
    assert importers <= {"pcsc.py", "monitor.py"}
