"""`python -m server admin ...` on SQLite and PostgreSQL: kiosks, staff, CSV import with row errors,
linkage history, audit export."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from server.__main__ import main
from tests.support.server_proc import REPO_ROOT

ISSUER = "CN=TEST JPKI Auth CA Generation 2015,O=TEST,C=JP"


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SERVER_DATABASE_URL", db_url)

    def run(*args: str) -> tuple[int, str, str]:
        status = main(list(args))
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["card_number", "name", "birth_date", "registered_on", "cert_serial", "cert_issuer"])
        writer.writerows(rows)
    return path


def test_import_reports_row_errors_and_keeps_good_rows(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "ils.csv", [
        ["3000000004", "佐賀 太郎", "1980-04-01", "2024-06-01", "1A2B3C", ISSUER],   # good, old link
        ["3000000012", "佐賀 花子", "1985-12-01", "2025-01-10", "", ""],             # good, no link
        ["3000000013", "誤り 番号", "1985-12-01", "2025-01-10", "", ""],             # bad check digit
        ["3000000020", "", "1985-12-01", "2025-01-10", "", ""],                     # no name
        ["3000000038", "日付 誤り", "1985-13-01", "2025-01-10", "", ""],             # bad date
        ["3000000046", "片方 だけ", "1985-01-01", "2025-01-10", "FF", ""],           # serial without issuer
        ["3000000004", "重複 太郎", "1980-04-01", "2024-06-01", "", ""],             # duplicate card
    ])
    status, out, err = cli("admin", "import-patrons", str(path))
    assert status == 1
    assert "imported 2 patrons, 5 rows rejected" in out
    for line, fragment in ((4, "malformed card number"), (5, "name is empty"), (6, "YYYY-MM-DD"),
                           (7, "go together"), (8, "already registered")):
        assert f"line {line}:" in err and fragment in err
    status, out, _ = cli("admin", "history", "3000000004")
    assert status == 0 and "ACTIVE old 1A2B3C" in out and "佐賀 太郎" in out
    status, out, _ = cli("admin", "history", "3000000012")
    assert status == 0 and "ACTIVE" not in out


def test_kiosks_staff_and_audit_export(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    status, out, _ = cli("admin", "kiosk-create", "kiosk-2f-01", "--name", "2F lobby")
    secret = out.strip().splitlines()[-1]
    assert status == 0 and len(secret) >= 32
    assert cli("admin", "kiosk-create", "kiosk-2f-01")[0] == 1
    assert cli("admin", "kiosk-revoke", "kiosk-2f-01")[0] == 0
    assert "kiosk-2f-01\trevoked\t2F lobby" in cli("admin", "kiosk-list")[1]
    assert cli("admin", "staff-create", "tanaka", "--name", "田中", "--role", "counter", "--pin", "4711")[0] == 0
    assert cli("admin", "staff-create", "short", "--name", "x", "--pin", "12")[0] == 1
    assert "tanaka\tcounter\tactive\t田中" in cli("admin", "staff-list")[1]
    export = tmp_path / "audit.csv"
    assert cli("admin", "audit-export", "--output", str(export))[0] == 0
    text = export.read_text(encoding="utf-8")
    assert "kiosk.create" in text and "staff.create" in text
    assert secret not in text and "4711" not in text


def test_cli_runs_as_a_process_and_names_bad_settings(db_url: str) -> None:
    env = {"SERVER_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=REPO_ROOT, env=env,
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "up to date" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=REPO_ROOT,
                         env={**env, "SERVER_DEMO_KIOSK_SECRET": "changethis"},
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "demo_kiosk_secret" in bad.stderr and "Traceback" not in bad.stderr
