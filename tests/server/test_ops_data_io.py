"""Data in and out: import-patrons --dry-run reports every row it would reject and writes nothing;
export-mykey-links gives the ILS the documented CSV (docs/ils-mykey-links-example.csv)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.__main__ import main
from server.audit import AuditEntry
from server.patrons.ils import COLUMNS
from server.patrons.models import Patron
from server.state import AppState
from tests.server.test_db_admin_cli import ISSUER, write_csv
from tests.support.ops_data import link_mykey
from tests.support.server_proc import REPO_ROOT


@pytest.fixture
def cli(state: AppState, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SERVER_DATABASE_URL", state.settings.database_url)

    def run(*args: str) -> tuple[int, str, str]:
        status = main(list(args))
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def _counts(state: AppState) -> tuple[int, int]:
    with state.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Patron)) or 0,
                session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_import_dry_run_reports_every_reject_and_writes_nothing(cli, state: AppState, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "ils.csv", [
        ["3000000004", "佐賀 太郎", "1980-04-01", "2024-06-01", "1A2B3C", ISSUER],  # good
        ["3000000013", "誤り 番号", "1985-12-01", "2025-01-10", "", ""],            # bad check digit
        ["3000000004", "重複 太郎", "1980-04-01", "2024-06-01", "", ""],            # duplicate within the file
        ["2000000014", "既存 利用者", "1980-04-01", "2024-06-01", "", ""],          # already in the database
        ["3000000012", "佐賀 花子", "1985-12-01", "2025-01-10", "ZZ", ISSUER],       # serial not hex
        ["3000000020", "佐賀 次郎", "1990-01-01", "1989-01-01", "", ""],            # registered before birth
    ])
    before = _counts(state)
    status, out, err = cli("admin", "import-patrons", "--dry-run", str(path))
    assert status == 1
    assert "dry run: 1 patrons would be imported, 5 rows would be rejected; nothing written" in out
    for line, fragment in ((3, "malformed card number"), (4, "already registered"), (5, "already registered"),
                           (6, "not hexadecimal"), (7, "before birth_date")):
        assert f"line {line}:" in err and fragment in err
    assert _counts(state) == before
    # The real import then does what the dry run said.
    status, out, _ = cli("admin", "import-patrons", str(path))
    assert status == 1 and "imported 1 patrons, 5 rows rejected" in out


def test_export_of_mykey_links_for_the_ils(cli, state: AppState, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    link_mykey(state, card_number="2000000014", mykey_id="MK-0001")
    output = tmp_path / "links.csv"
    status, out, _ = cli("admin", "export-mykey-links", "--output", str(output))
    assert status == 0 and "1 MyKey links" in out
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert [(r["card_number"], r["mykey_id"], r["previous_scheme"]) for r in rows] == [
        ("2000000014", "MK-0001", "old")]
    assert rows[0]["linked_at"].endswith("+09:00")
    tomorrow = (state.clock.now() + timedelta(days=2)).date().isoformat()
    status, out, _ = cli("admin", "export-mykey-links", "--since", tomorrow)
    assert status == 0 and out.strip() == ",".join(COLUMNS)
    # The documented example has exactly the exported columns.
    example = (REPO_ROOT / "docs" / "ils-mykey-links-example.csv").read_text(encoding="utf-8")
    assert example.splitlines()[0] == ",".join(COLUMNS)


def test_the_documented_import_example_passes_a_dry_run(cli) -> None:  # type: ignore[no-untyped-def]
    status, out, err = cli("admin", "import-patrons", "--dry-run",
                           str(REPO_ROOT / "docs" / "ils-patrons-import-example.csv"))
    assert (status, err) == (0, "")
    assert "dry run: 2 patrons would be imported, 0 rows would be rejected" in out
